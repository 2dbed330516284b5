"""Downloads of the training domain: the list (sheet KhoaDaoTao), the trainees of the listed
courses (sheet HocVien) and the yearly summary. Text is always written as text
(app.core.export)."""

import io

from app.core.export import csv_bytes, default_number_format, send_bytes, send_table, write_cell
from app.training.queries import EXPORT_COLUMNS
from app.training.states import TrainingTopic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet HocVien (docs/spec/training.md): one row per course and agency.
ATTENDANCE_COLUMNS = (
    ("ma_khoa", "Mã khóa đào tạo", lambda r: r.course.code),
    ("co_quan", "Cơ quan cử học viên", lambda r: r.agency.name),
    ("so_hoc_vien", "Số học viên", lambda r: r.trainee_count),
    ("ho_ten", "Họ tên học viên", lambda r: "; ".join(r.name_list) or None),
)


def courses_download(rows, fmt: str):
    headers = [label for _key, label, _get in EXPORT_COLUMNS]
    table = ([get(row) for _key, _label, get in EXPORT_COLUMNS] for row in rows)
    return send_table("khoa-dao-tao", "KhoaDaoTao", headers, table, fmt)


def attendance_download(rows, fmt: str):
    headers = [label for _key, label, _get in ATTENDANCE_COLUMNS]
    table = ([get(row) for _key, _label, get in ATTENDANCE_COLUMNS] for row in rows)
    return send_table("hoc-vien-dao-tao", "HocVien", headers, table, fmt)


def summary_tables(figures: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of the yearly summary: totals, by agency, by topic."""
    totals = [
        ["Năm", str(figures["year"])],
        ["Số khóa đào tạo, bồi dưỡng", figures["courses"]],
        ["Tổng số lượt học viên", figures["trainees"]],
        ["Tổng kinh phí (VNĐ)", figures["cost_vnd"]],
        ["Số khóa chưa ghi kinh phí", figures["cost_missing"]],
    ]
    by_agency = [[row["agency"], row["courses"], row["trainees"]] for row in figures["by_agency"]]
    by_topic = [
        [TrainingTopic(row["topic"]).label, row["courses"], row["trainees"]]
        for row in figures["by_topic"]
    ]
    return [
        ("TongHop", ["Chỉ tiêu", "Giá trị"], totals),
        ("TheoCoQuan", ["Cơ quan cử học viên", "Số khóa tham gia", "Số học viên"], by_agency),
        ("TheoChuDe", ["Chủ đề", "Số khóa", "Số học viên"], by_topic),
    ]


def summary_download(figures: dict, fmt: str):
    """XLSX: one sheet per table. CSV: the three tables one after the other, each with a
    first column naming its table."""
    tables = summary_tables(figures)
    basename = f"thong-ke-dao-tao-{figures['year']}"
    if fmt == "csv":
        headers = ["Bảng", "Mục", "Số khóa / giá trị", "Số học viên"]
        names = {
            "TongHop": "Tổng hợp",
            "TheoCoQuan": "Theo cơ quan",
            "TheoChuDe": "Theo chủ đề",
        }
        rows = [[names[title], *row] for title, _headers, body in tables for row in body]
        return send_bytes(csv_bytes(headers, rows), basename, fmt, "text/csv; charset=utf-8")
    from openpyxl import Workbook  # when a workbook is asked for, not at start-up
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, headers, body in tables:
        sheet = workbook.create_sheet(title)
        sheet.column_dimensions["A"].width = 45
        bold = []
        for header in headers:
            cell = write_cell(WriteOnlyCell(sheet), header)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in body:
            sheet.append(
                [write_cell(WriteOnlyCell(sheet), v, default_number_format(v)) for v in row]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return send_bytes(buffer.getvalue(), basename, fmt, XLSX)
