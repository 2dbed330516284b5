"""Read a registry workbook (.xlsx or one-sheet .csv) and validate its rows.

Pure Python + openpyxl, no database: `read_workbook` parses every sheet of
spec/interchange.md and checks the rules a single sheet can check; `validate_cross_sheet`
adds the checks between sheets and against the codes the caller already holds (filled from
the database). Every problem is collected, none stops the reading, and every message is
Vietnamese and names the sheet, the Excel row and the column label.
"""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from app.core.countries import VIETNAM, parse_country
from app.core.dates import DateParseError, format_date, parse_date, today_vn
from app.core.money import MONEY_LIMIT, MoneyParseError, is_currency_code, parse_decimal
from app.core.text import fold
from app.transfer import schema
from app.transfer.schema import SHEETS, Column, Sheet, header_key

MAX_BYTES = 20 * 1024 * 1024
# A zip whose parts inflate beyond this many times the upload limit is refused (zip bomb);
# real workbooks inflate 5-15 times.
MAX_INFLATION = 50
HEADER_SEARCH_ROWS = 10
_MEMO_LIMIT = 4096  # distinct spellings of coded values remembered per column
SHARE_TOLERANCE = Decimal("0.01")
HUNDRED = Decimal(100)

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_OLE_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_END_RE = re.compile(rb"</(?:\w+:)?c>")
_CACHED_RE = re.compile(rb"<(?:\w+:)?v>[^<]")
_LIST_SPLIT_RE = re.compile(r"[;\n]")
log = logging.getLogger(__name__)

_TRUE = frozenset({"co", "x", "1", "true"})
_FALSE = frozenset({"khong", "0", "false"})


# --- Results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: sheet (spec name, or the file's name for an unknown sheet), Excel row
    (CSV line), column label, all None when they do not apply; message in Vietnamese."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(self.sheet)
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột «{self.column}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(slots=True)
class Row:
    """One data row. `values` holds a parsed value for every column present in the sheet
    (None for an empty cell, so that an update clears the field; False for an empty
    boolean unless the column is tristate); `invalid` the keys whose cell was wrong (their
    value is None and no further rule looks at them)."""

    sheet: str
    excel_row: int
    values: dict[str, Any]
    present: frozenset[str]
    invalid: set[str] = field(default_factory=set)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass
class ReadResult:
    sheets: dict[str, list[Row]] = field(default_factory=dict)  # sheet key -> rows
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # sheet key -> keys of the columns its header names (also for a sheet without rows)
    columns: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, sheet_key: str) -> set[str]:
        """The `ma` values of a keyed sheet in the file."""
        key_column = SHEETS[sheet_key].key_column
        return {code for row in self.sheets.get(sheet_key, ()) if (code := row.get(key_column))}

    def error(self, sheet, row, column, message) -> None:
        self.errors.append(Issue(sheet, row, column, message))

    def warn(self, sheet, row, column, message) -> None:
        self.warnings.append(Issue(sheet, row, column, message))


class CellError(ValueError):
    """A cell that cannot be read; the message is Vietnamese."""


# --- Cell parsers -------------------------------------------------------------------------


def _as_text(raw: Any) -> str | None:
    """A cell as stripped text; numbers keep their typed form (123, not 123.0)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, bool):
        return "có" if raw else "không"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime):
        return format_date(raw.date()) if raw.time() == time() else raw.isoformat(" ")
    if isinstance(raw, date):
        return format_date(raw)
    return str(raw).strip() or None


def _code_key(text: str) -> str:
    """Coded values compare ignoring case, diacritics, spaces and punctuation."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _split(text: str) -> list[str]:
    return [item for part in _LIST_SPLIT_RE.split(text) if (item := part.strip())]


def _no_repeats(items: list[str], shown: Sequence[str] | None = None) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item in seen:
            label = (shown or items)[index]
            raise CellError(f"'{label}' được ghi hai lần.")
        seen.add(item)


def _check_length(column: Column, text: str) -> str:
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"Dài quá {column.max_length} ký tự.")
    return text


def _text_parser(column: Column) -> Callable[[Any], Any]:
    normalize = column.normalize

    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        if normalize is not None:
            text = normalize(text) or None
            if text is None:
                return None
        return _check_length(column, text)

    return parse


def _date_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        if isinstance(raw, str):
            raw = raw.strip()
        try:
            return parse_date(raw)
        except DateParseError:
            raise CellError(
                f"Ngày không hợp lệ: '{_as_text(raw)}' (dùng dd/mm/yyyy hoặc yyyy-mm-dd)."
            ) from None

    return parse


def _decimal_parser(column: Column) -> Callable[[Any], Any]:
    bound, exclusive = column.min_value, column.min_exclusive

    def parse(raw):
        if isinstance(raw, str) and not raw.strip():
            return None
        try:
            value = parse_decimal(raw)
        except MoneyParseError:
            raise CellError(
                f"Số không hợp lệ: '{_as_text(raw)}' (dấu chấm phân cách hàng nghìn, "
                "dấu phẩy cho phần thập phân, ví dụ 1.234.567,5)."
            ) from None
        if value is not None and abs(value) >= (column.max_value or MONEY_LIMIT):
            raise CellError(f"{column.label}: số quá lớn.")
        if value is None or bound is None:
            return value
        if exclusive and value <= bound:
            raise CellError(f"{column.label} phải lớn hơn {bound}.")
        if value < bound:
            raise CellError(
                f"{column.label} không được âm." if bound == 0 else f"Nhỏ nhất là {bound}."
            )
        return value

    return parse


def _bool_parser(column: Column) -> Callable[[Any], Any]:
    empty = None if column.tristate else False

    def parse(raw):
        if raw is None:
            return empty
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        key = fold(_as_text(raw))
        if not key:
            return empty
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise CellError(
            f"Giá trị '{_as_text(raw)}' không hợp lệ: ghi có/x/1/true hoặc không/0/false "
            "(hoặc để trống)."
        )

    return parse


def code_lookup(column: Column) -> dict[str, str]:
    """{compared form of a key, label or alias: key} for a CODE/CODES/SECTORS column."""
    lookup: dict[str, str] = {}
    for key, label in (column.choices or {}).items():
        lookup[_code_key(key)] = key
        lookup.setdefault(_code_key(label), key)
    for alias, key in (column.aliases or {}).items():
        lookup.setdefault(_code_key(alias), key)
    return lookup


def _code_finder(column: Column) -> Callable[[str], str]:
    lookup = code_lookup(column)
    allowed = ", ".join(column.choices or {})

    def find(text: str) -> str:
        key = lookup.get(text)  # the spellings met so far are remembered as they are
        if key is None:
            key = lookup.get(_code_key(text))
            if key is None:
                raise CellError(f"Giá trị '{text}' không có trong danh mục (dùng: {allowed}).")
            if len(lookup) < _MEMO_LIMIT:
                lookup[text] = key
        return key

    return find


def _code_parser(column: Column) -> Callable[[Any], Any]:
    find = _code_finder(column)

    def parse(raw):
        text = _as_text(raw)
        return None if text is None else find(text)

    return parse


def _codes_parser(column: Column) -> Callable[[Any], Any]:
    find = _code_finder(column)

    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        items = _split(text)
        keys = [find(item) for item in items]
        _no_repeats(keys, items)
        return keys or None

    return parse


@lru_cache(maxsize=_MEMO_LIMIT)
def _find_country(text: str) -> str:
    code = parse_country(text)
    if code is None:
        raise CellError(
            f"Không nhận ra quốc gia '{text}' (dùng mã ISO 2 chữ cái như VN, US "
            "hoặc tên nước bằng tiếng Việt hay tiếng Anh)."
        )
    return code


def _country_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = _as_text(raw)
        return None if text is None else _find_country(text)

    return parse


def _countries_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        items = _split(text)
        codes = [_find_country(item) for item in items]
        _no_repeats(codes, items)
        return codes or None

    return parse


def _currency_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        if not isinstance(raw, str) or not is_currency_code(text):
            raise CellError(f"Mã tiền tệ '{text}' không hợp lệ (mã ISO 4217: VND, USD, EUR...).")
        return text.upper()

    return parse


def _ref_item(column: Column, text: str) -> str:
    if column.ref == schema.COMMUNES:
        if not text.isdigit() or len(text) > 5:
            raise CellError(f"Mã xã '{text}' không hợp lệ (mã gồm 5 chữ số).")
        return text.zfill(5)  # Excel drops the leading zeros of a code typed as a number
    return _check_length(column, text)


def _ref_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = _as_text(raw)
        return None if text is None else _ref_item(column, text)

    return parse


def _refs_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        codes = [_ref_item(column, item) for item in _split(text)]
        _no_repeats(codes)
        return codes or None

    return parse


def _sectors_parser(column: Column) -> Callable[[Any], Any]:
    find = _code_finder(column)

    def parse(raw):
        text = _as_text(raw)
        if text is None:
            return None
        sectors: list[tuple[str, Decimal | None]] = []
        for item in _split(text):
            name, sep, share_text = item.rpartition(":") if ":" in item else (item, "", "")
            key = find(name.strip())
            share = None
            if sep:
                share = _parse_share(share_text.strip().removesuffix("%").strip(), item)
            sectors.append((key, share))
        if not sectors:
            return None
        _no_repeats([key for key, _ in sectors], [_sector_label(column, k) for k, _ in sectors])
        shares = [share for _, share in sectors if share is not None]
        if shares and len(shares) != len(sectors):
            raise CellError("Ghi tỷ lệ cho tất cả các lĩnh vực, hoặc không ghi cho lĩnh vực nào.")
        if shares and abs(sum(shares) - HUNDRED) > SHARE_TOLERANCE:
            total = format(sum(shares).normalize(), "f").replace(".", ",")
            raise CellError(f"Tổng tỷ lệ các lĩnh vực là {total}%, phải bằng 100%.")
        return sectors

    return parse


def _sector_label(column: Column, key: str) -> str:
    return (column.choices or {}).get(key, key)


def _parse_share(text: str, item: str) -> Decimal:
    try:
        share = parse_decimal(text)
    except MoneyParseError:
        share = None
    if share is None or share <= 0 or share > HUNDRED:
        raise CellError(f"Tỷ lệ trong '{item}' phải là số lớn hơn 0 và không quá 100.")
    if share.as_tuple().exponent < -2 and share != share.quantize(Decimal("0.01")):
        raise CellError(f"Tỷ lệ trong '{item}' có nhiều nhất 2 chữ số thập phân.")
    return share


_PARSERS: dict[str, Callable[[Column], Callable[[Any], Any]]] = {
    schema.TEXT: _text_parser,
    schema.DATE: _date_parser,
    schema.DECIMAL: _decimal_parser,
    schema.BOOL: _bool_parser,
    schema.CODE: _code_parser,
    schema.CODES: _codes_parser,
    schema.COUNTRY: _country_parser,
    schema.COUNTRIES: _countries_parser,
    schema.CURRENCY: _currency_parser,
    schema.REF: _ref_parser,
    schema.REFS: _refs_parser,
    schema.SECTORS: _sectors_parser,
}


def cell_parser(column: Column) -> Callable[[Any], Any]:
    """A function reading one cell of `column`; it raises CellError on a wrong value."""
    return _PARSERS[column.kind](column)


# --- Row rules ----------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def conditional_requirements(sheet: Sheet, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(column key, message) for each value a rule requires here and the row lacks.

    Covers "yes unless VND" (ty_gia) and "when approved or later" (so_quyet_dinh,
    ngay_phe_duyet); the passport rule needs the delegation, see validate_cross_sheet.
    """
    missing = []
    if "ty_gia" in sheet.by_key:
        currency = values.get("tien_te")
        if currency and currency != "VND" and values.get("ty_gia") is None:
            missing.append(("ty_gia", "Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND)."))
    if sheet.key == "VienTro":
        status = values.get("trang_thai")
        if status in schema.APPROVED_STATUSES:
            status_label = sheet.column("trang_thai").choices[status]
            for key in ("so_quyet_dinh", "ngay_phe_duyet"):
                if values.get(key) is None:
                    label = _lower_first(sheet.column(key).label)
                    missing.append(
                        (key, f"Thiếu {label} (bắt buộc khi trạng thái là «{status_label}»).")
                    )
    return missing


class _SheetRules:
    """The rules one sheet can check by itself, applied row by row."""

    def __init__(self, sheet: Sheet, result: ReadResult, present: frozenset[str]):
        self.sheet = sheet
        self.result = result
        self.present = present
        self.required = [c for c in sheet.columns if c.required and c.key in present]
        self.ranges = [
            (sheet.column(a), sheet.column(b))
            for a, b in sheet.date_ranges
            if a in present and b in present
        ]
        self.key_column = sheet.key_column if sheet.key_column in present else None
        self.seen_codes: dict[str, int] = {}
        self.seen_passports: dict[tuple[str, str], int] = {}
        self.has_rates = "ty_gia" in present and "tien_te" in present
        self.today = today_vn()

    def error(self, row: Row, key: str, message: str) -> None:
        label = self.sheet.column(key).label
        self.result.error(self.sheet.key, row.excel_row, label, message)

    def check(self, row: Row) -> None:
        values, invalid = row.values, row.invalid
        for column in self.required:
            if values.get(column.key) is None and column.key not in invalid:
                self.error(row, column.key, "Thiếu giá trị bắt buộc.")
        for start, end in self.ranges:
            first, last = values.get(start.key), values.get(end.key)
            if first is not None and last is not None and last < first:
                self.error(
                    row, end.key, f"{end.label} không được trước {_lower_first(start.label)}."
                )
        if self.key_column is not None:
            code = values.get(self.key_column)
            if code is not None:
                previous = self.seen_codes.setdefault(code, row.excel_row)
                if previous != row.excel_row:
                    self.error(row, self.key_column, f"Mã '{code}' trùng với mã ở dòng {previous}.")
        if self.has_rates:
            self._check_rates(row)
        # A conditionally required column left empty is an error here; when the column is
        # absent, a keyed sheet's existing records keep their stored value, so the check
        # waits for validate_cross_sheet (which knows which records exist).
        for key, message in conditional_requirements(self.sheet, values):
            if key in invalid:
                continue
            if key in self.present or self.sheet.key_column is None:
                self.error(row, key, message)
        if self.sheet.key == "ThanhVien":
            self._check_member(row)

    def _check_rates(self, row: Row) -> None:
        values = row.values
        currency, rate = values.get("tien_te"), values.get("ty_gia")
        if currency == "VND" and rate is not None and rate != 1:
            self.error(row, "ty_gia", "Tiền tệ VND thì tỷ giá để trống hoặc bằng 1.")
        rate_usd = values.get("ty_gia_usd")
        if currency == "USD" and rate is not None and rate_usd is not None and rate != rate_usd:
            self.error(row, "ty_gia_usd", "Với tiền tệ USD, tỷ giá USD phải bằng tỷ giá.")

    def _check_member(self, row: Row) -> None:
        values = row.values
        born = values.get("ngay_sinh")
        if born is not None and born >= self.today:
            self.error(row, "ngay_sinh", "Ngày sinh phải là một ngày trong quá khứ.")
        passport, delegation = values.get("so_ho_chieu"), values.get("ma_doan")
        if passport and delegation:
            previous = self.seen_passports.setdefault((delegation, passport), row.excel_row)
            if previous != row.excel_row:
                self.error(
                    row,
                    "so_ho_chieu",
                    f"Số hộ chiếu '{passport}' đã có ở dòng {previous} trong cùng đoàn "
                    f"'{delegation}'.",
                )


# --- Sheets -------------------------------------------------------------------------------


@dataclass
class _Source:
    """One sheet of the file: its name and rows as (Excel row or CSV line, cell values).

    `formulas`, when given, yields the same rows read without cached values (formulas as
    "=..."), so that a formula cell without a cached value can be named. `merged` lists
    merged ranges as (min_col, min_row, max_col, max_row).
    """

    name: str
    rows: Iterable[tuple[int, Sequence[Any]]]
    formulas: Iterable[Sequence[Any]] | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _header_lookup(sheet: Sheet) -> dict[str, Column]:
    lookup = {}
    for column in sheet.columns:
        lookup[header_key(column.key)] = column
        lookup[header_key(column.label)] = column
    return lookup


_HEADER_LOOKUPS = {key: _header_lookup(sheet) for key, sheet in SHEETS.items()}
_SHEET_LOOKUP = {header_key(n): s for s in SHEETS.values() for n in (s.key, s.name)}
_AUX_SHEETS = frozenset(header_key(name) for name in schema.AUX_SHEETS)


def match_sheet(name: str) -> Sheet | None:
    """The spec sheet a file's sheet (or CSV file stem) names, ignoring case, diacritics,
    spaces and underscores; None for an unknown name."""
    return _SHEET_LOOKUP.get(header_key(name))


def _header_matches(sheet: Sheet, cells: Sequence[Any]) -> int:
    lookup = _HEADER_LOOKUPS[sheet.key]
    return sum(1 for cell in cells if isinstance(cell, str) and header_key(cell) in lookup)


def _is_formula(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and "Formula" in type(value).__name__


class _SheetReader:
    def __init__(self, sheet: Sheet, result: ReadResult):
        self.sheet = sheet
        self.result = result

    def read(self, source: _Source) -> None:
        sheet, result = self.sheet, self.result
        rows = iter(source.rows)
        formulas = iter(source.formulas) if source.formulas is not None else None
        header = None
        blank = True
        for _ in range(HEADER_SEARCH_ROWS):
            item = next(rows, None)
            if item is None:
                break
            if formulas is not None:
                next(formulas, None)
            number, cells = item
            if any(_filled(c) for c in cells):
                blank = False
            if _header_matches(sheet, cells) >= 2:
                header = (number, cells)
                break
        if header is None:
            if blank and not any(any(_filled(c) for c in cells) for _, cells in rows):
                result.warn(sheet.key, None, None, "Trang trống, bỏ qua.")
                return
            first = ", ".join(f"«{c.label}»" for c in sheet.required_columns[:3])
            result.error(
                sheet.key,
                None,
                None,
                f"Không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu: dòng tiêu "
                f"đề phải ghi tên ít nhất hai cột của trang, ví dụ {first}.",
            )
            return
        header_row, header_cells = header
        mapping = self._map_header(header_row, header_cells)
        present = frozenset(column.key for _, column in mapping)
        result.columns[sheet.key] = present
        for column in sheet.required_columns:
            if column.key not in present:
                result.error(sheet.key, None, column.label, "Thiếu cột bắt buộc.")
        spanning = [m for m in source.merged if m[3] > header_row and m[:2] != m[2:]]
        if spanning:
            for min_col, min_row, max_col, max_row in spanning:
                cells = f"{get_column_letter(min_col)}{min_row}:"
                cells += f"{get_column_letter(max_col)}{max_row}"
                result.error(
                    sheet.key,
                    max(min_row, header_row + 1),
                    None,
                    f"Vùng ô gộp {cells} nằm trong phần dữ liệu: hãy bỏ gộp ô và ghi giá trị "
                    "vào từng ô.",
                )
            result.sheets[sheet.key] = []
            return
        result.sheets[sheet.key] = self._read_rows(rows, formulas, mapping, present)

    def _map_header(self, header_row: int, cells: Sequence[Any]) -> list[tuple[int, Column]]:
        sheet, result = self.sheet, self.result
        lookup = _HEADER_LOOKUPS[sheet.key]
        mapping: list[tuple[int, Column]] = []
        seen: dict[str, int] = {}
        for index, cell in enumerate(cells):
            text = _as_text(cell)
            if text is None:
                continue
            column = lookup.get(header_key(text))
            letter = get_column_letter(index + 1)
            if column is None:
                result.warn(sheet.key, header_row, text, f"Cột {letter} không thuộc trang, bỏ qua.")
                continue
            if column.key in seen:
                first = get_column_letter(seen[column.key] + 1)
                result.error(
                    sheet.key,
                    header_row,
                    column.label,
                    f"Cột ghi hai lần (cột {first} và cột {letter}); chỉ dùng cột {first}.",
                )
                continue
            seen[column.key] = index
            mapping.append((index, column))
        return mapping

    def _read_rows(
        self,
        rows: Iterator[tuple[int, Sequence[Any]]],
        formulas: Iterator[Sequence[Any]] | None,
        mapping: list[tuple[int, Column]],
        present: frozenset[str],
    ) -> list[Row]:
        sheet, result = self.sheet, self.result
        cells = [(index, column, cell_parser(column)) for index, column in mapping]
        rules = _SheetRules(sheet, result, present)
        parsed: list[Row] = []
        for number, raw_row in rows:
            formula_row = next(formulas, ()) if formulas is not None else ()
            width = len(raw_row)
            raws = [raw_row[i] if i < width else None for i, _, _ in cells]
            stale = self._stale_formulas(formula_row, cells, raws) if formula_row else ()
            if not stale and not any(_filled(raw) for raw in raws):
                continue
            row = Row(sheet.key, number, {}, present)
            values = row.values
            for (_, column, parse), raw in zip(cells, raws, strict=True):
                if column.key in stale:
                    row.invalid.add(column.key)
                    values[column.key] = None
                    result.error(
                        sheet.key,
                        number,
                        column.label,
                        "Ô chứa công thức chưa có giá trị tính sẵn: hãy mở tệp bằng Excel, "
                        "tính lại và lưu, hoặc thay công thức bằng giá trị.",
                    )
                    continue
                try:
                    values[column.key] = parse(raw)
                except CellError as exc:
                    row.invalid.add(column.key)
                    values[column.key] = None
                    result.error(sheet.key, number, column.label, str(exc))
            rules.check(row)
            parsed.append(row)
        return parsed

    @staticmethod
    def _stale_formulas(formula_row: Sequence[Any], cells, raws: list[Any]) -> set[str]:
        """Keys of cells holding a formula whose cached value is missing."""
        stale = set()
        width = len(formula_row)
        for (index, column, _), raw in zip(cells, raws, strict=True):
            if raw is None and index < width and _is_formula(formula_row[index]):
                stale.add(column.key)
        return stale


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class _Reader:
    def __init__(self, result: ReadResult):
        self.result = result
        self.seen: dict[str, str] = {}  # sheet key -> the file's name for it

    def sheet_for(self, name: str) -> Sheet | None:
        """The spec sheet for a file's sheet name, or None (warned) to skip it."""
        sheet = match_sheet(name)
        if sheet is None:
            if header_key(name) not in _AUX_SHEETS:
                self.result.warn(name, None, None, "Trang không thuộc sổ đăng ký, bỏ qua.")
            return None
        if sheet.key in self.seen:
            self.result.error(
                sheet.key,
                None,
                None,
                f"Trang '{name}' trùng với trang '{self.seen[sheet.key]}'; chỉ đọc trang đầu.",
            )
            return None
        self.seen[sheet.key] = name
        return sheet

    def read(self, sheet: Sheet, source: _Source) -> None:
        _SheetReader(sheet, self.result).read(source)


class _SingleSheetReader(_Reader):
    """Reads the file's first sheet as `sheet`, whatever its name (an uploaded list)."""

    def __init__(self, result: ReadResult, sheet: Sheet):
        super().__init__(result)
        self.sheet = sheet

    def sheet_for(self, name: str) -> Sheet | None:
        if self.seen:
            return None
        self.seen[self.sheet.key] = name
        return self.sheet


# --- Files --------------------------------------------------------------------------------


def read_workbook(
    data: bytes, filename: str, max_bytes: int = MAX_BYTES, only: Sheet | None = None
) -> ReadResult:
    """Parse a registry workbook (.xlsx, or .csv for one sheet named by the file name) and
    check every rule one sheet can check. A file that cannot be read gives one error and no
    rows. Call validate_cross_sheet afterwards for references between sheets.

    With `only`, the file's first sheet is read as that sheet whatever its name (a list
    uploaded for one record, such as a delegation's members)."""
    result = ReadResult()
    reader = _Reader(result) if only is None else _SingleSheetReader(result, only)
    name = PurePath((filename or "").replace("\\", "/")).name  # a browser may send C:\...
    suffix = PurePath(name).suffix.lower()
    if not data:
        result.error(None, None, None, f"Tệp '{name}' rỗng.")
        return result
    if len(data) > max_bytes:
        result.error(
            None,
            None,
            None,
            f"Tệp '{name}' quá lớn ({_megabytes(len(data))}); giới hạn là {_megabytes(max_bytes)}.",
        )
        return result
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
        result.error(None, None, None, message)
        return result
    if suffix == ".csv":
        _read_csv(data, name, reader)
    elif suffix == ".xlsx":
        _read_xlsx(data, name, reader, max_bytes)
    else:
        result.error(
            None,
            None,
            None,
            f"Tệp '{name}' không phải tệp Excel (.xlsx) hoặc CSV (.csv).",
        )
        return result
    if not result.errors and not reader.seen:
        names = ", ".join(SHEETS)
        result.error(None, None, None, f"Tệp '{name}' không có trang nào của sổ đăng ký ({names}).")
    return result


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _read_xlsx(data: bytes, name: str, reader: _Reader, max_bytes: int) -> None:
    result = reader.result
    not_excel = f"Tệp '{name}' không phải tệp Excel .xlsx hợp lệ (tệp hỏng hoặc sai đuôi)."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        result.error(None, None, None, not_excel)
        return
    if inflated > max_bytes * MAX_INFLATION:
        result.error(None, None, None, f"Tệp '{name}' giải nén quá lớn, không đọc được.")
        return
    books: list[Any] = []
    try:
        workbook = _guard(openpyxl.load_workbook, io.BytesIO(data), read_only=True, data_only=True)
        books.append(workbook)
        formula_book = None
        for worksheet in workbook.worksheets:
            sheet = reader.sheet_for(worksheet.title)
            if sheet is None:
                continue
            xml = _guard(_sheet_xml, workbook, worksheet)
            formulas = None
            if xml is None or _has_uncached_formula(xml):
                # Read a second time without cached values, to name the formula cells whose
                # value was never computed (files written by programs, not by Excel).
                if formula_book is None:
                    formula_book = _guard(
                        openpyxl.load_workbook, io.BytesIO(data), read_only=True, data_only=False
                    )
                    books.append(formula_book)
                formulas = _values(formula_book[worksheet.title])
            source = _Source(
                name=worksheet.title,
                rows=enumerate(_values(worksheet), start=1),
                formulas=formulas,
                merged=_merged_ranges(xml) if xml else [],
            )
            reader.read(sheet, source)
    except _DamagedFile as exc:
        log.info("unreadable workbook %s: %r", name, exc.__cause__)
        result.sheets.clear()
        result.columns.clear()
        result.error(None, None, None, f"Tệp Excel '{name}' bị hỏng, không đọc được.")
    finally:
        for book in books:
            book.close()


class _DamagedFile(Exception):
    """openpyxl, zipfile or the XML parser failed on the file."""


def _guard(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
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


def _sheet_xml(workbook, worksheet) -> bytes | None:
    """The sheet's raw XML (to find merged ranges and formulas without parsing it twice)."""
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if path is None or archive is None:
        return None
    return archive.read(path)


def _has_uncached_formula(xml: bytes) -> bool:
    """Whether a formula in the sheet's XML may lack its cached value: a quick scan that
    spares the second reading for files saved by Excel (a false alarm only costs time)."""
    for match in _FORMULA_RE.finditer(xml):
        end = _CELL_END_RE.search(xml, match.end())
        if not _CACHED_RE.search(xml, match.end(), end.start() if end else len(xml)):
            return True
    return False


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    ranges = []
    for match in _MERGE_RE.finditer(xml):
        col1, row1, col2, row2 = (g.decode() if g else None for g in match.groups())
        min_col, min_row = column_index_from_string(col1), int(row1)
        max_col = column_index_from_string(col2) if col2 else min_col
        max_row = int(row2) if row2 else min_row
        ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def _read_csv(data: bytes, name: str, reader: _Reader) -> None:
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
    delimiter = _sniff_delimiter(sheet, text)
    try:
        records = list(_csv_records(text, delimiter))
    except csv.Error as exc:
        result.error(sheet.key, None, None, f"Tệp CSV sai cấu trúc: {exc}.")
        return
    reader.read(sheet, _Source(name=name, rows=records))


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields); a quoted field may span lines."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for record in rows:
        yield line, record
        line = rows.line_num + 1


def _sniff_delimiter(sheet: Sheet, text: str) -> str:
    """`,` or `;`: the one that makes a header row of the sheet recognisable, else the one
    splitting the first lines into more fields."""
    head = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS * 2])
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";"):
        try:
            records = [r for _, r in _csv_records(head, delimiter)][:HEADER_SEARCH_ROWS]
        except csv.Error:
            continue
        matches = max((_header_matches(sheet, r) for r in records), default=0)
        fields = max((len(r) for r in records), default=0)
        if (matches, fields) > best_score:
            best, best_score = delimiter, (matches, fields)
    return best


# --- Between sheets -----------------------------------------------------------------------

_REF_NAMES = {
    "ToChuc": "Tổ chức",
    "VienTro": "Khoản viện trợ",
    "Doan": "Đoàn",
}


def validate_cross_sheet(
    result: ReadResult,
    known: Mapping[str, set[str]],
    known_directions: Mapping[str, str] | None = None,
) -> None:
    """Append the errors between sheets and against the registry to `result.errors`.

    `known` holds the codes the registry already has: known["ToChuc"], known["VienTro"],
    known["Doan"] (record codes) and known["communes"] (5-digit commune codes); a missing
    entry counts as empty. `known_directions` maps the registry's delegation codes to
    "vao"/"ra" (the file's Doan sheet wins for a delegation it lists).

    Checks: every reference (VienTro.nha_tai_tro, Doan.to_chuc -> ToChuc; GiaiNgan and Doan
    .ma_vien_tro -> VienTro; ThanhVien.ma_doan -> Doan; dia_ban -> communes) exists in the
    file or the registry; a new record (code not in `known`) of a sheet that omits a
    conditionally required column still needs it; a foreign member of a `vao` delegation
    has a passport number.
    """
    file_codes = {key: result.codes(key) for key in ("ToChuc", "VienTro", "Doan")}
    targets = {
        key: file_codes[key] | set(known.get(key, ())) for key in ("ToChuc", "VienTro", "Doan")
    }
    targets[schema.COMMUNES] = set(known.get(schema.COMMUNES, ()))
    for sheet_key, rows in result.sheets.items():
        sheet = SHEETS[sheet_key]
        present = result.columns.get(sheet_key, frozenset())
        ref_columns = [
            c for c in sheet.columns if c.kind in (schema.REF, schema.REFS) and c.key in present
        ]
        deferred = sheet.key_column is not None and any(
            k not in present for k in ("ty_gia", "so_quyet_dinh", "ngay_phe_duyet")
        )
        existing = set(known.get(sheet_key, ()))
        for row in rows:
            for column in ref_columns:
                _check_refs(result, sheet, row, column, targets[column.ref])
            code = row.get(sheet.key_column) if sheet.key_column else None
            if deferred and code and code not in existing:
                for key, message in conditional_requirements(sheet, row.values):
                    if key not in present:
                        result.error(sheet_key, row.excel_row, sheet.column(key).label, message)
    _check_passports(result, known_directions or {})


def _check_refs(result: ReadResult, sheet: Sheet, row: Row, column: Column, target: set[str]):
    value = row.values.get(column.key)
    if value is None:
        return
    for code in value if isinstance(value, list) else (value,):
        if code in target:
            continue
        if column.ref == schema.COMMUNES:
            message = f"Mã xã '{code}' không có trong danh mục xã, phường."
        else:
            message = (
                f"{_REF_NAMES[column.ref]} '{code}' không có trong trang {column.ref} "
                "của tệp cũng như trong sổ đăng ký."
            )
        result.error(sheet.key, row.excel_row, column.label, message)


def _check_passports(result: ReadResult, known_directions: Mapping[str, str]) -> None:
    members = result.sheets.get("ThanhVien")
    if not members:
        return
    directions = dict(known_directions)
    for delegation in result.sheets.get("Doan", ()):
        code, direction = delegation.get("ma"), delegation.get("huong")
        if code and direction:
            directions[code] = direction
    label = SHEETS["ThanhVien"].column("so_ho_chieu").label
    for row in members:
        nationality = row.get("quoc_tich")
        if nationality is None or nationality == VIETNAM or "so_ho_chieu" in row.invalid:
            continue
        if directions.get(row.get("ma_doan")) == "vao" and not row.get("so_ho_chieu"):
            result.error(
                "ThanhVien",
                row.excel_row,
                label,
                "Thiếu số hộ chiếu (bắt buộc với thành viên người nước ngoài của đoàn vào).",
            )
