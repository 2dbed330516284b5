"""Yearly figures from daily totals: the comparison of several years and the home page's key
figures need only counts and sums per year.

Their loader lets the database add up the rows of each day (GROUP BY day); the rules (which
statuses, which year, which direction) are still applied here. The same totals can be built
from the row-level frames (daily_totals), so tests check that both paths give the report's
figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.aid.states import APPROVED_OR_LATER
from app.delegations.states import COUNTED as COUNTED_DELEGATION_STATUSES
from app.stats.delegation_figures import INCOMING, OUTGOING
from app.stats.frames import Frames, plain, to_datetime, whole

COMPARISON_COLUMNS = (
    "year",
    "approved_count",
    "approved_vnd",
    "disbursed_vnd",
    "incoming",
    "outgoing",
)


@dataclass
class Totals:
    """Daily totals: rows are already archived-free, and disbursements are of live items.

    - approved: decision_date, status, count, value_vnd
    - disbursed: disbursed_on, value_vnd
    - delegations: start_on, direction, status, count
    """

    approved: pd.DataFrame
    disbursed: pd.DataFrame
    delegations: pd.DataFrame

    def prepared(self) -> Totals:
        approved = self.approved.assign(
            decision_date=to_datetime(self.approved["decision_date"]),
            count=whole(self.approved["count"].fillna(0)),
            value_vnd=whole(self.approved["value_vnd"].fillna(0)),
        )
        disbursed = self.disbursed.assign(
            disbursed_on=to_datetime(self.disbursed["disbursed_on"]),
            value_vnd=whole(self.disbursed["value_vnd"].fillna(0)),
        )
        delegations = self.delegations.assign(
            start_on=to_datetime(self.delegations["start_on"]),
            count=whole(self.delegations["count"].fillna(0)),
        )
        return Totals(approved, disbursed, delegations)


def daily_totals(frames: Frames) -> Totals:
    """The row-level frames added up per day (what the totals loader asks the database)."""
    f = frames.prepared()
    approved = (
        f.items.dropna(subset=["decision_date"])
        .groupby(["decision_date", "status"])
        .agg(count=("id", "size"), value_vnd=("value_vnd", "sum"))
        .reset_index()
    )
    live = f.disbursements[f.disbursements["aid_item_id"].isin(f.items["id"])]
    disbursed = live.groupby("disbursed_on")["value_vnd"].sum().reset_index()
    delegations = (
        f.delegations.groupby(["start_on", "direction", "status"]).size().rename("count")
    ).reset_index()
    return Totals(approved, disbursed, delegations)


def yearly_figures(totals: Totals, years: list[int] | range) -> pd.DataFrame:
    """One row per year (COMPARISON_COLUMNS): approved count and value (approved in the year,
    whatever the status now), disbursed value, counted delegations in and out.

    Set-based over the whole range (group by year), with the report's rules.
    """
    t = totals.prepared()
    index = pd.Index(list(years), name="year", dtype="int64")
    approved = t.approved[t.approved["status"].isin(APPROVED_OR_LATER)]
    approved = approved.groupby(approved["decision_date"].dt.year.astype("int64")).agg(
        approved_count=("count", "sum"), approved_vnd=("value_vnd", "sum")
    )
    disbursed = t.disbursed.groupby(t.disbursed["disbursed_on"].dt.year.astype("int64"))[
        "value_vnd"
    ].sum()
    counted = t.delegations[t.delegations["status"].isin(COUNTED_DELEGATION_STATUSES)]
    by_year = counted.groupby([counted["start_on"].dt.year.astype("int64"), "direction"])
    directions = by_year["count"].sum().unstack(fill_value=0)
    directions = directions.reindex(columns=[INCOMING, OUTGOING], fill_value=0)
    directions.columns = ["incoming", "outgoing"]
    # reindex with 0, never a join with NaN: the sums stay exact integers.
    table = approved.reindex(index, fill_value=0)
    table["disbursed_vnd"] = disbursed.reindex(index, fill_value=0)
    table = table.join(directions.reindex(index, fill_value=0))
    return table.reset_index()[list(COMPARISON_COLUMNS)]


def key_figures_from(totals: Totals, year: int) -> dict:
    """The home page's figures of the year: approved count and value, disbursed value,
    delegations in and out."""
    row = yearly_figures(totals, [year]).iloc[0]
    return {name: plain(row[name]) for name in COMPARISON_COLUMNS}
