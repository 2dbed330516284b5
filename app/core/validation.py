"""Rules on values that need no database, written once and used by forms, services, the
member list upload and the workbook import alike.

Each check raises FieldError(field, Vietnamese message); `collect()` runs several checks and
reports every broken one at once.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from app.core.dates import today_vn
from app.core.errors import FieldError
from app.core.money import to_vnd

VND_LIMIT = 10**18  # amounts are stored as whole đồng in BIGINT
EARLIEST_BIRTH_YEAR = 1900


def not_future(day: date | None, field: str, what: str) -> None:
    """`what` (e.g. "Ngày nhận hồ sơ") may not be after today (Vietnam time)."""
    if day and day > today_vn():
        raise FieldError(field, f"{what} không được sau ngày hôm nay.")


def not_before(day: date | None, earliest: date | None, field: str, what: str, earlier: str):
    """`what` may not be before `earlier` (a named date of the same record)."""
    if day and earliest and day < earliest:
        raise FieldError(field, f"{what} không được trước {earlier} ({earliest:%d/%m/%Y}).")


def past_date(
    day: date | None, field: str, what: str, earliest: date | None = None, earlier: str = ""
) -> None:
    """The date of something already done (a letter, a decision, a report): not after
    today and, when `earliest` is given, not before it (`earlier` names that date)."""
    not_future(day, field, what)
    not_before(day, earliest, field, what, earlier)


def in_order(start: date | None, end: date | None, field: str, message: str) -> None:
    """Two dates of a period: the end not before the start."""
    if start and end and end < start:
        raise FieldError(field, message)


def birth_date(day: date | None, field: str = "birth_date") -> None:
    """A date of birth: in the past, and not before 1900 (a typo, not a person)."""
    if day and day >= today_vn():
        raise FieldError(field, "Ngày sinh phải là một ngày trong quá khứ.")
    if day and day.year < EARLIEST_BIRTH_YEAR:
        raise FieldError(field, f"Ngày sinh không hợp lệ (trước năm {EARLIEST_BIRTH_YEAR}).")


def positive(amount, field: str, message: str = "Số tiền phải lớn hơn 0.") -> None:
    if amount is None or amount <= 0:
        raise FieldError(field, message)


def not_negative(amount, field: str, what: str) -> None:
    if amount is not None and amount < 0:
        raise FieldError(field, f"{what} không được âm.")


def money(value, currency: str, rate_vnd, rate_usd, field: str = "value") -> None:
    """An amount with its currency and rates: the rules of every money field."""
    if value is None:
        raise FieldError(field, "Vui lòng nhập giá trị.")
    if value < 0:
        raise FieldError(field, "Giá trị không được âm.")
    if currency != "VND" and rate_vnd is None:
        raise FieldError("rate_vnd", "Vui lòng nhập tỷ giá (VNĐ cho một đơn vị tiền tệ).")
    if rate_vnd is not None and rate_vnd <= 0:
        raise FieldError("rate_vnd", "Tỷ giá phải lớn hơn 0.")
    if rate_usd is not None and rate_usd <= 0:
        raise FieldError("rate_usd", "Tỷ giá USD phải lớn hơn 0.")
    if currency == "VND" and Decimal(value) != Decimal(value).to_integral_value():
        raise FieldError(field, "Số tiền VNĐ không có phần lẻ.")
    if to_vnd(value, None if currency == "VND" else rate_vnd) >= VND_LIMIT:
        raise FieldError(field, "Giá trị quy đổi ra VNĐ quá lớn, hãy kiểm tra lại.")


def collect(*checks: tuple[Callable, ...]) -> dict[str, str]:
    """Run each (check, *args); {field: message} of every broken rule (first per field)."""
    errors: dict[str, str] = {}
    for check, *args in checks:
        try:
            check(*args)
        except FieldError as error:
            for name, message in error.errors.items():
                errors.setdefault(name, message)
    return errors


def raise_all(errors: dict[str, str]) -> None:
    if errors:
        raise FieldError.many(errors)
