"""Money parsing, rounding and formatting with Vietnamese conventions (Decimal only)."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache

import pycountry
from babel.numbers import format_decimal, get_currency_precision

LOCALE = "vi"

# "1.234.567,5" / "1234567" / "12,5": dots group thousands, comma marks decimals.
_NUMBER_RE = re.compile(r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?")
# Currency markers accepted after the number (compared case-insensitively).
_SUFFIXES = ("vnđ", "vnd", "₫", "đ")
# Every kind of space a spreadsheet or a browser may put inside a number.
_SPACES_RE = re.compile(r"[\s\u00a0\u202f\u2007]+")


# Amounts and rates the registry stores stay below this (Numeric(20, 2), BigInteger đồng):
# a larger figure is a typing mistake, refused next to its field rather than overflowing.
MONEY_LIMIT = 10**15


class MoneyParseError(ValueError):
    """A number that does not follow the Vietnamese convention (message in Vietnamese)."""

    def __init__(self, value: object):
        self.value = value
        super().__init__(
            f"Số không hợp lệ: '{value}' (dùng dấu chấm phân cách hàng nghìn, "
            "dấu phẩy cho phần thập phân, ví dụ 1.234.567,5)"
        )


def parse_decimal(value: object) -> Decimal | None:
    """Parse a number typed the Vietnamese way ("1.234.567,5") into a Decimal.

    int/Decimal/float are accepted as is (float via str()); empty/None -> None.
    English style ("1,234.56") and malformed groups ("1.23.4") raise MoneyParseError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise MoneyParseError(value)
    if isinstance(value, (int, Decimal, float)):
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not result.is_finite():
            raise MoneyParseError(value)
        return result
    if not isinstance(value, str):
        raise MoneyParseError(value)

    text = _SPACES_RE.sub("", value)
    lowered = text.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if not text:
        return None
    negative = text[0] in "-\u2212"
    if negative or text[0] == "+":
        text = text[1:]
    match = _NUMBER_RE.fullmatch(text)
    if match is None:
        raise MoneyParseError(value)
    digits = match.group("int").replace(".", "")
    if match.group("frac"):
        digits += "." + match.group("frac")
    result = Decimal(digits)
    return -result if negative else result


def _to_decimal(value: object) -> Decimal:
    """Coerce int/float/Decimal/Vietnamese text to Decimal; None is an error."""
    result = parse_decimal(value)
    if result is None:
        raise TypeError("a number is required, got None/empty")
    return result


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round to `places` decimals, ties away from zero (2.5 -> 3, 0.125 -> 0.13)."""
    value = _to_decimal(value)
    exponent = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        # Enough precision for very large amounts so quantize() never fails.
        ctx.prec = max(28, len(value.as_tuple().digits) + abs(places) + 2)
        try:
            result = value.quantize(exponent, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:  # pragma: no cover - defensive
            raise MoneyParseError(value) from exc
    # Avoid "-0" after rounding a small negative amount.
    return result if result else abs(result)


def to_vnd(amount: Decimal, rate: Decimal | None) -> int:
    """Convert `amount` to whole đồng with `rate` (VND per unit); None means already VND."""
    amount = _to_decimal(amount)
    if rate is not None:
        amount = amount * _to_decimal(rate)
    return int(round_half_up(amount))


def _format(value: Decimal, places: int) -> str:
    """Half-up round then format with Vietnamese separators via Babel."""
    rounded = round_half_up(value, places)
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    # Babel rounds half-even itself; the value is already rounded so nothing changes.
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def format_number(value: object, places: int = 0) -> str:
    """Format a number with Vietnamese separators ("1.234,50"); None -> ""."""
    number = parse_decimal(value)
    if number is None:
        return ""
    return _format(number, places)


def format_vnd(value: object) -> str:
    """Format whole đồng: "1.234.567 ₫" (half-up rounded); None -> ""."""
    number = parse_decimal(value)
    if number is None:
        return ""
    return f"{_format(number, 0)} ₫"


def format_money(value: object, currency: str | None) -> str:
    """Format an amount in `currency` ("1.234,56 USD", "1.235 JPY"); VND/empty -> format_vnd."""
    code = (currency or "VND").strip().upper()
    if code == "VND":
        return format_vnd(value)
    number = parse_decimal(value)
    if number is None:
        return ""
    return f"{_format(number, get_currency_precision(code))} {code}"


def format_usd(value: object) -> str:
    """Format US dollars: "1.234,56 USD"; None -> ""."""
    return format_money(value, "USD")


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


# Offered first in currency lists: the đồng and the donors' usual currencies.
COMMON_CURRENCIES = (
    "VND", "USD", "EUR", "JPY", "KRW", "AUD", "GBP", "CHF", "CAD", "NZD", "SGD", "THB",
    "CNY", "HKD", "TWD", "SEK", "NOK", "DKK", "LAK", "KHR",
)  # fmt: skip


@lru_cache(maxsize=1)
def currency_choices() -> tuple[tuple[str, str], ...]:
    """(code, "USD – Đô la Mỹ") of every ISO 4217 currency, the common ones first, the rest
    by code; names in Vietnamese (CLDR through Babel), else pycountry's English name."""
    from babel import Locale

    names = Locale("vi").currencies
    english = {c.alpha_3: c.name for c in pycountry.currencies}
    rest = sorted(code for code in english if code not in COMMON_CURRENCIES)
    return tuple(
        (code, f"{code} – {names.get(code) or english[code]}")
        for code in (*COMMON_CURRENCIES, *rest)
        if code in english
    )


def is_currency_code(code: object) -> bool:
    """True for a known ISO 4217 alphabetic code (any case), e.g. "USD", "eur"."""
    return isinstance(code, str) and code.strip().upper() in _currency_codes()
