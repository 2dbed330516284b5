"""The report's input: six source frames with fixed columns, and the helpers that give them
predictable dtypes (pure pandas; no Flask, no database).

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

Instead of the disbursements' rows, a Frames may carry their year's totals (`paid`,
PaidTotals below): what the report's loader asks the database for.

VND values are whole đồng: int64, or Python ints when a product or a sum could overflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
PAID_RATE_COLUMNS = ("currency", "rate_vnd", "rate_usd", "rows", "value_vnd")
PAID_DONOR_COLUMNS = ("main_donor_id", "rows", "value_vnd")

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
INT64_SAFE_VND = 9 * 10**14


def empty_frame(kind: str) -> pd.DataFrame:
    """An empty input frame of the given kind ("items", "sectors", ...)."""
    return pd.DataFrame({name: pd.Series(dtype="object") for name in COLUMNS[kind]})


@dataclass
class PaidTotals:
    """The disbursements of one year of live items, added up: all the report's rules need
    of them (spec/annual-report.md), since they only count those rows and add their stored
    VND values (each one already rounded half up once, when it was recorded):

    - by_rate: currency, rate_vnd, rate_usd, rows (how many disbursements), value_vnd
      (their sum): the count, the VND value and the USD value (summed per rate, then
      rounded once) of "disbursed in Y";
    - by_donor: main_donor_id of their item (<NA>: none), rows, value_vnd: disbursed_vnd
      by donor and by country.

    Several lines may have the same key (one line per row is valid): every figure is a sum
    over the lines. The loader (app.stats.loaders.load_report_frames) lets the database
    add them up; aid_figures.paid_totals builds the same from the rows.
    """

    year: int
    by_rate: pd.DataFrame
    by_donor: pd.DataFrame

    def prepared(self) -> PaidTotals:
        by_rate = self.by_rate.loc[:, list(PAID_RATE_COLUMNS)].copy()
        by_rate["currency"] = by_rate["currency"].astype("object").fillna("VND").str.upper()
        by_rate["rate_vnd"] = to_float(by_rate["rate_vnd"])
        by_rate["rate_usd"] = to_float(by_rate["rate_usd"])
        by_donor = self.by_donor.loc[:, list(PAID_DONOR_COLUMNS)].copy()
        by_donor["main_donor_id"] = nullable_int(by_donor["main_donor_id"])
        for frame in (by_rate, by_donor):
            frame["rows"] = whole(frame["rows"].fillna(0))
            frame["value_vnd"] = whole(frame["value_vnd"].fillna(0))
        return PaidTotals(
            self.year, by_rate.reset_index(drop=True), by_donor.reset_index(drop=True)
        )

    def frames(self) -> list[pd.DataFrame]:
        return [self.by_rate, self.by_donor]


@dataclass
class Frames:
    """The six source frames of a report (missing ones are empty)."""

    items: pd.DataFrame = field(default_factory=lambda: empty_frame("items"))
    sectors: pd.DataFrame = field(default_factory=lambda: empty_frame("sectors"))
    disbursements: pd.DataFrame = field(default_factory=lambda: empty_frame("disbursements"))
    organizations: pd.DataFrame = field(default_factory=lambda: empty_frame("organizations"))
    delegations: pd.DataFrame = field(default_factory=lambda: empty_frame("delegations"))
    members: pd.DataFrame = field(default_factory=lambda: empty_frame("members"))
    # The year's disbursements added up, given instead of their rows (None: from the rows).
    paid: PaidTotals | None = None

    def prepared(self) -> Frames:
        """The frames with archived rows dropped and columns of predictable dtypes."""
        if getattr(self, "_is_prepared", False):
            return self
        result = Frames(**{kind: _prepare(kind, getattr(self, kind)) for kind in COLUMNS})
        result.paid = self.paid.prepared() if self.paid is not None else None
        result._is_prepared = True
        return result

    def all(self) -> list[pd.DataFrame]:
        """Every frame, in a fixed order (for the cache's digest)."""
        frames = [getattr(self, kind) for kind in COLUMNS]
        return frames + (self.paid.frames() if self.paid is not None else [])


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
        frame[column] = to_datetime(frame[column])
    if kind in ("items", "disbursements"):
        frame["value_vnd"] = whole(frame["value_vnd"].fillna(0))
        if kind == "items":
            frame["counterpart_vnd"] = whole(frame["counterpart_vnd"].fillna(0))
            frame["main_donor_id"] = nullable_int(frame["main_donor_id"])
            frame["id"] = whole(frame["id"])
        else:
            frame["aid_item_id"] = whole(frame["aid_item_id"])
        frame["currency"] = frame["currency"].astype("object").fillna("VND").str.upper()
        frame["rate_vnd"] = to_float(frame["rate_vnd"])
        frame["rate_usd"] = to_float(frame["rate_usd"])
    elif kind == "sectors":
        frame["aid_item_id"] = whole(frame["aid_item_id"])
        # Shares in hundredths of a percent (Numeric(5, 2)), <NA> for an equal split.
        shares = (to_float(frame["share"]) * 100).round()
        frame["share"] = shares.astype("Float64").astype("Int64")
    elif kind == "organizations":
        frame["id"] = whole(frame["id"])
    elif kind == "delegations":
        frame["id"] = whole(frame["id"])
        frame["is_border_area"] = frame["is_border_area"].astype("boolean").fillna(False)
    elif kind == "members":
        frame["delegation_id"] = whole(frame["delegation_id"])
    return frame.reset_index(drop=True)


def to_datetime(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return pd.to_datetime(series, errors="coerce")


def to_float(series: pd.Series) -> pd.Series:
    """Rates as float (Decimal, int, str or float in; NaN for missing)."""
    return pd.to_numeric(series.astype("object"), errors="coerce").astype("float64")


def whole(series: pd.Series) -> pd.Series:
    """Whole numbers as int64, or Python ints (object) when a product or a sum of them could
    leave int64 (never silently wrapped)."""
    if series.dtype == object:
        series = python_ints(series)
    elif pd.api.types.is_float_dtype(series):
        series = series.round().astype("int64")
    else:
        series = series.astype("int64")
    if len(series) == 0:
        return series.astype("int64")
    magnitude = series.abs()
    too_big = magnitude.max() > INT64_SAFE_VND or float(magnitude.astype("float64").sum()) > 4e18
    if too_big:
        return python_ints(series)
    return series.astype("int64")


def python_ints(series: pd.Series) -> pd.Series:
    """An object Series of Python ints (unbounded; pandas must not infer int64 back)."""
    return pd.Series([int(v) for v in series], index=series.index, dtype="object")


def nullable_int(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.astype("object"), errors="coerce").astype("Int64")


def in_year(dates: pd.Series, year: int) -> pd.Series:
    """Whether each date falls in `year` (False for a missing date)."""
    return (dates.dt.year == year).fillna(False).astype(bool)


def sort_rows(frame: pd.DataFrame, value: str | pd.Series, key: str) -> pd.DataFrame:
    """Descending by value, then ascending by key (missing keys last)."""
    order = frame.assign(
        _value=frame[value] if isinstance(value, str) else value,
        _missing=frame[key].isna(),
        _key=frame[key].fillna(""),
    )
    order = order.sort_values(["_value", "_missing", "_key"], ascending=[False, True, True])
    return order.drop(columns=["_value", "_missing", "_key"]).reset_index(drop=True)


def plain(value):
    """A cell as a JSON-ready Python value (numpy ints to int, missing to None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return value
