"""The rules of a delegation's members and itinerary, with no database: the member form,
the member service, the member list upload and the workbook import all call these.
"""

import re
from datetime import date

from app.core import validation
from app.core.dates import add_months
from app.core.errors import FieldError
from app.delegations.models import normalize_passport

VIETNAM = "VN"
PASSPORT_RE = re.compile(r"^[A-Z0-9]{1,30}$")
PASSPORT_CHARACTERS = "Số hộ chiếu chỉ gồm chữ cái không dấu và chữ số."
PASSPORT_REQUIRED = "Thành viên người nước ngoài của đoàn vào phải có số hộ chiếu."


def checked_passport(text: str | None, field: str = "passport_number") -> str | None:
    """The stored form of a passport number (upper case, no spaces), or a FieldError."""
    number = normalize_passport(text)
    if number and not PASSPORT_RE.match(number):
        raise FieldError(field, PASSPORT_CHARACTERS)
    return number


def needs_passport(is_incoming: bool, nationality: str | None) -> bool:
    """Foreign members of an incoming delegation must give a passport number."""
    return bool(is_incoming and nationality and nationality != VIETNAM)


def member_errors(
    values: dict,
    *,
    is_incoming: bool,
    end_on: date | None,
    other_passports: set[str],
) -> dict[str, str]:
    """{field: Vietnamese message} for one member (values keyed like DelegationMember)."""
    errors: dict[str, str] = {}
    if not (values.get("full_name") or "").strip():
        errors["full_name"] = "Vui lòng nhập họ và tên."
    if not values.get("nationality"):
        errors["nationality"] = "Vui lòng chọn quốc tịch hợp lệ."
    passport = None
    errors.update(
        validation.collect(
            (validation.birth_date, values.get("birth_date")),
        )
    )
    try:
        passport = checked_passport(values.get("passport_number"))
    except FieldError as error:
        errors.setdefault("passport_number", error.message)
    if "passport_number" not in errors:
        if needs_passport(is_incoming, values.get("nationality")) and not passport:
            errors["passport_number"] = PASSPORT_REQUIRED
        elif passport and passport in other_passports:
            errors["passport_number"] = f"Số hộ chiếu {passport} đã có trong danh sách đoàn."
    expiry = values.get("passport_expiry")
    if expiry and end_on and expiry < end_on:
        errors["passport_expiry"] = (
            f"Hộ chiếu hết hạn ({expiry:%d/%m/%Y}) trước khi kết thúc chuyến đi "
            f"({end_on:%d/%m/%Y})."
        )
    return errors


def passport_valid_until(start_on: date, months: int) -> date:
    """The day a passport should still be valid on: `months` after entry (the start)."""
    return add_months(start_on, months)


def passport_warning(
    expiry: date | None, start_on: date | None, end_on: date | None, months: int
) -> str | None:
    """A warning (not a refusal) when the passport expires less than `months` after entry;
    None when it is fine, unknown, or already refused for expiring before the end."""
    if not expiry or not start_on or (end_on and expiry < end_on):
        return None
    needed = passport_valid_until(start_on, months)
    if expiry >= needed:
        return None
    return (
        f"Lưu ý: hộ chiếu hết hạn ngày {expiry:%d/%m/%Y}, còn hạn dưới {months} tháng kể từ "
        f"ngày nhập cảnh {start_on:%d/%m/%Y} (cần còn hạn đến ít nhất {needed:%d/%m/%Y})."
    )


def dates_in_order(start_on: date | None, end_on: date | None, field: str = "end_on") -> None:
    validation.in_order(start_on, end_on, field, "Ngày kết thúc không được trước ngày bắt đầu.")


def stop_within_visit(day: date | None, start_on: date, end_on: date, field: str = "day") -> None:
    """An itinerary stop lies within the visit's dates."""
    if day and (day < start_on or day > end_on):
        raise FieldError(
            field,
            f"Ngày trong lịch trình phải trong thời gian đoàn "
            f"({start_on:%d/%m/%Y} – {end_on:%d/%m/%Y}).",
        )
