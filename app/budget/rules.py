"""The flags of a yearly budget line, written once: the list, the line's page, the list's
filter (as SQL) and the statistics (app/stats/budget_figures.py) all read them here.

A line's figures are its allocation (None until finance allocates), the total of its live
spending entries and the part of it dated up to 30 September of the line's year:
- `vuot_phan_bo`: allocated, and spent more than the allocation;
- `chua_phan_bo`: not allocated, and something spent;
- `su_dung_thap`: allocated (more than 0), 30 September of the line's year has passed (on
  `as_of`), and what was spent up to that day is less than the set share of the
  allocation (BUDGET_MIN_SHARE_BY_SEPT, percent).
No database and no Flask here, except the SQL twin `flag_conditions` of `line_flags`
(tests check that both say the same on the same figures).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.budget.states import BudgetFlag

F = BudgetFlag
DEADLINE_MONTH, DEADLINE_DAY = 9, 30  # 30 September


def deadline(year: int) -> date:
    """The day by which the set share should be used."""
    return date(year, DEADLINE_MONTH, DEADLINE_DAY)


def last_year_past_deadline(as_of: date) -> int:
    """The latest year whose 30 September is already past on `as_of`."""
    return as_of.year if as_of > deadline(as_of.year) else as_of.year - 1


def deadline_passed(year: int, as_of: date) -> bool:
    return year <= last_year_past_deadline(as_of)


def share_used(spent: int, allocated: int | None) -> float | None:
    """Spent as a percent of the allocation, one decimal (half up); None without one."""
    if not allocated:
        return None
    tenths = (spent * 1000 * 2 + allocated) // (allocated * 2)  # round half up, exact
    return tenths / 10


def line_flags(
    year: int,
    allocated: int | None,
    spent: int,
    spent_by_deadline: int,
    min_share: int,
    as_of: date,
) -> list[str]:
    """The flag keys of one line, in the vocabulary's order."""
    found = []
    if allocated is not None and spent > allocated:
        found.append(F.VUOT_PHAN_BO.value)
    if allocated is None and spent > 0:
        found.append(F.CHUA_PHAN_BO.value)
    if (
        allocated is not None
        and deadline_passed(year, as_of)
        and spent_by_deadline * 100 < min_share * allocated
    ):
        found.append(F.SU_DUNG_THAP.value)
    return found


def flag_conditions(year, allocated, spent, spent_by_deadline, min_share: int, as_of: date):
    """The same rules as SQL conditions, by flag key, over column expressions (`spent` and
    `spent_by_deadline` already coalesced to 0)."""
    return {
        F.VUOT_PHAN_BO.value: sa.and_(allocated.is_not(None), spent > allocated),
        F.CHUA_PHAN_BO.value: sa.and_(allocated.is_(None), spent > 0),
        F.SU_DUNG_THAP.value: sa.and_(
            allocated.is_not(None),
            year <= last_year_past_deadline(as_of),
            spent_by_deadline * 100 < allocated * min_share,
        ),
    }


def flag_note(flag: str, min_share: int) -> str:
    """The badge's longer explanation (its title and screen-reader text)."""
    if flag == F.SU_DUNG_THAP:
        return f"Đến ngày 30/09 sử dụng chưa đạt {min_share}% số được phân bổ."
    if flag == F.VUOT_PHAN_BO:
        return "Tổng chi vượt số kinh phí được phân bổ."
    return "Đã ghi chi nhưng chưa được phân bổ kinh phí."
