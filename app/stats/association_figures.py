"""Figures of friendship associations for the annual statistics (issue 13;
docs/spec/associations.md): a year's activities by kind, by association and by country,
participants and funds, and the member counts reported for the year.

`load_activities` and `load_member_counts` read one SQL query each; `association_figures`
is a pure function of their frames (testable without Flask or a database).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import sqlalchemy as sa

from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationMemberCount,
)
from app.associations.states import ActivityKind
from app.core.countries import country_name
from app.stats.frames import in_year, to_datetime

# One row per activity. `countries` is a tuple of alpha-2 codes (empty when none recorded).
ACTIVITY_COLUMNS = (
    "id",
    "association_id",
    "code",
    "name",
    "held_on",
    "kind",
    "participants",
    "funds_vnd",
    "countries",
)
MEMBER_COUNT_COLUMNS = ("association_id", "code", "name", "year", "count")


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


def _whole_dong(value) -> int | None:
    """An amount as whole đồng (half up), None when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def load_activities(connection, year: int | None = None) -> pd.DataFrame:
    """Live activities of live associations (held in `year` when given), one SQL query: the
    activity rows joined to their countries, folded back to one row per activity."""
    query = (
        sa.select(
            AssociationActivity.id,
            AssociationActivity.association_id,
            Association.code,
            Association.name,
            AssociationActivity.held_on,
            sa.type_coerce(AssociationActivity.kind, sa.String).label("kind"),
            AssociationActivity.participants,
            sa.cast(AssociationActivity.funds_vnd, sa.String).label("funds_vnd"),
            AssociationActivityCountry.country,
        )
        .join(Association, Association.id == AssociationActivity.association_id)
        .outerjoin(
            AssociationActivityCountry,
            AssociationActivityCountry.activity_id == AssociationActivity.id,
        )
        .where(AssociationActivity.archived_at.is_(None), Association.archived_at.is_(None))
        .order_by(AssociationActivity.id, AssociationActivityCountry.id)
    )
    if year is not None:
        query = query.where(
            AssociationActivity.held_on.between(date(year, 1, 1), date(year, 12, 31))
        )
    rows = pd.read_sql_query(query, connection)
    if rows.empty:
        return _empty(ACTIVITY_COLUMNS)
    countries = rows.groupby("id", sort=False)["country"].agg(
        lambda codes: tuple(c for c in codes if isinstance(c, str) and c)
    )
    activities = rows.drop(columns="country").drop_duplicates("id").set_index("id")
    activities["countries"] = countries
    activities["funds_vnd"] = activities["funds_vnd"].map(_whole_dong)
    return activities.reset_index().loc[:, list(ACTIVITY_COLUMNS)]


def load_member_counts(connection, year: int | None = None) -> pd.DataFrame:
    """The member counts of live associations (of `year` when given), one SQL query."""
    query = sa.select(
        AssociationMemberCount.association_id,
        Association.code,
        Association.name,
        AssociationMemberCount.year,
        AssociationMemberCount.count,
    ).join(Association, Association.id == AssociationMemberCount.association_id)
    query = query.where(Association.archived_at.is_(None))
    if year is not None:
        query = query.where(AssociationMemberCount.year == year)
    frame = pd.read_sql_query(query, connection)
    return _empty(MEMBER_COUNT_COLUMNS) if frame.empty else frame


# --- The pure rules ----------------------------------------------------------------------------


def _numbers(series: pd.Series) -> pd.Series:
    """Whole numbers with missing values as 0 (for sums)."""
    return pd.to_numeric(series.astype("object"), errors="coerce").fillna(0).astype("int64")


def _codes(value) -> list[str]:
    """An activity's countries as a list of codes (None or a missing value: none)."""
    return list(value) if isinstance(value, (list, tuple)) else []


def activities_in(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """The activities held in `year`, with `participants_n` and `funds_n` (missing as 0)."""
    frame = activities.loc[:, list(ACTIVITY_COLUMNS)].copy()
    frame = frame[in_year(to_datetime(frame["held_on"]), year)]
    frame["participants_n"] = _numbers(frame["participants"])
    frame["funds_n"] = _numbers(frame["funds_vnd"])
    return frame


def _by_kind(frame: pd.DataFrame) -> list[dict]:
    """Every kind in the vocabulary's order, zero rows included."""
    rows = []
    for key, label in ActivityKind.labels().items():
        of_kind = frame[frame["kind"] == key]
        rows.append(
            {
                "kind": key,
                "label": label,
                "count": len(of_kind),
                "participants": int(of_kind["participants_n"].sum()),
                "funds_vnd": int(of_kind["funds_n"].sum()),
            }
        )
    return rows


def _by_association(frame: pd.DataFrame) -> list[dict]:
    """Associations with at least one activity: most activities first, then by code."""
    if frame.empty:
        return []
    table = (
        frame.groupby(["code", "name"], dropna=False)
        .agg(
            count=("id", "size"),
            participants=("participants_n", "sum"),
            funds_vnd=("funds_n", "sum"),
        )
        .reset_index()
        .sort_values(["count", "code"], ascending=[False, True])
    )
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "count": int(row["count"]),
            "participants": int(row["participants"]),
            "funds_vnd": int(row["funds_vnd"]),
        }
        for row in table.to_dict("records")
    ]


def _by_country(frame: pd.DataFrame) -> list[dict]:
    """An activity counts once in each of its (distinct) countries; most activities first,
    then by code. No money here: a sum over countries would count an activity twice."""
    pairs = frame.loc[:, ["id", "countries", "participants_n"]]
    pairs = pairs.assign(countries=pairs["countries"].map(_codes)).explode("countries")
    pairs = pairs[pairs["countries"].notna()].drop_duplicates(["id", "countries"])
    if pairs.empty:
        return []
    table = (
        pairs.groupby("countries")
        .agg(count=("id", "size"), participants=("participants_n", "sum"))
        .reset_index()
        .sort_values(["count", "countries"], ascending=[False, True])
    )
    return [
        {
            "country": code,
            "name": country_name(code),
            "count": int(count),
            "participants": int(participants),
        }
        for code, count, participants in table.itertuples(index=False)
    ]


def _member_counts(member_counts: pd.DataFrame | None, year: int) -> dict:
    if member_counts is None or member_counts.empty:
        return {"associations": 0, "members": 0, "rows": []}
    rows = member_counts[pd.to_numeric(member_counts["year"]) == year]
    rows = rows.sort_values("code")
    return {
        "associations": int(rows["association_id"].nunique()),
        "members": int(_numbers(rows["count"]).sum()),
        "rows": [
            {"code": row["code"], "name": row["name"], "count": int(row["count"])}
            for row in rows.to_dict("records")
        ],
    }


def association_figures(
    activities: pd.DataFrame, year: int, member_counts: pd.DataFrame | None = None
) -> dict:
    """The year's figures as JSON-ready values (keys in docs/spec/associations.md)."""
    frame = activities_in(activities, year)
    return {
        "year": year,
        "activities": len(frame),
        "participants": int(frame["participants_n"].sum()),
        "participants_missing": int(frame["participants"].isna().sum()),
        "funds_vnd": int(frame["funds_n"].sum()),
        "funds_missing": int(frame["funds_vnd"].isna().sum()),
        "without_country": int((frame["countries"].map(_codes).map(len) == 0).sum()),
        "by_kind": _by_kind(frame),
        "by_association": _by_association(frame),
        "by_country": _by_country(frame),
        "member_counts": _member_counts(member_counts, year),
    }
