"""Reading one cell of a registry workbook: text, dates, numbers, booleans, coded values,
countries, currencies, references and sector lists, each raising CellError (Vietnamese)
on a value it cannot read."""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.core.countries import parse_country
from app.core.dates import DateParseError, format_date, parse_date
from app.core.money import MONEY_LIMIT, MoneyParseError, is_currency_code, parse_decimal
from app.core.text import fold
from app.transfer import schema
from app.transfer.issues import CellError
from app.transfer.schema import Column

_MEMO_LIMIT = 4096  # distinct spellings of coded values remembered per column
SHARE_TOLERANCE = Decimal("0.01")
HUNDRED = Decimal(100)
_LIST_SPLIT_RE = re.compile(r"[;\n]")
_TRUE = frozenset({"co", "x", "1", "true"})
_FALSE = frozenset({"khong", "0", "false"})


def as_text(raw: Any) -> str | None:
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
        text = as_text(raw)
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
                f"Ngày không hợp lệ: '{as_text(raw)}' (dùng dd/mm/yyyy hoặc yyyy-mm-dd)."
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
                f"Số không hợp lệ: '{as_text(raw)}' (dấu chấm phân cách hàng nghìn, "
                "dấu phẩy cho phần thập phân, ví dụ 1.234.567,5)."
            ) from None
        if value is not None and abs(value) >= (column.max_value or MONEY_LIMIT):
            raise CellError(f"{column.label}: số quá lớn.")
        if value is not None and column.whole and value != value.to_integral_value():
            raise CellError(f"{column.label} phải là số nguyên.")
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
        key = fold(as_text(raw))
        if not key:
            return empty
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise CellError(
            f"Giá trị '{as_text(raw)}' không hợp lệ: ghi có/x/1/true hoặc không/0/false "
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
        text = as_text(raw)
        return None if text is None else find(text)

    return parse


def _codes_parser(column: Column) -> Callable[[Any], Any]:
    find = _code_finder(column)

    def parse(raw):
        text = as_text(raw)
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
        text = as_text(raw)
        return None if text is None else _find_country(text)

    return parse


def _countries_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = as_text(raw)
        if text is None:
            return None
        items = _split(text)
        codes = [_find_country(item) for item in items]
        _no_repeats(codes, items)
        return codes or None

    return parse


def _currency_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = as_text(raw)
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
        text = as_text(raw)
        return None if text is None else _ref_item(column, text)

    return parse


def _refs_parser(column: Column) -> Callable[[Any], Any]:
    def parse(raw):
        text = as_text(raw)
        if text is None:
            return None
        codes = [_ref_item(column, item) for item in _split(text)]
        _no_repeats(codes)
        return codes or None

    return parse


def _sectors_parser(column: Column) -> Callable[[Any], Any]:
    find = _code_finder(column)

    def parse(raw):
        text = as_text(raw)
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
