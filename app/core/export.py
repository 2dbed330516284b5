"""Tables written out: XLSX (real dates and numbers) or CSV (UTF-8 BOM), text always as text.

Every spreadsheet the registry writes goes through `write_cell` (XLSX) or `csv_value` (CSV):
a text beginning with = + - @, a tab or a carriage return must never become a formula in
Excel or LibreOffice (OWASP "CSV injection"). In XLSX such a text is a string cell with
Excel's quote prefix (the cell style's quotePrefix: editing the cell keeps it text); in CSV
it gets a leading apostrophe. Numbers stay numbers (a negative amount is a number), empty
values stay empty.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.dates import format_date, today_vn

DATE_NUMBER_FORMAT = "dd/mm/yyyy"
MONEY_NUMBER_FORMAT = "#,##0"
DECIMAL_NUMBER_FORMAT = "#,##0.00"
# A text starting with one of these may be read as a formula by a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def write_cell(cell, value, number_format: str | None = None):
    """Put `value` into an openpyxl cell (of a normal or write-only sheet) and return it.

    Text is always a string cell (never a formula, nor an error code such as "#N/A"), with
    the quote prefix when it begins like a formula; control characters that XLSX cannot hold
    are dropped. Decimal becomes a number; dates, numbers and booleans keep their type; None
    and "" give an empty cell. `number_format` applies to whatever value is written.
    """
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value) or None
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


def csv_value(value):
    """A value as a CSV field: dates dd/mm/yyyy, booleans có/không, decimals with a comma,
    None empty, and a text that begins like a formula behind an apostrophe."""
    if isinstance(value, (date, datetime)):
        return format_date(value if isinstance(value, date) else value.date())
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal):  # Vietnamese decimal mark, as the import reads it back
        return format(value.normalize(), "f").replace(".", ",")
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    return value


def default_number_format(value) -> str | None:
    """The list exports' format for a value: dates, whole amounts, decimals."""
    if isinstance(value, (date, datetime)):
        return DATE_NUMBER_FORMAT
    if isinstance(value, int) and not isinstance(value, bool):
        return MONEY_NUMBER_FORMAT
    if isinstance(value, Decimal):
        return DECIMAL_NUMBER_FORMAT
    return None


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(45, len(header) + 4))
    header_cells = []
    for header in headers:
        cell = write_cell(WriteOnlyCell(sheet), header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([write_cell(WriteOnlyCell(sheet), v, default_number_format(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
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
