"""Unit tests for the pure helpers in app.core (text, money, dates, countries)."""

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.core.countries import country_choices, country_name, parse_country
from app.core.dates import (
    DATE_FORMAT,
    DateParseError,
    add_months,
    add_working_days,
    format_date,
    format_datetime,
    holiday_name,
    is_working_day,
    parse_date,
    today_vn,
    working_days_between,
)
from app.core.money import (
    MoneyParseError,
    format_money,
    format_number,
    format_usd,
    format_vnd,
    is_currency_code,
    parse_decimal,
    round_half_up,
    to_vnd,
)
from app.core.text import fold, fold_key

# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đắk Tô", "dak to"),
        ("  Sa   Thầy\t", "sa thay"),
        ("ĐỒNG THÁP", "dong thap"),
        ("Phường Quyết Thắng", "phuong quyet thang"),
        ("Ngọc Hồi", "ngoc hoi"),
        ("Ấn Độ", "an do"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


def test_fold_decomposed_input_matches_composed():
    assert fold(unicodedata.normalize("NFD", "Kon Tum Đăk Hà")) == "kon tum dak ha"


SHEET_NAMES = ["Vien Tro", "viện trợ", "VienTro", "vien_tro", " VIỆN  TRỢ "]


@pytest.mark.parametrize("raw", SHEET_NAMES)
def test_fold_key(raw):
    assert fold_key(raw) == "vientro"


def test_fold_key_none():
    assert fold_key(None) == ""


# --- money: parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234.567,5", Decimal("1234567.5")),
        ("1234567", Decimal(1234567)),
        ("1.234", Decimal(1234)),
        ("12,5", Decimal("12.5")),
        ("0,125", Decimal("0.125")),
        (" 1.234.567 ₫", Decimal(1234567)),
        ("500.000 đ", Decimal(500000)),
        ("500.000 VND", Decimal(500000)),
        ("500.000 VNĐ", Decimal(500000)),
        ("1 234 567", Decimal(1234567)),
        ("1\u00a0234", Decimal(1234)),
        ("-1.234,5", Decimal("-1234.5")),
        (1234, Decimal(1234)),
        (Decimal("12.50"), Decimal("12.50")),
        (2.1, Decimal("2.1")),
    ],
)
def test_parse_decimal_accepts(raw, expected):
    result = parse_decimal(raw)
    assert isinstance(result, Decimal)
    assert result == expected


def test_parse_decimal_float_goes_through_str():
    # Decimal(0.1) would be 0.1000000000000000055...; str() keeps what the user saw.
    assert parse_decimal(0.1) == Decimal("0.1")


@pytest.mark.parametrize("raw", [None, "", "   ", "₫"])
def test_parse_decimal_empty(raw):
    assert parse_decimal(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["1,234.56", "1.23.4", "1234.5", "1.2345", ",5", "1,", "abc", "--1", "NaN", True],
)
def test_parse_decimal_rejects(raw):
    with pytest.raises(MoneyParseError) as info:
        parse_decimal(raw)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"Số không hợp lệ: '{raw}'")
    assert "dấu phẩy cho phần thập phân" in str(info.value)


def test_parse_decimal_rejects_float_nan():
    with pytest.raises(MoneyParseError):
        parse_decimal(float("nan"))


# --- money: rounding and conversion ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.5"), 0, Decimal(3)),
        (Decimal("3.5"), 0, Decimal(4)),
        (Decimal("2.4999"), 0, Decimal(2)),
        (Decimal("0.125"), 2, Decimal("0.13")),
        (Decimal("0.135"), 2, Decimal("0.14")),
        (Decimal("-2.5"), 0, Decimal(-3)),
        (Decimal("1234567890123456789012.5"), 0, Decimal(1234567890123456789013)),
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(value, places)
    assert result == expected
    assert result.as_tuple().exponent == -places


def test_round_half_up_no_negative_zero():
    assert str(round_half_up(Decimal("-0.4"))) == "0"


def test_to_vnd():
    assert to_vnd(Decimal("100.5"), Decimal(25000)) == 2_512_500
    assert to_vnd(Decimal("0.00002"), Decimal(25000)) == 1  # 0.5 rounds up
    assert to_vnd(Decimal("1234.5"), None) == 1235
    assert to_vnd(Decimal(1234567), None) == 1_234_567
    assert isinstance(to_vnd(Decimal(1), Decimal(1)), int)


# --- money: formatting ----------------------------------------------------------------------


def test_format_vnd():
    assert format_vnd(Decimal(1234567)) == "1.234.567 ₫"
    assert format_vnd(1234567) == "1.234.567 ₫"
    assert format_vnd(Decimal("1234566.5")) == "1.234.567 ₫"  # half up, not half even
    assert format_vnd(Decimal("2.5")) == "3 ₫"
    assert format_vnd(Decimal(-1234)) == "-1.234 ₫"
    assert format_vnd(Decimal("-0.4")) == "0 ₫"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(None) == ""


def test_format_usd():
    assert format_usd(Decimal("1234.56")) == "1.234,56 USD"
    assert format_usd(Decimal("1234.555")) == "1.234,56 USD"
    assert format_usd(Decimal("0.125")) == "0,13 USD"
    assert format_usd(1000) == "1.000,00 USD"
    assert format_usd(Decimal(-5)) == "-5,00 USD"
    assert format_usd(None) == ""


def test_format_money():
    assert format_money(Decimal(1234567), "VND") == "1.234.567 ₫"
    assert format_money(Decimal("1234.5"), "eur") == "1.234,50 EUR"
    # JPY has no minor unit, KWD has three decimals.
    assert format_money(Decimal("1234.5"), "JPY") == "1.235 JPY"
    assert format_money(Decimal("1.0005"), "KWD") == "1,001 KWD"
    assert format_money(None, "USD") == ""


def test_format_number():
    assert format_number(Decimal(1234567)) == "1.234.567"
    assert format_number(Decimal("1234.5"), 2) == "1.234,50"
    assert format_number(Decimal("0.125"), 2) == "0,13"
    assert format_number(Decimal("2.5")) == "3"
    assert format_number(None) == ""


def test_is_currency_code():
    assert is_currency_code("USD")
    assert is_currency_code("vnd")
    assert is_currency_code("EUR")
    assert not is_currency_code("XYZ")
    assert not is_currency_code("US")
    assert not is_currency_code("")
    assert not is_currency_code(None)


# --- dates: formatting and parsing ----------------------------------------------------------


def test_format_date():
    assert DATE_FORMAT == "%d/%m/%Y"
    assert format_date(date(2025, 1, 5)) == "05/01/2025"
    assert format_date(date(2025, 1, 5)) == date(2025, 1, 5).strftime(DATE_FORMAT)
    assert format_date(None) == ""


MINUS5 = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 1, 5, 7, 3, tzinfo=UTC), "05/01/2025 14:03"),
        (datetime(2025, 1, 5, 7, 3), "05/01/2025 14:03"),  # naive = UTC
        (datetime(2025, 1, 5, 20, 3, tzinfo=UTC), "06/01/2025 03:03"),
        (datetime(2025, 1, 5, 7, 3, tzinfo=MINUS5), "05/01/2025 19:03"),
        (None, ""),
    ],
)
def test_format_datetime_converts_to_vietnam_time(value, expected):
    assert format_datetime(value) == expected


def test_format_datetime_other_zone():
    value = datetime(2025, 1, 5, 7, 3, tzinfo=UTC)
    assert format_datetime(value, tz="UTC") == "05/01/2025 07:03"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/01/2025", date(2025, 1, 5)),
        ("5/1/2025", date(2025, 1, 5)),
        ("2025-01-05", date(2025, 1, 5)),
        (" 29/02/2024 ", date(2024, 2, 29)),
        (date(2025, 1, 5), date(2025, 1, 5)),
        (datetime(2025, 1, 5, 23, 59), date(2025, 1, 5)),
    ],
)
def test_parse_date_accepts(raw, expected):
    result = parse_date(raw)
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_parse_date_empty(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "01-02-2024",
        "2024/01/02",
        "31/02/2024",
        "29/02/2023",
        "32/01/2024",
        "01/13/2024",
        "Jan 5 2024",
        "05/01/25",
        "2024-1-2",
        20240102,
    ],
)
def test_parse_date_rejects(raw):
    with pytest.raises(DateParseError) as info:
        parse_date(raw)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == f"Ngày không hợp lệ: '{raw}' (định dạng dd/mm/yyyy)"


def test_today_vn():
    assert isinstance(today_vn(), date)
    assert abs((today_vn() - datetime.now(UTC).date()).days) <= 1


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2025, 11, 30), 14, date(2027, 1, 30)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


# --- dates: Vietnamese working days ---------------------------------------------------------
# Verified against holidays.VN (holidays 0.109): 2025 days off are 01/01, Tết 27/01-31/01
# (+ Sat 01/02), 07/04 (Hùng Kings), 30/04, 01/05, 02/05 (bridge day, paid back by working
# Saturday 26/04), 01/09 and 02/09.


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 1),
        date(2025, 1, 27),
        date(2025, 1, 29),
        date(2025, 1, 31),
        date(2025, 4, 7),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 9, 1),
        date(2025, 9, 2),
        date(2025, 3, 8),  # ordinary Saturday
        date(2025, 3, 9),  # ordinary Sunday
    ],
)
def test_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 24),  # Friday before Tết
        date(2025, 2, 3),  # first Monday after Tết
        date(2025, 4, 29),
        date(2025, 9, 3),
        date(2025, 4, 26),  # Saturday worked in exchange for 02/05/2025
    ],
)
def test_working_days(day):
    assert is_working_day(day)


def test_is_working_day_accepts_datetime():
    assert not is_working_day(datetime(2025, 9, 2, 10, 0))


def test_holiday_name_in_vietnamese():
    assert holiday_name(date(2025, 9, 2)) == "Quốc khánh"
    assert holiday_name(date(2025, 9, 3)) is None


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 4, 29), 0, date(2025, 4, 29)),
        (date(2025, 3, 10), 1, date(2025, 3, 11)),
        (date(2025, 3, 14), 1, date(2025, 3, 17)),  # Fri -> Mon
        (date(2025, 3, 15), 1, date(2025, 3, 17)),  # from a Saturday
        (date(2025, 1, 24), 1, date(2025, 2, 3)),  # across Tết
        (date(2025, 4, 29), 1, date(2025, 5, 5)),  # across 30/04-02/05
        (date(2025, 8, 29), 1, date(2025, 9, 3)),  # across 01-02/09
        (date(2025, 4, 25), 1, date(2025, 4, 26)),  # worked Saturday
        (date(2025, 1, 20), 10, date(2025, 2, 10)),  # 4 + Tết + 5 + 1
        (date(2025, 2, 3), -1, date(2025, 1, 24)),
        (date(2025, 12, 31), 1, date(2026, 1, 2)),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 4, 29), date(2025, 4, 29), 0),
        (date(2025, 3, 10), date(2025, 3, 14), 4),
        (date(2025, 4, 28), date(2025, 5, 5), 2),  # 29/04 and 05/05
        (date(2025, 5, 5), date(2025, 4, 28), -2),
        (date(2025, 1, 24), date(2025, 2, 3), 1),
        (date(2025, 8, 29), date(2025, 9, 5), 3),
        (date(2024, 12, 31), date(2025, 12, 31), 250),  # whole of 2025
        (date(2024, 12, 31), date(2026, 1, 2), 251),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_working_days_between_matches_day_by_day_count():
    def brute(start, end):
        days = range(1, (end - start).days + 1)
        return sum(is_working_day(start + timedelta(days=i)) for i in days)

    start = date(2023, 12, 20)
    for offset in range(0, 800, 7):
        end = start + timedelta(days=offset)
        assert working_days_between(start, end) == brute(start, end)


def test_add_working_days_inverse_of_between():
    start = date(2024, 12, 27)
    for n in range(1, 120):
        assert working_days_between(start, add_working_days(start, n)) == n


# --- countries ------------------------------------------------------------------------------


def test_country_name():
    assert country_name("US") == "Hoa Kỳ"
    assert country_name("us") == "Hoa Kỳ"
    assert country_name("LA") == "Lào"
    assert country_name("VN") == "Việt Nam"
    assert country_name("JP") == "Nhật Bản"
    assert country_name("QQ") == "QQ"
    assert country_name(None) == ""


def test_country_choices():
    choices = country_choices()
    assert choices[0] == ("VN", "Việt Nam")
    assert len(choices) == 249
    codes = [code for code, _ in choices]
    assert len(set(codes)) == len(codes)
    assert ("US", "Hoa Kỳ") in choices
    rest = [fold(name) for _, name in choices[1:]]
    assert rest == sorted(rest)
    choices.append(("XX", "mutated"))
    assert ("XX", "mutated") not in country_choices()  # cached data is not exposed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lào", "LA"),
        ("lào", "LA"),
        ("laos", "LA"),
        ("LA", "LA"),
        ("la", "LA"),
        ("LAO", "LA"),
        ("Lao People's Democratic Republic", "LA"),
        ("Hoa Kỳ", "US"),
        ("hoa ky", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("Mỹ", "US"),
        ("Việt Nam", "VN"),
        ("Viet Nam", "VN"),
        ("Hàn Quốc", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Vương quốc Anh", "GB"),
        ("Đức", "DE"),
        ("Nga", "RU"),  # Vietnamese name wins for non-capitalised input
        ("NGA", "NG"),  # capitals are read as a code first (Nigeria)
        ("Áo", "AT"),
        ("AO", "AO"),
    ],
)
def test_parse_country(raw, expected):
    assert parse_country(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "Atlantis", "XX", "Q"])
def test_parse_country_unknown(raw):
    assert parse_country(raw) is None
