"""Opening an uploaded registry file (.xlsx, or .csv for one sheet) with bounded cost.

Before anything is parsed, `check_upload` refuses what cannot be read cheaply: an empty or
oversized file, an Excel 97-2003 or password-protected file, an unknown type, and a zip
whose parts would inflate beyond IMPORT_MAX_INFLATED_MB each (a zip bomb is refused from
its directory, without inflating it). Workbooks are then read with calamine where it reads
as openpyxl would (app.transfer.fastread), else streaming with openpyxl read-only, after
app.transfer.bounds has checked, streaming too, that no part makes either hold too much
(shared strings, styles and other parts parsed whole, rows wider than Excel's, cells
longer than Excel's); CSV line by line; and SheetReader stops a sheet
past IMPORT_MAX_ROWS rows.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import openpyxl
from flask import current_app, has_app_context

from app.transfer import bounds, fastread
from app.transfer.issues import Issue, ReadResult
from app.transfer.schema import SHEETS, Sheet
from app.transfer.sheets import (
    DEFAULT_MAX_ROWS,
    HEADER_SEARCH_ROWS,
    Progress,
    Reader,
    SingleSheetReader,
    Source,
    header_matches,
)

MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_INFLATED_MB = 200
# A zip whose parts inflate beyond this many times the upload limit in all is refused too;
# real workbooks inflate 5-15 times.
MAX_INFLATION = 50

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_OLE_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LimitIssue(Issue):
    """A file refused for its size (HTTP 413 on the web), not for its content."""


def limits() -> tuple[int, int]:
    """(bytes one zip part may inflate to, data rows per sheet): the app's settings
    IMPORT_MAX_INFLATED_MB and IMPORT_MAX_ROWS, or their defaults outside an app."""
    config = current_app.config if has_app_context() else {}
    inflated_mb = config.get("IMPORT_MAX_INFLATED_MB") or DEFAULT_MAX_INFLATED_MB
    return int(inflated_mb) * 1024 * 1024, int(config.get("IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)


def file_name(filename: str | None) -> str:
    """The file's own name (a browser may send C:\\...\\name.xlsx)."""
    return PurePath((filename or "").replace("\\", "/")).name


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def check_upload(
    data: bytes, filename: str, max_bytes: int = MAX_BYTES, max_inflated: int | None = None
) -> Issue | None:
    """The reason the file cannot be read at all, found without parsing it; else None."""
    name = file_name(filename)
    suffix = PurePath(name).suffix.lower()
    if not data:
        return Issue(None, None, None, f"Tệp '{name}' rỗng.")
    if len(data) > max_bytes:
        return LimitIssue(
            None,
            None,
            None,
            f"Tệp '{name}' quá lớn ({megabytes(len(data))}); giới hạn là {megabytes(max_bytes)}.",
        )
    if data.startswith(_OLE_SIGNATURE):
        if _OLE_ENCRYPTION_INFO in data:
            message = (
                f"Tệp '{name}' được bảo vệ bằng mật khẩu: hãy mở bằng Excel, gỡ mật khẩu "
                "và lưu lại dạng .xlsx."
            )
        else:
            message = (
                f"Tệp '{name}' được bảo vệ bằng mật khẩu hoặc là định dạng Excel 97-2003 "
                "(.xls): hãy mở bằng Excel, gỡ mật khẩu nếu có và lưu lại dạng .xlsx."
            )
        return Issue(None, None, None, message)
    if suffix == ".xlsx":
        return _check_zip(data, name, max_bytes, max_inflated or limits()[0])
    if suffix != ".csv":
        message = f"Tệp '{name}' không phải tệp Excel (.xlsx) hoặc CSV (.csv)."
        return Issue(None, None, None, message)
    return None


def _check_zip(data: bytes, name: str, max_bytes: int, max_inflated: int) -> Issue | None:
    """Each part's inflated size as the zip's directory declares it (zipfile never inflates
    a part beyond its declared size, so the declaration bounds the work)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        message = f"Tệp '{name}' không phải tệp Excel .xlsx hợp lệ (tệp hỏng hoặc sai đuôi)."
        return Issue(None, None, None, message)
    for part in parts:
        if part.file_size > max_inflated:
            return LimitIssue(
                None,
                None,
                None,
                f"Tệp '{name}' có phần '{part.filename}' giải nén ra {megabytes(part.file_size)}, "
                f"vượt giới hạn {megabytes(max_inflated)} cho mỗi phần (IMPORT_MAX_INFLATED_MB): "
                "tệp không được đọc. Hãy chia dữ liệu thành nhiều tệp nhỏ hơn.",
            )
    if sum(part.file_size for part in parts) > max_bytes * MAX_INFLATION:
        return LimitIssue(None, None, None, f"Tệp '{name}' giải nén quá lớn, không đọc được.")
    return None


def read_workbook(
    data: bytes,
    filename: str,
    max_bytes: int = MAX_BYTES,
    only: Sheet | None = None,
    *,
    max_inflated: int | None = None,
    max_rows: int | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """Parse a registry workbook (.xlsx, or .csv for one sheet named by the file name) and
    check every rule one sheet can check. A file that cannot be read gives one error and no
    rows. Call validate_cross_sheet afterwards for references between sheets.

    With `only`, the file's first sheet is read as that sheet whatever its name (a list
    uploaded for one record, such as a delegation's members). The limits default to the
    app's settings (see limits()); `progress(sheet, rows)` hears about long sheets."""
    default_inflated, default_rows = limits()
    options = {"max_rows": max_rows or default_rows, "progress": progress}
    result = ReadResult()
    if only is None:
        reader = Reader(result, **options)
    else:
        reader = SingleSheetReader(result, only, **options)
    name = file_name(filename)
    refused = check_upload(data, name, max_bytes, max_inflated or default_inflated)
    if refused is not None:
        result.errors.append(refused)
        return result
    if PurePath(name).suffix.lower() == ".csv":
        _read_csv(data, name, reader)
    else:
        _read_xlsx(data, name, reader)
    if not result.errors and not reader.seen:
        names = ", ".join(SHEETS)
        result.error(None, None, None, f"Tệp '{name}' không có trang nào của sổ đăng ký ({names}).")
    return result


# --- .xlsx --------------------------------------------------------------------------------


def _read_xlsx(data: bytes, name: str, reader: Reader) -> None:
    result = reader.result
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scans = _guard(bounds.check_package, archive, name, reader.max_rows)
        if not (fastread.suits(scans) and _read_fast(data, scans, reader)):
            _read_openpyxl(data, scans, reader)
    except bounds.PartTooLarge as exc:
        result.sheets.clear()
        result.columns.clear()
        result.errors.append(LimitIssue(None, None, None, str(exc)))
    except _DamagedFile as exc:
        log.info("unreadable workbook %s: %r", name, exc.__cause__)
        result.sheets.clear()
        result.columns.clear()
        result.error(None, None, None, f"Tệp Excel '{name}' bị hỏng, không đọc được.")


def _read_fast(data: bytes, scans: dict[str, bounds.SheetScan], reader: Reader) -> bool:
    """The workbook read with calamine (app.transfer.fastread); False, with nothing read,
    when calamine fails on it (openpyxl then reads it, or names it damaged)."""
    book = None
    try:
        book = fastread.Book(data, [scan.title for scan in scans.values()])
        for scan in scans.values():
            sheet = reader.sheet_for(scan.title)
            if sheet is not None:
                rows = book.sheet(scan.title)
                reader.read(sheet, Source(name=scan.title, rows=rows, merged=scan.merged))
    except Exception as exc:  # calamine's errors (a damaged or unusual file)
        log.info("calamine did not read the workbook: %r", exc)
        result = reader.result  # empty before: check_upload found nothing
        for issues in (result.sheets, result.columns, result.errors, result.warnings):
            issues.clear()
        reader.seen.clear()
        return False
    finally:
        if book is not None:
            book.close()
    return True


def _read_openpyxl(data: bytes, scans: dict[str, bounds.SheetScan], reader: Reader) -> None:
    books: list[Any] = []
    try:
        workbook = _guard(
            openpyxl.load_workbook,
            io.BytesIO(data),
            read_only=True,
            data_only=True,
            keep_links=False,  # external links' cached values: never used, possibly large
        )
        books.append(workbook)
        formula_book = None
        for worksheet in workbook.worksheets:
            sheet = reader.sheet_for(worksheet.title)
            if sheet is None:
                continue
            scan = scans.get(getattr(worksheet, "_worksheet_path", None))
            uncached, merged = (scan.uncached, scan.merged) if scan is not None else (True, [])
            formulas = None
            if uncached:
                # Read a second time without cached values, to name the formula cells whose
                # value was never computed (files written by programs, not by Excel).
                if formula_book is None:
                    formula_book = _guard(
                        openpyxl.load_workbook,
                        io.BytesIO(data),
                        read_only=True,
                        data_only=False,
                        keep_links=False,
                    )
                    books.append(formula_book)
                formulas = _values(formula_book[worksheet.title])
            source = Source(
                name=worksheet.title,
                rows=enumerate(_values(worksheet), start=1),
                formulas=formulas,
                merged=merged,
            )
            reader.read(sheet, source)
    finally:
        for book in books:
            book.close()


class _DamagedFile(Exception):
    """openpyxl, zipfile or the XML parser failed on the file."""


def _guard(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except bounds.PartTooLarge:
        raise
    except Exception as exc:  # a damaged file fails in many ways (zip, XML, openpyxl, ...)
        raise _DamagedFile from exc


def _values(worksheet) -> Iterator[Sequence[Any]]:
    """The sheet's rows as value tuples, from row 1; a failure is a _DamagedFile."""
    # Some writers store a wrong <dimension>; without it rows are read as they are.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)
    try:
        yield from rows
    except Exception as exc:  # see _guard
        raise _DamagedFile from exc


# --- .csv ---------------------------------------------------------------------------------


def _read_csv(data: bytes, name: str, reader: Reader) -> None:
    result = reader.result
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        result.error(None, None, None, f"Tệp '{name}' không phải tệp CSV dạng văn bản.")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.error(
            None,
            None,
            None,
            f"Tệp '{name}' không phải văn bản UTF-8: trong Excel hãy lưu dạng "
            "«CSV UTF-8 (Comma delimited)».",
        )
        return
    if not text.strip():
        result.error(None, None, None, f"Tệp '{name}' rỗng.")
        return
    sheet = reader.sheet_for(PurePath(name).stem)
    if sheet is None:
        return
    records = _CsvRecords(text, _sniff_delimiter(sheet, text))
    errors_before = len(result.errors)
    reader.read(sheet, Source(name=name, rows=records))
    if records.failure is not None:  # the rows read before the broken line are dropped too
        del result.errors[errors_before:]
        result.sheets[sheet.key] = []
        result.error(sheet.key, None, None, f"Tệp CSV sai cấu trúc: {records.failure}.")


class _CsvRecords:
    """(line where the record starts, fields), read lazily; a quoted field may span lines.
    A malformed record ends the reading and is kept in `failure`."""

    def __init__(self, text: str, delimiter: str):
        self.records = _csv_records(text, delimiter)
        self.failure: csv.Error | None = None

    def __iter__(self):
        try:
            yield from self.records
        except csv.Error as exc:
            self.failure = exc


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for record in rows:
        yield line, record
        line = rows.line_num + 1


def _sniff_delimiter(sheet: Sheet, text: str) -> str:
    """`,` or `;`: the one that makes a header row of the sheet recognisable, else the one
    splitting the first lines into more fields."""
    head = "\n".join(text[:1_000_000].splitlines()[: HEADER_SEARCH_ROWS * 2])
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";"):
        try:
            records = [r for _, r in _csv_records(head, delimiter)][:HEADER_SEARCH_ROWS]
        except csv.Error:
            continue
        matches = max((header_matches(sheet, r) for r in records), default=0)
        fields = max((len(r) for r in records), default=0)
        if (matches, fields) > best_score:
            best, best_score = delimiter, (matches, fields)
    return best
