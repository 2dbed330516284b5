"""The yearly people-to-people diplomacy budget in figures (docs/spec/budget.md): proposed,
allocated and spent totals, each owner's line with its share used and flags, and the count
of each flag.

`load_budget_frames(year)` reads one SQL query per table (lines with their owner's name,
spending entries of those lines), archived rows left out. `budget_figures(...)` is pure
pandas: no Flask, no database; its flags are those of app/budget/rules.py, the rules the
list and the line's page show.

Input frames (extra columns are ignored; an `archived_at` column, when present, drops the
archived rows):
- lines: id, year, agency_id, association_id, owner_name, status, proposed_vnd,
  allocated_vnd (None/NaN until allocated)
- spending: line_id, spent_on (date), amount_vnd
VND are whole đồng; sums are Python ints.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.budget import rules
from app.budget.states import BudgetFlag

LINE_COLUMNS = (
    "id",
    "year",
    "agency_id",
    "association_id",
    "owner_name",
    "status",
    "proposed_vnd",
    "allocated_vnd",
)
SPENDING_COLUMNS = ("line_id", "spent_on", "amount_vnd")


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    if "archived_at" in frame.columns:
        return frame[frame["archived_at"].isna()]
    return frame


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _id_or_none(value) -> int | None:
    return _int_or_none(value)


def budget_figures(
    lines_df: pd.DataFrame,
    spending_df: pd.DataFrame,
    year: int,
    share_setting: int,
    as_of: date,
) -> dict:
    """The figures of `year` on the day `as_of` (spending dated after it is not counted;
    the 30 September rule applies once that day of `year` has passed)."""
    lines = _live(lines_df)
    lines = lines[lines["year"] == year]
    spending = _live(spending_df)
    spending = spending[spending["line_id"].isin(lines["id"])]
    days = pd.to_datetime(spending["spent_on"]).dt.date
    spending = spending[days <= as_of]
    days = days[days <= as_of]
    by_deadline = spending[days <= rules.deadline(year)]
    spent = spending.groupby("line_id")["amount_vnd"].sum()
    spent_early = by_deadline.groupby("line_id")["amount_vnd"].sum()

    owners = []
    counts = dict.fromkeys(BudgetFlag.labels(), 0)
    for line in lines.itertuples(index=False):
        allocated = _int_or_none(line.allocated_vnd)
        line_spent = int(spent.get(line.id, 0))
        line_early = int(spent_early.get(line.id, 0))
        flags = rules.line_flags(year, allocated, line_spent, line_early, share_setting, as_of)
        for flag in flags:
            counts[flag] += 1
        association_id = _id_or_none(line.association_id)
        owners.append(
            {
                "owner_type": "association" if association_id is not None else "agency",
                "owner_id": association_id
                if association_id is not None
                else _id_or_none(line.agency_id),
                "owner_name": line.owner_name,
                "status": line.status,
                "proposed_vnd": int(line.proposed_vnd),
                "allocated_vnd": allocated,
                "spent_vnd": line_spent,
                "spent_by_sept_vnd": line_early,
                "share_used_percent": rules.share_used(line_spent, allocated),
                "flags": flags,
            }
        )
    owners.sort(key=lambda row: (-row["proposed_vnd"], row["owner_name"] or ""))
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "min_share_by_sept_percent": share_setting,
        "deadline_passed": rules.deadline_passed(year, as_of),
        "totals": {
            "lines": len(owners),
            "allocated_lines": sum(1 for row in owners if row["allocated_vnd"] is not None),
            "proposed_vnd": sum(row["proposed_vnd"] for row in owners),
            "allocated_vnd": sum(row["allocated_vnd"] or 0 for row in owners),
            "spent_vnd": sum(row["spent_vnd"] for row in owners),
            "spent_by_sept_vnd": sum(row["spent_by_sept_vnd"] for row in owners),
        },
        "by_owner": owners,
        "flags": counts,
    }


# --- Loading (one SQL query per table) -------------------------------------------------------


def load_budget_frames(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The live lines of `year` with their owner's name, and their live spending."""
    import sqlalchemy as sa

    from app.associations.models import Association
    from app.auth.models import Agency
    from app.budget.models import BudgetLine, BudgetSpending
    from app.extensions import db

    line_query = (
        sa.select(
            BudgetLine.id,
            BudgetLine.year,
            BudgetLine.agency_id,
            BudgetLine.association_id,
            sa.func.coalesce(Agency.name, Association.name).label("owner_name"),
            sa.type_coerce(BudgetLine.status, sa.String).label("status"),
            BudgetLine.proposed_vnd,
            BudgetLine.allocated_vnd,
        )
        .outerjoin(Agency, Agency.id == BudgetLine.agency_id)
        .outerjoin(Association, Association.id == BudgetLine.association_id)
        .where(BudgetLine.year == year, BudgetLine.archived_at.is_(None))
    )
    spending_query = (
        sa.select(BudgetSpending.line_id, BudgetSpending.spent_on, BudgetSpending.amount_vnd)
        .join(BudgetLine, BudgetLine.id == BudgetSpending.line_id)
        .where(
            BudgetLine.year == year,
            BudgetLine.archived_at.is_(None),
            BudgetSpending.archived_at.is_(None),
        )
    )
    lines = pd.DataFrame(db.session.execute(line_query).all(), columns=list(LINE_COLUMNS))
    spending = pd.DataFrame(
        db.session.execute(spending_query).all(), columns=list(SPENDING_COLUMNS)
    )
    lines["allocated_vnd"] = lines["allocated_vnd"].astype(object)
    return lines, spending
