"""Reading budget lines: who sees which, the list's filters and query (shared with the
export), and each line's figures and flags (app/budget/rules.py) in one query per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.budget import rules
from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import BudgetFlag, BudgetStatus
from app.core import permissions
from app.extensions import db


def min_share() -> int:
    """BUDGET_MIN_SHARE_BY_SEPT: the percent of the allocation to use by 30 September."""
    return int(current_app.config["BUDGET_MIN_SHARE_BY_SEPT"])


def visible_condition(user):
    """The lines the user may read (permissions.read_budgets, as SQL)."""
    if permissions.see_all_budgets.allows(user):
        return sa.true()
    from app.auth.models import Duty

    own = BudgetLine.agency_id == user.agency_id
    if user.agency.has(Duty.FOREIGN_AFFAIRS):  # the associations' lines are theirs
        return sa.or_(own, BudgetLine.association_id.is_not(None))
    return own


def totals_subquery():
    """Per line: its live spending total and the part dated up to 30 September. (Entries
    are dated in their line's year, so "by 30/09" is "in months 1 to 9".)"""
    amount = BudgetSpending.amount_vnd
    by_deadline = sa.case(
        (sa.extract("month", BudgetSpending.spent_on) <= rules.DEADLINE_MONTH, amount), else_=0
    )
    return (
        sa.select(
            BudgetSpending.line_id.label("line_id"),
            sa.func.sum(amount).label("spent"),
            sa.func.sum(by_deadline).label("spent_by_deadline"),
        )
        .where(BudgetSpending.archived_at.is_(None))
        .group_by(BudgetSpending.line_id)
        .subquery("budget_totals")
    )


@dataclass
class BudgetFilters:
    """The list's filters, cleaned: unknown values are dropped, never an error."""

    year: int | None = None
    agency: int | None = None
    association: int | None = None
    status: str = ""
    flag: str = ""
    archived: bool = False

    @classmethod
    def from_args(cls, args) -> BudgetFilters:
        def number(name, low=1, high=2**31 - 1):
            try:
                value = int(args.get(name, ""))
            except ValueError:
                return None
            return value if low <= value <= high else None

        status, flag = args.get("status", ""), args.get("flag", "")
        return cls(
            year=number("year", 1900, 2100),
            agency=number("agency"),
            association=number("association"),
            status=status if status in BudgetStatus.labels() else "",
            flag=flag if flag in BudgetFlag.labels() else "",
            archived=args.get("archived", "") == "1",
        )

    def args(self) -> dict:
        """The filters as query-string arguments (export links)."""
        found = {
            "year": self.year,
            "agency": self.agency,
            "association": self.association,
            "status": self.status,
            "flag": self.flag,
            "archived": "1" if self.archived else None,
        }
        return {k: v for k, v in found.items() if v}


def lines_query(filters: BudgetFilters, user, as_of: date, share: int):
    """The lines the user sees, filtered, newest year first then by owner's name."""
    from app.associations.models import Association
    from app.auth.models import Agency

    totals = totals_subquery()
    spent = sa.func.coalesce(totals.c.spent, 0)
    by_deadline = sa.func.coalesce(totals.c.spent_by_deadline, 0)
    owner_name = sa.func.coalesce(Agency.name, Association.name)
    query = (
        sa.select(BudgetLine)
        .outerjoin(totals, totals.c.line_id == BudgetLine.id)
        .outerjoin(Agency, Agency.id == BudgetLine.agency_id)
        .outerjoin(Association, Association.id == BudgetLine.association_id)
        .where(visible_condition(user))
    )
    if not filters.archived:
        query = query.where(BudgetLine.archived_at.is_(None))
    if filters.year:
        query = query.where(BudgetLine.year == filters.year)
    if filters.agency:
        query = query.where(BudgetLine.agency_id == filters.agency)
    if filters.association:
        query = query.where(BudgetLine.association_id == filters.association)
    if filters.status:
        query = query.where(BudgetLine.status == filters.status)
    if filters.flag:
        conditions = rules.flag_conditions(
            BudgetLine.year, BudgetLine.allocated_vnd, spent, by_deadline, share, as_of
        )
        query = query.where(conditions[filters.flag])
    return query.order_by(BudgetLine.year.desc(), owner_name, BudgetLine.id)


@dataclass
class LineFigures:
    spent: int = 0
    spent_by_deadline: int = 0
    share_used: float | None = None
    flags: list[str] = field(default_factory=list)


def figures_of(lines, as_of: date, share: int) -> dict[int, LineFigures]:
    """Each line's totals and flags, read in one query."""
    ids = [line.id for line in lines]
    if not ids:
        return {}
    totals = totals_subquery()
    rows = db.session.execute(sa.select(totals).where(totals.c.line_id.in_(ids))).all()
    sums = {row.line_id: (int(row.spent or 0), int(row.spent_by_deadline or 0)) for row in rows}
    found = {}
    for line in lines:
        spent, by_deadline = sums.get(line.id, (0, 0))
        found[line.id] = LineFigures(
            spent=spent,
            spent_by_deadline=by_deadline,
            share_used=rules.share_used(spent, line.allocated_vnd),
            flags=rules.line_flags(line.year, line.allocated_vnd, spent, by_deadline, share, as_of),
        )
    return found


def spending_of(line: BudgetLine) -> list[BudgetSpending]:
    """The line's entries, archived ones included (struck through), by date."""
    return db.session.scalars(
        sa.select(BudgetSpending)
        .where(BudgetSpending.line_id == line.id)
        .order_by(BudgetSpending.spent_on, BudgetSpending.id)
    ).all()


def owner_choices(user) -> tuple[list, list]:
    """(agencies, associations) that own lines the user sees, for the list's filters."""
    from app.associations.models import Association
    from app.auth.models import Agency

    visible = visible_condition(user)
    agencies = db.session.execute(
        sa.select(Agency.id, Agency.name)
        .where(Agency.id.in_(sa.select(BudgetLine.agency_id).where(visible)))
        .order_by(Agency.name)
    ).all()
    associations = db.session.execute(
        sa.select(Association.id, Association.name)
        .where(Association.id.in_(sa.select(BudgetLine.association_id).where(visible)))
        .order_by(Association.name)
    ).all()
    return agencies, associations


def years_in_use(user) -> list[int]:
    return db.session.scalars(
        sa.select(BudgetLine.year)
        .where(visible_condition(user))
        .distinct()
        .order_by(BudgetLine.year.desc())
    ).all()
