"""Date parsing/formatting (dd/mm/yyyy), Vietnam time and Vietnamese working days."""

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
VN_TZ = "Asia/Ho_Chi_Minh"

_VN_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class DateParseError(ValueError):
    """A date that is not dd/mm/yyyy or yyyy-mm-dd, or does not exist (Vietnamese message)."""

    def __init__(self, value: object):
        self.value = value
        super().__init__(f"Ngày không hợp lệ: '{value}' (định dạng dd/mm/yyyy)")


def format_date(d: date | None) -> str:
    """Format as dd/mm/yyyy: date(2025, 1, 5) -> "05/01/2025"; None -> ""."""
    if d is None:
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(dt: datetime | None, tz: str = VN_TZ) -> str:
    """Format in Vietnam time: "05/01/2025 14:03". Naive datetimes are taken as UTC."""
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(ZoneInfo(tz)).strftime(DATETIME_FORMAT)


def parse_date(value: object) -> date | None:
    """Parse a date/datetime or text "dd/mm/yyyy", "d/m/yyyy", "yyyy-mm-dd"; empty -> None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DateParseError(value)
    text = value.strip()
    if not text:
        return None
    if match := _VN_DATE_RE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE_RE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise DateParseError(value)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateParseError(value) from exc


def today_vn() -> date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh)."""
    return datetime.now(ZoneInfo(VN_TZ)).date()


def add_months(d: date, n: int) -> date:
    """Add n months (may be negative), clamping to month end: 31/08 + 6 -> 28/02 or 29/02."""
    years, month0 = divmod(d.month - 1 + n, 12)
    year = d.year + years
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return d.replace(year=year, month=month0 + 1, day=day)


# --- Working days -------------------------------------------------------------------------


@cache
def _calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up Saturdays worked) for one year from holidays.VN."""
    import holidays  # its lunisolar tables cost ~0.1 s: imported when a deadline is counted

    vn = holidays.VN(years=year)
    days_off = frozenset(d for d in vn if d.year == year)
    # holidays.VN lists Saturdays the government turned into working days to pay for a
    # bridge day off (e.g. 26/04/2025 for 02/05/2025); the set leaks other years' dates.
    worked_weekends = frozenset(d for d in vn.weekend_workdays if d.year == year)
    return days_off, worked_weekends


@cache
def _holiday_names_vi(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.VN(years=year, language="vi"))


def holiday_name(d: date) -> str | None:
    """Vietnamese name of the public holiday on d ("Quốc khánh"), or None."""
    if isinstance(d, datetime):
        d = d.date()
    return _holiday_names_vi(d.year).get(d)


def is_working_day(d: date) -> bool:
    """Mon-Fri and not a Vietnamese public holiday (incl. Tết and substitute days off).

    A Saturday officially worked in exchange for a bridge day off also counts.
    """
    if isinstance(d, datetime):
        d = d.date()
    days_off, worked_weekends = _calendar(d.year)
    if d in days_off:
        return False
    return d.weekday() < 5 or d in worked_weekends


def add_working_days(start: date, n: int) -> date:
    """The date n working days after start (start not counted); n < 0 goes back; n=0 -> start."""
    if isinstance(start, datetime):
        start = start.date()
    step = timedelta(days=1 if n > 0 else -1)
    d = start
    for _ in range(abs(n)):
        d += step
        while not is_working_day(d):
            d += step
    return d


def _weekdays_through(d: date) -> int:
    """Number of Mon-Fri days from 01/01/0001 (a Monday) through d inclusive."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days d with start < d <= end; negative if end < start, 0 if equal."""
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(end, datetime):
        end = end.date()
    if end < start:
        return -working_days_between(end, start)
    count = _weekdays_through(end) - _weekdays_through(start)
    for year in range(start.year, end.year + 1):
        days_off, worked_weekends = _calendar(year)
        count -= sum(1 for h in days_off if start < h <= end and h.weekday() < 5)
        extra = (w for w in worked_weekends if w.weekday() >= 5 and w not in days_off)
        count += sum(1 for w in extra if start < w <= end)
    return count


def add_period(start: date, n: int, unit: str) -> date:
    """A deadline n days after start, counted as `unit`: "working" days or "calendar" days."""
    if unit == "working":
        return add_working_days(start, n)
    if unit == "calendar":
        return start + timedelta(days=n)
    raise ValueError(f"unknown day unit {unit!r}")
