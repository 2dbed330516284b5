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
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response

from app.core.dates import format_date, today_vn

DATE_NUMBER_FORMAT = "dd/mm/yyyy"
MONEY_NUMBER_FORMAT = "#,##0"
DECIMAL_NUMBER_FORMAT = "#,##0.00"
# A text starting with one of these may be read as a formula by a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl's own rule).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
SPOOL_BYTES = 8 * 2**20  # a file written in memory up to this size, then on disk
CSV_CHUNK_ROWS = 500


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
    kind = type(value)  # the common kinds first: this runs for every field of an export
    if value is None:
        return ""
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if kind is int:
        return value
    if isinstance(value, (date, datetime)):
        return format_date(value if isinstance(value, date) else value.date())
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal):  # Vietnamese decimal mark, as the import reads it back
        return format(value.normalize(), "f").replace(".", ",")
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


def spooled_file():
    """A temporary file kept in memory while small (the exports' output)."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def xlsx_file(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], progress=None):
    """The table as an XLSX file (app.core.xlsx: streamed, one style per kind of value),
    in a spooled temporary file positioned at its start."""
    from app.core.xlsx import write_table

    target = spooled_file()
    write_table(target, sheet_title, headers, rows, progress=progress)
    target.seek(0)
    return target


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    with xlsx_file(sheet_title, headers, rows) as file:
        return file.read()


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The table as CSV (UTF-8 with a BOM), a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_value(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_value(v) for v in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_chunks(headers, rows))


def download_name(basename: str, fmt: str) -> str:
    return f"{basename}-{today_vn():%d-%m-%Y}.{fmt}"


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def send_bytes(body: bytes, basename: str, fmt: str, mimetype: str) -> Response:
    """A download named <basename>-<dd-mm-yyyy>.<fmt>."""
    return Response(body, mimetype=mimetype, headers=_attachment(download_name(basename, fmt)))


def send_file_object(file, filename: str, mimetype: str) -> Response:
    """A file object sent in blocks (closed once sent), named `filename`."""

    def blocks():
        with file:
            while block := file.read(256 * 1024):
                yield block

    return Response(blocks(), mimetype=mimetype, headers=_attachment(filename))


def send_table(basename: str, sheet_title: str, headers, rows, fmt: str) -> Response:
    """A download of the table as .xlsx or .csv, named <basename>-<dd-mm-yyyy>.<fmt>.

    The rows may be a generator over a query: the file is written into a spooled
    temporary file (memory, then disk) while the view runs, then sent in blocks. (Not
    streamed as the rows are read: views commit after this returns — an audited export —
    and the rows' objects must be read before.)"""
    if fmt == "xlsx":
        file = xlsx_file(sheet_title, headers, rows)
        return send_file_object(file, download_name(basename, fmt), XLSX_MIMETYPE)
    file = spooled_file()
    for chunk in csv_chunks(headers, rows):
        file.write(chunk)
    file.seek(0)
    return send_file_object(file, download_name(basename, fmt), CSV_MIMETYPE)
