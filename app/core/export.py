"""Lists exported exactly as filtered: XLSX (real dates and numbers) or CSV (UTF-8 BOM)."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.dates import format_date, today_vn

DATE_NUMBER_FORMAT = "dd/mm/yyyy"
MONEY_NUMBER_FORMAT = "#,##0"
DECIMAL_NUMBER_FORMAT = "#,##0.00"


def _csv_value(value):
    if isinstance(value, (date, datetime)):
        return format_date(value if isinstance(value, date) else value.date())
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal):  # Vietnamese decimal mark, as the import reads it back
        return format(value.normalize(), "f").replace(".", ",")
    return "" if value is None else value


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(45, len(header) + 4))
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
            if isinstance(value, (date, datetime)):
                cell.number_format = DATE_NUMBER_FORMAT
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = MONEY_NUMBER_FORMAT
            elif isinstance(value, Decimal):
                cell.number_format = DECIMAL_NUMBER_FORMAT
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def send_bytes(body: bytes, basename: str, fmt: str, mimetype: str) -> Response:
    """A download named <basename>-<dd-mm-yyyy>.<fmt>."""
    filename = f"{basename}-{today_vn():%d-%m-%Y}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def send_table(basename: str, sheet_title: str, headers, rows, fmt: str) -> Response:
    """A download of the table as .xlsx or .csv, named <basename>-<dd-mm-yyyy>.<fmt>."""
    if fmt == "xlsx":
        body = xlsx_bytes(sheet_title, headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_bytes(headers, rows)
        mimetype = "text/csv; charset=utf-8"
    return send_bytes(body, basename, fmt, mimetype)
