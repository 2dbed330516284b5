"""The plan report as a workbook: the report by plan item (figures and consolidated text)
and every agency's contribution. Cells go through app.core.export.write_cell (text as
text, never a formula)."""

from __future__ import annotations

import io

from app.core.dates import format_date, format_datetime
from app.core.export import MONEY_NUMBER_FORMAT, write_cell
from app.core.lazy import lazy_function
from app.planreport import plan_items

group_title = lazy_function("app.stats.plan_figures", "group_title")  # pandas: when used

TITLE = "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân"


def _row(sheet, values, number_formats=None, wrap=False) -> int:
    """Write the next row (an empty list leaves a blank row); its number."""
    row = getattr(sheet, "_next_row", 1)
    sheet._next_row = row + 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        write_cell(cell, value, (number_formats or {}).get(column))
        if wrap:
            from openpyxl.styles import Alignment

            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return row


def workbook_bytes(report, figures: dict, contributions, generated_by: str, generated_at) -> bytes:
    from openpyxl import Workbook  # when a workbook is asked for, not at start-up
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    bold = Font(bold=True)
    _row(sheet, [TITLE.upper()])
    sheet["A1"].font = Font(bold=True, size=14)
    _row(sheet, ["Kỳ báo cáo", report.period_label])
    _row(sheet, ["Trạng thái", report.status_label])
    _row(sheet, ["Hạn gửi đóng góp", format_date(report.deadline)])
    _row(sheet, ["Người xuất", generated_by])
    _row(sheet, ["Thời điểm xuất (giờ Việt Nam)", format_datetime(generated_at)])
    _row(sheet, [])
    header = _row(sheet, ["Mục", "Nội dung", "Chỉ tiêu", "Số liệu", "Nội dung tổng hợp"])
    for cell in sheet[header]:
        cell.font = bold
    for item in plan_items.PLAN_ITEMS:
        lines = [
            (f"{group_title(key)}: {figure.label}", figure.value, figure.kind)
            for key in item.figures
            for figure in figures.get(key, [])
        ]
        first = lines[0] if lines else ("", None, None)
        _row(
            sheet,
            [item.number, item.title, first[0], first[1], report.consolidated_text(item.number)],
            {4: MONEY_NUMBER_FORMAT},
            wrap=True,
        )
        for label, value, _kind in lines[1:]:
            _row(sheet, [None, None, label, value, None], {4: MONEY_NUMBER_FORMAT}, wrap=True)
    for letter, width in zip("ABCDE", (6, 45, 45, 20, 80), strict=True):
        sheet.column_dimensions[letter].width = width

    texts = workbook.create_sheet("Đóng góp của cơ quan")
    header = _row(texts, ["Mục", "Cơ quan", "Nội dung", "Thời điểm gửi", "Gửi sau hạn"])
    for cell in texts[header]:
        cell.font = bold
    for row in contributions:
        _row(
            texts,
            [
                row.item_no,
                row.agency.name,
                row.text,
                format_datetime(row.submitted_at),
                "có" if row.is_late else "không",
            ],
            wrap=True,
        )
    for letter, width in zip("ABCDE", (6, 40, 90, 20, 12), strict=True):
        texts.column_dimensions[letter].width = width
    texts.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
