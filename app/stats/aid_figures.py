"""Aid figures of the annual report (spec/annual-report.md): approved, disbursed and active
items, and the approved items by sector, donor country, donor and modality.

Pure functions of prepared frames (app.stats.frames); the status groups come from
app.aid.states.
"""

from __future__ import annotations

from math import lcm

import pandas as pd

from app.aid.states import ACTIVE as ACTIVE_STATUSES
from app.aid.states import APPROVED_OR_LATER
from app.stats.frames import Frames, PaidTotals, in_year, python_ints, sort_rows
from app.stats.money import usd_rate_micros, usd_total

# Sector shares have 2 decimals (1/10 000 of the value); an equal split between n <= 12
# sectors is value/n. Every contribution is an exact multiple of 1/_SHARE_UNITS đồng.
_MAX_SECTORS = 12
_SPLIT_LCM = lcm(*range(1, _MAX_SECTORS + 1))
_SHARE_UNITS = 10_000 * _SPLIT_LCM


def _py(value):
    """numpy scalars to Python ints (JSON)."""
    return int(value) if value is not None else None


def approved_items(items: pd.DataFrame, year: int) -> pd.DataFrame:
    """Items whose approval decision is dated in `year`, whatever their status now."""
    mask = in_year(items["decision_date"], year) & items["status"].isin(APPROVED_OR_LATER)
    return items[mask]


def approved_summary(items: pd.DataFrame, year: int) -> dict:
    approved = approved_items(items, year)
    value_usd, missing = usd_total(approved["value_vnd"], usd_rate_micros(approved))
    return {
        "count": len(approved),
        "value_vnd": _py(approved["value_vnd"].sum()),
        "value_usd": value_usd,
        "usd_missing": missing,
        "counterpart_vnd": _py(approved["counterpart_vnd"].sum()),
    }


def disbursements_in_year(disbursements: pd.DataFrame, items: pd.DataFrame, year: int):
    """Disbursements dated in `year` of a live item (those of archived items are gone)."""
    mask = in_year(disbursements["disbursed_on"], year)
    mask &= disbursements["aid_item_id"].isin(items["id"])
    return disbursements[mask]


def paid_totals(frames: Frames, year: int) -> PaidTotals:
    """The year's disbursements of live items added up (frames.PaidTotals): those the loader
    gave, else one line per row of the prepared frames."""
    if frames.paid is not None:
        if frames.paid.year != year:
            raise ValueError(f"disbursement totals of {frames.paid.year}, not {year}")
        return frames.paid
    return totals_of_rows(
        disbursements_in_year(frames.disbursements, frames.items, year), frames.items, year
    )


def totals_of_rows(paid: pd.DataFrame, items: pd.DataFrame, year: int) -> PaidTotals:
    """Disbursement rows (already chosen) as totals of one line per row."""
    rows = pd.Series(1, index=paid.index, dtype="int64")
    by_rate = paid[["currency", "rate_vnd", "rate_usd", "value_vnd"]].assign(rows=rows)
    by_donor = pd.DataFrame(
        {"main_donor_id": _donor_of(paid, items), "rows": rows, "value_vnd": paid["value_vnd"]}
    )
    return PaidTotals(year, by_rate, by_donor)


def disbursed_from(totals: PaidTotals) -> dict:
    """count, value_vnd, value_usd (summed per rate, rounded once) and usd_missing."""
    lines = totals.by_rate
    value_usd, missing = usd_total(lines["value_vnd"], usd_rate_micros(lines), lines["rows"])
    return {
        "count": _py(lines["rows"].sum()),
        "value_vnd": _py(lines["value_vnd"].sum()),
        "value_usd": value_usd,
        "usd_missing": missing,
    }


def disbursed_summary(disbursements: pd.DataFrame, items: pd.DataFrame, year: int) -> dict:
    paid = disbursements_in_year(disbursements, items, year)
    return disbursed_from(totals_of_rows(paid, items, year))


def active_items(items: pd.DataFrame, year: int) -> pd.DataFrame:
    """Items in an ACTIVE status (app.aid.states) whose period [start or decision, end or
    open] meets the year."""
    first = pd.Timestamp(year=year, month=1, day=1)
    last = pd.Timestamp(year=year, month=12, day=31)
    start = items["start_on"].fillna(items["decision_date"])
    mask = items["status"].isin(ACTIVE_STATUSES) & (start <= last).fillna(False)
    mask &= items["end_on"].isna() | (items["end_on"] >= first).fillna(False)
    return items[mask]


def by_sector(items: pd.DataFrame, sectors: pd.DataFrame, year: int) -> pd.DataFrame:
    """Approved-in-Y items per sector: count, value_vnd (shares; equal split exactly 1/n;
    each row rounded half up after the sum)."""
    approved = approved_items(items, year)[["id", "value_vnd"]]
    rows = sectors.merge(approved, left_on="aid_item_id", right_on="id", how="inner")
    if rows.empty:
        return pd.DataFrame({"sector": [], "count": [], "value_vnd": []}).astype(
            {"sector": "object", "count": "int64", "value_vnd": "int64"}
        )
    per_item = rows.groupby("aid_item_id")["sector"].transform("size")
    if (per_item > _MAX_SECTORS).any():
        raise ValueError(f"an item has more than {_MAX_SECTORS} sectors")
    # An item uses its shares only when every one of its sectors has one.
    all_shared = rows["share"].notna().groupby(rows["aid_item_id"]).transform("all")
    value = rows["value_vnd"]
    share = rows["share"].fillna(0).astype("int64")
    if value.dtype == object:
        share, per_item = python_ints(share), python_ints(per_item)
    # Whole đồng and the remainder in 1/_SHARE_UNITS đồng, so no sum leaves int64.
    shared = value * share
    whole = (shared // 10_000).where(all_shared, value // per_item)
    units = ((shared % 10_000) * _SPLIT_LCM).where(
        all_shared, (value % per_item) * (_SHARE_UNITS // per_item)
    )
    grouped = pd.DataFrame({"sector": rows["sector"], "whole": whole, "units": units})
    sums = grouped.groupby("sector").agg(
        count=("whole", "size"), whole=("whole", "sum"), units=("units", "sum")
    )
    carry, remainder = sums["units"] // _SHARE_UNITS, sums["units"] % _SHARE_UNITS
    sums["value_vnd"] = sums["whole"] + carry + (2 * remainder >= _SHARE_UNITS).astype("int64")
    result = sums.reset_index()[["sector", "count", "value_vnd"]]
    return sort_rows(result, "value_vnd", "sector")


_NO_DONOR = -1  # group key of an item without a main donor (reported as null)


def _donor_of(frame: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """The main donor id of each row's item (rows of items or of disbursements)."""
    if "main_donor_id" in frame.columns:
        donors = frame["main_donor_id"]
    else:
        lookup = items.set_index("id")["main_donor_id"]
        donors = frame["aid_item_id"].map(lookup)
    return donors.astype("Int64").fillna(_NO_DONOR).astype("int64")


def _per_donor(frames: Frames, year: int) -> pd.DataFrame:
    """Per main donor id: count and value_vnd approved in Y, disbursed_vnd in Y."""
    approved = approved_items(frames.items, year)
    paid = paid_totals(frames, year).by_donor
    counted = approved.groupby(_donor_of(approved, frames.items)).agg(
        count=("id", "size"), value_vnd=("value_vnd", "sum")
    )
    donors = paid["main_donor_id"].fillna(_NO_DONOR).astype("int64")
    disbursed = paid.groupby(donors)["value_vnd"].sum()
    index = counted.index.union(disbursed.index)
    # reindex with 0 (not an outer join with NaN): sums stay exact integers.
    table = counted.reindex(index, fill_value=0)
    table["disbursed_vnd"] = disbursed.reindex(index, fill_value=0)
    table = table.rename_axis("main_donor_id").reset_index()
    organizations = frames.organizations.drop_duplicates("id").set_index("id")
    for column in ("code", "name", "country"):
        table[column] = table["main_donor_id"].map(organizations[column]).astype("object")
        table[column] = table[column].where(table[column].notna(), None)
    return table


def by_country(frames: Frames, year: int) -> pd.DataFrame:
    """Approved-in-Y items by the main donor's country (count, value_vnd) and disbursements
    in Y by the main donor's country of their item (disbursed_vnd)."""
    frames = frames.prepared()
    per_donor = _per_donor(frames, year)
    key = per_donor["country"].fillna("")
    table = per_donor.groupby(key)[["count", "value_vnd", "disbursed_vnd"]].sum()
    table = table.rename_axis("country").reset_index()
    table["country"] = table["country"].replace("", None)
    return sort_rows(
        table[["country", "count", "value_vnd", "disbursed_vnd"]], "value_vnd", "country"
    )


def by_donor(frames: Frames, year: int) -> pd.DataFrame:
    """The same as by_country, by main donor (code and name)."""
    frames = frames.prepared()
    table = _per_donor(frames, year).rename(columns={"code": "donor"})
    return sort_rows(
        table[["donor", "name", "count", "value_vnd", "disbursed_vnd"]], "value_vnd", "donor"
    )


def by_modality(items: pd.DataFrame, year: int) -> pd.DataFrame:
    approved = approved_items(items, year)
    table = approved.groupby("modality").agg(count=("id", "size"), value_vnd=("value_vnd", "sum"))
    table = table.reset_index()[["modality", "count", "value_vnd"]]
    return sort_rows(table, "value_vnd", "modality")
