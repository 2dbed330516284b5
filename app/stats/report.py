"""The annual report (spec/annual-report.md) as pure functions from DataFrames.

Nothing here touches Flask or the database: the loaders (app.stats.loaders) feed one frame
per source table and these functions apply every counting rule of the spec. Tests build the
frames by hand.

Input frames and their columns (extra columns are ignored; an `archived_at` column, when
present, drops the archived rows):

- items: id, status, decision_date, start_on, end_on, modality, main_donor_id, value_vnd,
  counterpart_vnd, currency, rate_vnd, rate_usd
- sectors: aid_item_id, sector, share (percent; None/NaN for an equal split)
- disbursements: aid_item_id, disbursed_on, value_vnd, currency, rate_vnd, rate_usd
- organizations: id, code, name, country
- delegations: id, direction ("vao"/"ra"), status, start_on, country, purpose,
  is_border_area
- members: delegation_id, passport_number, nationality

Money is exact: VND values are whole đồng (int64 sums, or Python ints when a sum could
overflow); USD totals and sector shares are summed as exact fractions and rounded half up
once, after the sum. Rates are stored with 6 decimals, so they are handled as integer
millionths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import floor, lcm
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

from app.aid.states import ACTIVE as ACTIVE_STATUSES
from app.aid.states import APPROVED_OR_LATER
from app.delegations.states import COUNTED as COUNTED_DELEGATION_STATUSES

INCOMING, OUTGOING = "vao", "ra"

ITEM_COLUMNS = (
    "id",
    "status",
    "decision_date",
    "start_on",
    "end_on",
    "modality",
    "main_donor_id",
    "value_vnd",
    "counterpart_vnd",
    "currency",
    "rate_vnd",
    "rate_usd",
)
SECTOR_COLUMNS = ("aid_item_id", "sector", "share")
DISBURSEMENT_COLUMNS = (
    "aid_item_id",
    "disbursed_on",
    "value_vnd",
    "currency",
    "rate_vnd",
    "rate_usd",
)
ORGANIZATION_COLUMNS = ("id", "code", "name", "country")
DELEGATION_COLUMNS = (
    "id",
    "direction",
    "status",
    "start_on",
    "country",
    "purpose",
    "is_border_area",
)
MEMBER_COLUMNS = ("delegation_id", "passport_number", "nationality")

_DATE_COLUMNS = {
    "items": ("decision_date", "start_on", "end_on"),
    "disbursements": ("disbursed_on",),
    "delegations": ("start_on",),
}
COLUMNS = {
    "items": ITEM_COLUMNS,
    "sectors": SECTOR_COLUMNS,
    "disbursements": DISBURSEMENT_COLUMNS,
    "organizations": ORGANIZATION_COLUMNS,
    "delegations": DELEGATION_COLUMNS,
    "members": MEMBER_COLUMNS,
}

# Above this a product of a VND value and a share (in hundredths of a percent) could leave
# int64; such frames are computed with Python integers instead (slower, still exact).
_INT64_SAFE_VND = 9 * 10**14
# Sector shares have 2 decimals (1/10 000 of the value); an equal split between n <= 12
# sectors is value/n. Every contribution is an exact multiple of 1/_SHARE_UNITS đồng.
_MAX_SECTORS = 12
_SPLIT_LCM = lcm(*range(1, _MAX_SECTORS + 1))
_SHARE_UNITS = 10_000 * _SPLIT_LCM


def empty_frame(kind: str) -> pd.DataFrame:
    """An empty input frame of the given kind ("items", "sectors", ...)."""
    return pd.DataFrame({name: pd.Series(dtype="object") for name in COLUMNS[kind]})


@dataclass
class Frames:
    """The six source frames of a report (missing ones are empty)."""

    items: pd.DataFrame = field(default_factory=lambda: empty_frame("items"))
    sectors: pd.DataFrame = field(default_factory=lambda: empty_frame("sectors"))
    disbursements: pd.DataFrame = field(default_factory=lambda: empty_frame("disbursements"))
    organizations: pd.DataFrame = field(default_factory=lambda: empty_frame("organizations"))
    delegations: pd.DataFrame = field(default_factory=lambda: empty_frame("delegations"))
    members: pd.DataFrame = field(default_factory=lambda: empty_frame("members"))

    def prepared(self) -> Frames:
        """The frames with archived rows dropped and columns of predictable dtypes."""
        if getattr(self, "_is_prepared", False):
            return self
        result = Frames(**{kind: _prepare(kind, getattr(self, kind)) for kind in COLUMNS})
        result._is_prepared = True
        return result


# --- Preparing the frames ------------------------------------------------------------------


def _prepare(kind: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        frame = empty_frame(kind)
    missing = [c for c in COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise ValueError(f"{kind}: missing columns {missing}")
    if "archived_at" in frame.columns:
        frame = frame[frame["archived_at"].isna()]
    frame = frame.loc[:, list(COLUMNS[kind])].copy()
    for column in _DATE_COLUMNS.get(kind, ()):
        frame[column] = _to_datetime(frame[column])
    if kind in ("items", "disbursements"):
        frame["value_vnd"] = _whole(frame["value_vnd"].fillna(0))
        if kind == "items":
            frame["counterpart_vnd"] = _whole(frame["counterpart_vnd"].fillna(0))
            frame["main_donor_id"] = _nullable_int(frame["main_donor_id"])
            frame["id"] = _whole(frame["id"])
        else:
            frame["aid_item_id"] = _whole(frame["aid_item_id"])
        frame["currency"] = frame["currency"].astype("object").fillna("VND").str.upper()
        frame["rate_vnd"] = _to_float(frame["rate_vnd"])
        frame["rate_usd"] = _to_float(frame["rate_usd"])
    elif kind == "sectors":
        frame["aid_item_id"] = _whole(frame["aid_item_id"])
        # Shares in hundredths of a percent (Numeric(5, 2)), <NA> for an equal split.
        shares = (_to_float(frame["share"]) * 100).round()
        frame["share"] = shares.astype("Float64").astype("Int64")
    elif kind == "organizations":
        frame["id"] = _whole(frame["id"])
    elif kind == "delegations":
        frame["id"] = _whole(frame["id"])
        frame["is_border_area"] = frame["is_border_area"].astype("boolean").fillna(False)
    elif kind == "members":
        frame["delegation_id"] = _whole(frame["delegation_id"])
    return frame.reset_index(drop=True)


def _to_datetime(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return pd.to_datetime(series, errors="coerce")


def _to_float(series: pd.Series) -> pd.Series:
    """Rates as float (Decimal, int, str or float in; NaN for missing)."""
    return pd.to_numeric(series.astype("object"), errors="coerce").astype("float64")


def _whole(series: pd.Series) -> pd.Series:
    """Whole numbers as int64, or Python ints (object) when a product or a sum of them could
    leave int64 (never silently wrapped)."""
    if series.dtype == object:
        series = _python_ints(series)
    elif pd.api.types.is_float_dtype(series):
        series = series.round().astype("int64")
    else:
        series = series.astype("int64")
    if len(series) == 0:
        return series.astype("int64")
    magnitude = series.abs()
    too_big = magnitude.max() > _INT64_SAFE_VND or float(magnitude.astype("float64").sum()) > 4e18
    if too_big:
        return _python_ints(series)
    return series.astype("int64")


def _python_ints(series: pd.Series) -> pd.Series:
    """An object Series of Python ints (unbounded; pandas must not infer int64 back)."""
    return pd.Series([int(v) for v in series], index=series.index, dtype="object")


def _nullable_int(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.astype("object"), errors="coerce").astype("Int64")


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return (dates.dt.year == year).fillna(False).astype(bool)


def _py(value):
    """numpy scalars to Python ints (JSON)."""
    return int(value) if value is not None else None


# --- Exact money ---------------------------------------------------------------------------


def round_half_up_fraction(value: Fraction) -> int:
    """floor(value + 1/2): half up (2.5 -> 3, 0.5 -> 1) for the non-negative sums here."""
    return floor(value + Fraction(1, 2))


def usd_rate_micros(frame: pd.DataFrame) -> pd.Series:
    """Each row's VND-per-USD rate in millionths: ty_gia_usd, or ty_gia for a USD amount.

    <NA> when neither applies (the row is counted in usd_missing).
    """
    rate = frame["rate_usd"].where(frame["rate_usd"] > 0)
    fallback = frame["rate_vnd"].where((frame["currency"] == "USD") & (frame["rate_vnd"] > 0))
    micros = (rate.fillna(fallback) * 1_000_000).round()
    return micros.astype("Float64").astype("Int64")


def usd_total(value_vnd: pd.Series, rate_micros: pd.Series) -> tuple[Decimal, int]:
    """(Σ value_vnd / rate rounded half up to cents, rows without a rate).

    The sum is exact: values are grouped by rate (set-based), then Σ s·10⁶/r is computed
    in integers with enough extra digits to know the rounding, with a Fraction fallback for
    the rare sum that lies on a half cent.
    """
    known = rate_micros.notna()
    missing = int((~known).sum())
    if not known.any():
        return Decimal("0.00"), missing
    sums = value_vnd[known].groupby(rate_micros[known].astype("int64")).sum()
    scale = 10**24
    total = inexact = 0
    pairs = [(int(r), int(s)) for r, s in sums.items()]
    for rate, amount in pairs:
        quotient, remainder = divmod(amount * 100_000_000 * scale, rate)  # cents x scale
        total += quotient
        inexact += remainder != 0
    low = (total + scale // 2) // scale
    high = (total + inexact + scale // 2) // scale
    if low != high:  # the exact sum is within a rounding error of a half cent
        exact = sum((Fraction(s * 100_000_000, r) for r, s in pairs), Fraction(0))
        low = round_half_up_fraction(exact)
    return Decimal(low).scaleb(-2), missing


# --- Aid ------------------------------------------------------------------------------------


def approved_items(items: pd.DataFrame, year: int) -> pd.DataFrame:
    """Items whose approval decision is dated in `year`, whatever their status now."""
    mask = _in_year(items["decision_date"], year) & items["status"].isin(APPROVED_OR_LATER)
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
    mask = _in_year(disbursements["disbursed_on"], year)
    mask &= disbursements["aid_item_id"].isin(items["id"])
    return disbursements[mask]


def disbursed_summary(disbursements: pd.DataFrame, items: pd.DataFrame, year: int) -> dict:
    paid = disbursements_in_year(disbursements, items, year)
    value_usd, missing = usd_total(paid["value_vnd"], usd_rate_micros(paid))
    return {
        "count": len(paid),
        "value_vnd": _py(paid["value_vnd"].sum()),
        "value_usd": value_usd,
        "usd_missing": missing,
    }


def active_items(items: pd.DataFrame, year: int) -> pd.DataFrame:
    """Status da_phe_duyet/dang_thuc_hien/hoan_thanh and [start or decision, end or open]
    meets the year."""
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
        share, per_item = _python_ints(share), _python_ints(per_item)
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
    return _sort(result, "value_vnd", "sector")


def _sort(frame: pd.DataFrame, value: str | pd.Series, key: str) -> pd.DataFrame:
    """Descending by value, then ascending by key (missing keys last)."""
    order = frame.assign(
        _value=frame[value] if isinstance(value, str) else value,
        _missing=frame[key].isna(),
        _key=frame[key].fillna(""),
    )
    order = order.sort_values(["_value", "_missing", "_key"], ascending=[False, True, True])
    return order.drop(columns=["_value", "_missing", "_key"]).reset_index(drop=True)


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
    paid = disbursements_in_year(frames.disbursements, frames.items, year)
    counted = approved.groupby(_donor_of(approved, frames.items)).agg(
        count=("id", "size"), value_vnd=("value_vnd", "sum")
    )
    disbursed = paid.groupby(_donor_of(paid, frames.items))["value_vnd"].sum()
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
    return _sort(table[["country", "count", "value_vnd", "disbursed_vnd"]], "value_vnd", "country")


def by_donor(frames: Frames, year: int) -> pd.DataFrame:
    """The same as by_country, by main donor (code and name)."""
    frames = frames.prepared()
    table = _per_donor(frames, year).rename(columns={"code": "donor"})
    return _sort(
        table[["donor", "name", "count", "value_vnd", "disbursed_vnd"]], "value_vnd", "donor"
    )


def by_modality(items: pd.DataFrame, year: int) -> pd.DataFrame:
    approved = approved_items(items, year)
    table = approved.groupby("modality").agg(count=("id", "size"), value_vnd=("value_vnd", "sum"))
    table = table.reset_index()[["modality", "count", "value_vnd"]]
    return _sort(table, "value_vnd", "modality")


# --- Delegations ----------------------------------------------------------------------------


def counted_delegations(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Delegations starting in `year` with status da_duyet or hoan_thanh."""
    mask = _in_year(delegations["start_on"], year)
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
    return _sort(table, table["incoming"] + table["outgoing"], "country")


def delegations_by_purpose(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    counted = counted_delegations(delegations, year)
    table = _directions(counted, "purpose").rename_axis("purpose").reset_index()
    return _sort(table, table["incoming"] + table["outgoing"], "purpose")


def delegations_by_month(delegations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Counted delegations by month of tu_ngay, all 12 months."""
    counted = counted_delegations(delegations, year)
    table = _directions(counted.assign(month=counted["start_on"].dt.month), "month")
    table = table.reindex(range(1, 13), fill_value=0).rename_axis("month").reset_index()
    return table.astype("int64")


# --- The report -----------------------------------------------------------------------------


def _plain(value):
    """A cell as a JSON-ready Python value (numpy ints to int, missing to None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python values, in the frame's column order."""
    columns = list(frame.columns)
    return [
        {name: _plain(value) for name, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _usd(value: Decimal) -> float:
    return float(value)


def aid_section(frames: Frames, year: int) -> dict:
    f = frames.prepared()
    approved = approved_summary(f.items, year)
    disbursed = disbursed_summary(f.disbursements, f.items, year)
    approved["value_usd"] = _usd(approved["value_usd"])
    disbursed["value_usd"] = _usd(disbursed["value_usd"])
    return {
        "approved": {
            "count": approved["count"],
            "value_vnd": approved["value_vnd"],
            "value_usd": approved["value_usd"],
            "usd_missing": approved["usd_missing"],
            "counterpart_vnd": approved["counterpart_vnd"],
        },
        "disbursed": disbursed,
        "active_count": len(active_items(f.items, year)),
        "by_sector": _records(by_sector(f.items, f.sectors, year)),
        "by_country": _records(by_country(f, year)),
        "by_donor": _records(by_donor(f, year)),
        "by_modality": _records(by_modality(f.items, year)),
    }


def delegation_section(frames: Frames, year: int) -> dict:
    f = frames.prepared()
    summary = delegation_summary(f.delegations, f.members, year)
    return {
        "incoming": summary["incoming"],
        "outgoing": summary["outgoing"],
        "by_country": _records(delegations_by_country(f.delegations, f.members, year)),
        "by_purpose": _records(delegations_by_purpose(f.delegations, year)),
        "by_month": _records(delegations_by_month(f.delegations, year)),
    }


def generated_now() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)


def annual_report(frames: Frames, year: int, generated_at: datetime | None = None) -> dict:
    """The report of `year` in the JSON shape of the spec (same keys, same order)."""
    frames = frames.prepared()
    moment = (generated_at or generated_now()).astimezone(VN_TZ).replace(microsecond=0)
    return {
        "year": year,
        "generated_at": moment.isoformat(),
        "aid": aid_section(frames, year),
        "delegations": delegation_section(frames, year),
    }


# --- Yearly figures from daily totals ---------------------------------------------------------
# The comparison of several years and the home page's key figures need only counts and sums
# per year. Their loader lets the database add up the rows of each day (GROUP BY day); the
# rules (which statuses, which year, which direction) are still applied here. The same
# totals can be built from the row-level frames (daily_totals), so tests check that both
# paths give the report's figures.

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
            decision_date=_to_datetime(self.approved["decision_date"]),
            count=_whole(self.approved["count"].fillna(0)),
            value_vnd=_whole(self.approved["value_vnd"].fillna(0)),
        )
        disbursed = self.disbursed.assign(
            disbursed_on=_to_datetime(self.disbursed["disbursed_on"]),
            value_vnd=_whole(self.disbursed["value_vnd"].fillna(0)),
        )
        delegations = self.delegations.assign(
            start_on=_to_datetime(self.delegations["start_on"]),
            count=_whole(self.delegations["count"].fillna(0)),
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
    return {name: _plain(row[name]) for name in COMPARISON_COLUMNS}
