"""Delegation figures of the annual report (spec/annual-report.md): counted delegations in
and out, their members and visitors, by country, purpose and month.

Pure functions of prepared frames (app.stats.frames); the counted statuses come from
app.delegations.states.
"""

from __future__ import annotations

import pandas as pd

from app.delegations.states import COUNTED as COUNTED_DELEGATION_STATUSES
from app.stats.frames import in_year, sort_rows

INCOMING, OUTGOING = "vao", "ra"


def counted_delegations(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Delegations starting in `year` in a COUNTED status (app.delegations.states)."""
    mask = in_year(delegations["start_on"], year)
    mask &= delegations["status"].isin(COUNTED_DELEGATION_STATUSES)
    return delegations[mask]


def _counted_members(delegations: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    return members.merge(
        delegations[["id", "direction", "country"]],
        left_on="delegation_id",
        right_on="id",
        how="inner",
    )


def delegation_summary(delegations: pd.DataFrame, members: pd.DataFrame, year: int) -> dict:
    counted = counted_delegations(delegations, year)
    people = _counted_members(counted, members)
    incoming = counted["direction"] == INCOMING
    visitors = people[people["direction"] == INCOMING]
    passport = visitors["passport_number"].astype("object")
    with_passport = visitors[passport.notna() & (passport.fillna("").str.strip() != "")]
    unique = with_passport.drop_duplicates(["passport_number", "nationality"])
    return {
        "incoming": {
            "count": int(incoming.sum()),
            "members": int((people["direction"] == INCOMING).sum()),
            "unique_visitors": len(unique),
            "border_area": int((incoming & counted["is_border_area"].astype(bool)).sum()),
        },
        "outgoing": {
            "count": int((counted["direction"] == OUTGOING).sum()),
            "members": int((people["direction"] == OUTGOING).sum()),
        },
    }


def _directions(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """incoming/outgoing counts per key (set-based pivot)."""
    table = pd.crosstab(frame[key], frame["direction"])
    table = table.reindex(columns=[INCOMING, OUTGOING], fill_value=0)
    table.columns = ["incoming", "outgoing"]
    return table.astype("int64")


def delegations_by_country(delegations: pd.DataFrame, members: pd.DataFrame, year: int):
    counted = counted_delegations(delegations, year)
    table = _directions(counted, "country")
    people = _counted_members(counted, members).groupby("country").size()
    table["members"] = people.reindex(table.index, fill_value=0).astype("int64")
    table = table.rename_axis("country").reset_index()
    return sort_rows(table, table["incoming"] + table["outgoing"], "country")


def delegations_by_purpose(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    counted = counted_delegations(delegations, year)
    table = _directions(counted, "purpose").rename_axis("purpose").reset_index()
    return sort_rows(table, table["incoming"] + table["outgoing"], "purpose")


def delegations_by_month(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Counted delegations by month of tu_ngay, all 12 months."""
    counted = counted_delegations(delegations, year)
    table = _directions(counted.assign(month=counted["start_on"].dt.month), "month")
    table = table.reindex(range(1, 13), fill_value=0).rename_axis("month").reset_index()
    return table.astype("int64")
