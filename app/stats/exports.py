"""The report as tables (Vietnamese headers and labels) and its downloads: XLSX, CSV, JSON.

The page, the workbook and the CSV files are all built from `tables(report)`, itself built
from the report dict that the JSON is, so every output shows the same figures.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from app.aid.models import Modality, Sector
from app.core.countries import country_name
from app.core.dates import format_datetime
from app.core.export import csv_bytes, write_cell
from app.delegations.models import Purpose
from app.stats.people_diplomacy import ALL_TABLE_KEYS

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not at start-up
    from openpyxl.styles import Font

# Column kinds: how a value shows on the page and which number format it gets in Excel.
TEXT, CODE, COUNT, VND, USD, MONTH = "text", "code", "count", "vnd", "usd", "month"
PERCENT = "percent"
NUMBER_FORMATS = {COUNT: "#,##0", VND: "#,##0", USD: "#,##0.00", MONTH: "0", PERCENT: "0.0"}
UNKNOWN = "Chưa xác định"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT

    @property
    def on_page(self) -> bool:
        """Codes are for machines (CSV, workbook); the page shows their labels only."""
        return self.kind != CODE


@dataclass(frozen=True)
class Table:
    key: str  # file name of its CSV, stable
    title: str  # heading on the page
    sheet: str  # sheet name (<= 31 characters)
    columns: tuple[Column, ...]
    rows: list[list]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def page_cells(self) -> tuple[list[Column], list[list]]:
        """The columns the page shows and each row's values for them."""
        shown = [i for i, column in enumerate(self.columns) if column.on_page]
        return [self.columns[i] for i in shown], [[row[i] for i in shown] for row in self.rows]


def _label(labels: dict[str, str]) -> Callable[[str | None], str]:
    return lambda key: labels.get(key, key) if key else UNKNOWN


def _country(code: str | None) -> str:
    return country_name(code) if code else UNKNOWN


def _usd(value: float) -> Decimal:
    """The report's USD float back to an exact 2-decimal Decimal."""
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def tables(report: dict) -> list[Table]:
    """Every table of the report, in the order of the page and of the workbook: the aid and
    delegation tables of the spec, then those of the people-to-people diplomacy sections
    when the report has them (app.stats.people_tables)."""
    from app.stats.people_tables import people_tables

    return spec_tables(report) + people_tables(report)


def spec_tables(report: dict) -> list[Table]:
    """The tables of spec/annual-report.md (aid, delegations)."""
    aid, delegations = report["aid"], report["delegations"]
    approved, disbursed = aid["approved"], aid["disbursed"]
    incoming, outgoing = delegations["incoming"], delegations["outgoing"]
    sector, modality, purpose = (
        _label(Sector.labels()),
        _label(Modality.labels()),
        _label(Purpose.labels()),
    )
    return [
        Table(
            "tong_hop_vien_tro",
            "Tổng hợp viện trợ",
            "Tổng hợp viện trợ",
            (
                Column("Chỉ tiêu"),
                Column("Số lượng", COUNT),
                Column("Giá trị (VNĐ)", VND),
                Column("Giá trị (USD)", USD),
                Column("Số không có tỷ giá USD", COUNT),
                Column("Vốn đối ứng (VNĐ)", VND),
            ),
            [
                [
                    "Khoản viện trợ được phê duyệt trong năm",
                    approved["count"],
                    approved["value_vnd"],
                    _usd(approved["value_usd"]),
                    approved["usd_missing"],
                    approved["counterpart_vnd"],
                ],
                [
                    "Lần giải ngân trong năm",
                    disbursed["count"],
                    disbursed["value_vnd"],
                    _usd(disbursed["value_usd"]),
                    disbursed["usd_missing"],
                    None,
                ],
                [
                    "Khoản viện trợ đang thực hiện trong năm",
                    aid["active_count"],
                    None,
                    None,
                    None,
                    None,
                ],
            ],
        ),
        Table(
            "tong_hop_doan",
            "Tổng hợp đoàn vào, đoàn ra",
            "Tổng hợp đoàn",
            (
                Column("Loại đoàn"),
                Column("Số đoàn", COUNT),
                Column("Số lượt thành viên", COUNT),
                Column("Số khách (theo hộ chiếu, không trùng)", COUNT),
                Column("Số đoàn vào khu vực biên giới", COUNT),
            ),
            [
                [
                    "Đoàn vào",
                    incoming["count"],
                    incoming["members"],
                    incoming["unique_visitors"],
                    incoming["border_area"],
                ],
                ["Đoàn ra", outgoing["count"], outgoing["members"], None, None],
            ],
        ),
        Table(
            "vien_tro_linh_vuc",
            "Viện trợ phê duyệt theo lĩnh vực",
            "Theo lĩnh vực",
            (
                Column("Mã lĩnh vực", CODE),
                Column("Lĩnh vực"),
                Column("Số khoản", COUNT),
                Column("Giá trị (VNĐ)", VND),
            ),
            [
                [r["sector"], sector(r["sector"]), r["count"], r["value_vnd"]]
                for r in aid["by_sector"]
            ],
        ),
        Table(
            "vien_tro_quoc_gia",
            "Viện trợ theo quốc gia của nhà tài trợ chính",
            "Theo quốc gia tài trợ",
            (
                Column("Mã quốc gia", CODE),
                Column("Quốc gia"),
                Column("Số khoản phê duyệt", COUNT),
                Column("Giá trị phê duyệt (VNĐ)", VND),
                Column("Giá trị giải ngân (VNĐ)", VND),
            ),
            [
                [
                    r["country"],
                    _country(r["country"]),
                    r["count"],
                    r["value_vnd"],
                    r["disbursed_vnd"],
                ]
                for r in aid["by_country"]
            ],
        ),
        Table(
            "vien_tro_nha_tai_tro",
            "Viện trợ theo nhà tài trợ chính",
            "Theo nhà tài trợ",
            (
                Column("Mã nhà tài trợ"),
                Column("Tên nhà tài trợ"),
                Column("Số khoản phê duyệt", COUNT),
                Column("Giá trị phê duyệt (VNĐ)", VND),
                Column("Giá trị giải ngân (VNĐ)", VND),
            ),
            [
                [r["donor"], r["name"] or UNKNOWN, r["count"], r["value_vnd"], r["disbursed_vnd"]]
                for r in aid["by_donor"]
            ],
        ),
        Table(
            "vien_tro_hinh_thuc",
            "Viện trợ phê duyệt theo hình thức",
            "Theo hình thức",
            (
                Column("Mã hình thức", CODE),
                Column("Hình thức"),
                Column("Số khoản", COUNT),
                Column("Giá trị (VNĐ)", VND),
            ),
            [
                [r["modality"], modality(r["modality"]), r["count"], r["value_vnd"]]
                for r in aid["by_modality"]
            ],
        ),
        Table(
            "doan_quoc_gia",
            "Đoàn theo quốc gia",
            "Đoàn theo quốc gia",
            (
                Column("Mã quốc gia", CODE),
                Column("Quốc gia"),
                Column("Đoàn vào", COUNT),
                Column("Đoàn ra", COUNT),
                Column("Số lượt thành viên", COUNT),
            ),
            [
                [r["country"], _country(r["country"]), r["incoming"], r["outgoing"], r["members"]]
                for r in delegations["by_country"]
            ],
        ),
        Table(
            "doan_muc_dich",
            "Đoàn theo mục đích",
            "Đoàn theo mục đích",
            (
                Column("Mã mục đích", CODE),
                Column("Mục đích"),
                Column("Đoàn vào", COUNT),
                Column("Đoàn ra", COUNT),
            ),
            [
                [r["purpose"], purpose(r["purpose"]), r["incoming"], r["outgoing"]]
                for r in delegations["by_purpose"]
            ],
        ),
        Table(
            "doan_thang",
            "Đoàn theo tháng (theo ngày bắt đầu)",
            "Đoàn theo tháng",
            (Column("Tháng", MONTH), Column("Đoàn vào", COUNT), Column("Đoàn ra", COUNT)),
            [[r["month"], r["incoming"], r["outgoing"]] for r in delegations["by_month"]],
        ),
    ]


SPEC_TABLE_KEYS = (
    "tong_hop_vien_tro",
    "tong_hop_doan",
    "vien_tro_linh_vuc",
    "vien_tro_quoc_gia",
    "vien_tro_nha_tai_tro",
    "vien_tro_hinh_thuc",
    "doan_quoc_gia",
    "doan_muc_dich",
    "doan_thang",
)

# Every table a report may have (the CSV of one table is asked by key), in order.
TABLE_KEYS = SPEC_TABLE_KEYS + ALL_TABLE_KEYS


def counting_rules(year: int, report: dict | None = None) -> list[str]:
    """The counting rules of spec/annual-report.md, in Vietnamese, for the workbook; then
    those of the people-to-people diplomacy sections the report has."""
    from app.stats.people_tables import SECTION_RULES

    people = [rule for key, rule in SECTION_RULES.items() if report and key in report]
    return [
        f"Số liệu tính theo năm dương lịch {year}. Bản ghi đã lưu trữ (đã xóa) không được tính.",
        "Viện trợ được phê duyệt trong năm: các khoản có quyết định phê duyệt ký trong năm, "
        "bất kể trạng thái hiện nay (đã phê duyệt, đang thực hiện, tạm dừng, hoàn thành hoặc "
        "đã thu hồi quyết định).",
        "Giá trị VNĐ của mỗi khoản và mỗi lần giải ngân = số tiền × tỷ giá, làm tròn đến đồng "
        "(làm tròn nửa lên) trước khi cộng.",
        "Giá trị USD = giá trị VNĐ / tỷ giá USD; khoản bằng USD không có tỷ giá USD riêng dùng "
        "tỷ giá của chính nó. Khoản (hoặc lần giải ngân) không có tỷ giá nào không được tính "
        "vào giá trị USD mà được đếm ở cột “Số không có tỷ giá USD”. Tổng USD được làm tròn "
        "2 chữ số thập phân sau khi cộng.",
        "Giải ngân trong năm: các lần giải ngân có ngày giải ngân trong năm.",
        "Đang thực hiện trong năm: khoản ở trạng thái Đã phê duyệt, Đang thực hiện hoặc Hoàn "
        "thành có thời gian [ngày bắt đầu, ngày kết thúc] giao với năm (không có ngày bắt đầu: "
        "lấy ngày phê duyệt; không có ngày kết thúc: chưa kết thúc).",
        "Theo lĩnh vực: mỗi khoản phê duyệt trong năm được tính một lần ở mỗi lĩnh vực của nó, "
        "với phần giá trị theo tỷ lệ của lĩnh vực; không có tỷ lệ thì chia đều đúng 1/n. Mỗi "
        "dòng được làm tròn nửa lên sau khi cộng.",
        "Theo quốc gia và theo nhà tài trợ: theo nhà tài trợ chính (quốc gia của nhà tài trợ "
        "chính); giá trị giải ngân tính theo nhà tài trợ chính của khoản được giải ngân. Quốc "
        "gia hoặc nhà tài trợ có một trong hai số liệu đều có dòng.",
        "Theo hình thức: các khoản phê duyệt trong năm theo hình thức viện trợ.",
        "Đoàn được tính: đoàn có ngày bắt đầu (từ ngày) trong năm và trạng thái Đã duyệt hoặc "
        "Hoàn thành; theo quốc gia chính của đoàn và tháng của ngày bắt đầu.",
        "Số khách (đoàn vào): số cặp (số hộ chiếu, quốc tịch) khác nhau; thành viên "
        "không có số hộ chiếu không được tính. Số lượt thành viên đếm mọi thành viên.",
        "Sắp xếp: theo giá trị (viện trợ) hoặc tổng số đoàn giảm dần, rồi theo mã; theo tháng "
        "từ tháng 1 đến tháng 12.",
        *people,
    ]


def _generated_at(report: dict) -> datetime:
    return datetime.fromisoformat(report["generated_at"])


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _append(sheet, values: list, number_formats: list | None = None) -> None:
    """A row written through the one safe writer (text as text, numbers as numbers)."""
    from openpyxl.cell import WriteOnlyCell

    formats = number_formats or [None] * len(values)
    sheet.append(
        [
            write_cell(WriteOnlyCell(sheet), value, number_format)
            for value, number_format in zip(values, formats, strict=True)
        ]
    )


def workbook_bytes(report: dict, generated_by: str, notes: list[str] = ()) -> bytes:
    """The workbook: a first sheet (year, time, author, rules, notes on the figures), then
    one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    info = workbook.active
    info.title = "Thông tin"
    bold = Font(bold=True)
    _append(info, [f"BÁO CÁO THỐNG KÊ NĂM {report['year']}"])
    info["A1"].font = Font(bold=True, size=14)
    _append(info, [])
    _append(info, ["Năm thống kê", report["year"]])
    _append(info, ["Thời điểm lập (giờ Việt Nam)", format_datetime(_generated_at(report))])
    _append(info, ["Người lập", generated_by])
    _append(info, [])
    _append(info, ["Quy tắc thống kê"])
    info.cell(row=info.max_row, column=1).font = bold
    for number, rule in enumerate(counting_rules(report["year"], report), start=1):
        _append(info, [f"{number}.", rule])
        info.cell(row=info.max_row, column=2).alignment = Alignment(wrap_text=True)
    if notes:
        _append(info, [])
        _append(info, ["Ghi chú về số liệu"])
        info.cell(row=info.max_row, column=1).font = bold
        for note in notes:
            _append(info, ["", note])
            info.cell(row=info.max_row, column=2).alignment = Alignment(wrap_text=True)
    for row in range(3, 6):
        info.cell(row=row, column=1).font = bold
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 100

    by_sheet: dict[str, list[Table]] = {}
    for table in tables(report):
        by_sheet.setdefault(table.sheet[:31], []).append(table)
    for name, sheet_tables in by_sheet.items():
        sheet = workbook.create_sheet(name)
        if len(sheet_tables) == 1:
            _write_table(sheet, sheet_tables[0], bold)
            sheet.freeze_panes = "A2"
        else:  # a domain's tables one under the other, each under its title
            for index, table in enumerate(sheet_tables):
                if index:
                    _append(sheet, [])
                _append(sheet, [table.title])
                sheet.cell(row=sheet.max_row, column=1).font = bold
                _write_table(sheet, table, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_table(sheet, table: Table, bold: Font) -> None:
    """Headers (bold) and rows of one table, from the sheet's next row."""
    from openpyxl.utils import get_column_letter

    _append(sheet, table.headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    formats = [NUMBER_FORMATS.get(column.kind) for column in table.columns]
    for values in table.rows:
        _append(sheet, values, formats)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        width = max(12, min(50, len(column.header) + 4))
        sheet.column_dimensions[letter].width = max(
            width, sheet.column_dimensions[letter].width or 0
        )


def table_csv(table: Table) -> bytes:
    """One table as CSV (UTF-8 with BOM, Vietnamese headers, plain numbers)."""
    return csv_bytes(table.headers, table.rows)


def csv_files(report: dict) -> dict[str, bytes]:
    """{file name: CSV bytes} for every table of the report."""
    year = report["year"]
    return {f"thong-ke-{year}-{table.key}.csv": table_csv(table) for table in tables(report)}


def csv_zip(report: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in csv_files(report).items():
            archive.writestr(name, content)
    return buffer.getvalue()
