"""Reads of friendship associations: the list's filters and query (shared by the list and
its export), the activity log's filters and query (the profile page, the activity export),
the member counts. A bounded number of queries per page: countries and linked records are
loaded with the listed rows."""

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationCountry,
    AssociationMemberCount,
)
from app.associations.states import ActivityKind, AssociationStatus
from app.core.countries import country_name
from app.core.text import fold, search_condition
from app.extensions import db

SORTS = {
    "code": Association.code,
    "name": Association.name,
    "status": Association.status,
    "joined": Association.union_joined_on,
}
ACTIVITY_SORTS = {
    "date": AssociationActivity.held_on,
    "kind": AssociationActivity.kind,
    "association": Association.code,
}
UNION_CHOICES = {"1": "Thành viên Liên hiệp", "0": "Chưa là thành viên Liên hiệp"}


def _country_code(value: str | None) -> str:
    code = (value or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() else ""


def _sorted(query, allowed: dict, key: str, default: str):
    """(query ordered by ?sort=key or -key among `allowed`, the key applied); the key comes
    from the filters, so the queries work without a request (tests, scripts)."""
    if (key or "").lstrip("-") not in allowed:
        key = default
    column = allowed[key.lstrip("-")]
    return query.order_by(column.desc() if key.startswith("-") else column.asc()), key


def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None


@dataclass
class AssociationFilters:
    """The list's filters, cleaned: unknown values are dropped, never an error."""

    q: str = ""
    status: str = ""
    union: str = ""  # "1": members of the Union, "0": not members
    country: str = ""
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> "AssociationFilters":
        status, union = args.get("status", ""), args.get("union", "")
        return cls(
            q=args.get("q", "").strip()[:200],
            status=status if status in AssociationStatus.labels() else "",
            union=union if union in UNION_CHOICES else "",
            country=_country_code(args.get("country")),
            archived=args.get("archived", "") == "1",
            sort=args.get("sort", ""),
        )

    def items(self):
        return asdict(self).items()


def associations_query(filters: AssociationFilters):
    """The associations matching the filters, sorted (?sort=); shared by list and export.
    Sets `filters.sort` to the sort applied."""
    query = db.select(Association).options(selectinload(Association.country_rows))
    if (matches := search_condition(Association.search_text, filters.q)) is not None:
        query = query.where(matches)
    if filters.status:
        query = query.where(Association.status == AssociationStatus(filters.status))
    if filters.union:
        query = query.where(Association.union_member.is_(filters.union == "1"))
    if filters.country:
        query = query.where(
            sa.exists().where(
                AssociationCountry.association_id == Association.id,
                AssociationCountry.country == filters.country,
            )
        )
    if not filters.archived:
        query = query.where(Association.archived_at.is_(None))
    query, filters.sort = _sorted(query, SORTS, filters.sort, "code")
    return query.order_by(Association.id)


def countries_in_use() -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the partner countries recorded, by name."""
    used = db.session.scalars(db.select(AssociationCountry.country).distinct()).all()
    return sorted(((code, country_name(code)) for code in used), key=lambda pair: fold(pair[1]))


def latest_member_counts(association_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{association id: (year, count)} of the latest year reported, in one query."""
    if not association_ids:
        return {}
    latest = (
        db.select(
            AssociationMemberCount.association_id,
            sa.func.max(AssociationMemberCount.year).label("year"),
        )
        .where(AssociationMemberCount.association_id.in_(association_ids))
        .group_by(AssociationMemberCount.association_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            AssociationMemberCount.association_id,
            AssociationMemberCount.year,
            AssociationMemberCount.count,
        ).join(
            latest,
            sa.and_(
                latest.c.association_id == AssociationMemberCount.association_id,
                latest.c.year == AssociationMemberCount.year,
            ),
        )
    )
    return {row.association_id: (row.year, row.count) for row in rows}


def member_count_years(association_id: int) -> list[tuple[int, int]]:
    """(year, count) of the association, latest year first."""
    rows = db.session.execute(
        db.select(AssociationMemberCount.year, AssociationMemberCount.count)
        .where(AssociationMemberCount.association_id == association_id)
        .order_by(AssociationMemberCount.year.desc())
    )
    return [(row.year, row.count) for row in rows]


# --- The activity log --------------------------------------------------------------------


@dataclass
class ActivityFilters:
    """Filters of the activity log (profile page, activity export); unknown values dropped."""

    association_id: int | None = None
    year: int | None = None
    kind: str = ""
    country: str = ""
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args, association_id: int | None = None) -> "ActivityFilters":
        kind = args.get("kind", "")
        if association_id is None:
            try:
                association_id = int(args.get("association", "")) or None
            except ValueError:
                association_id = None
        return cls(
            association_id=association_id,
            year=_year(args.get("year")),
            kind=kind if kind in ActivityKind.labels() else "",
            country=_country_code(args.get("country")),
            archived=args.get("archived", "") == "1",
            sort=args.get("sort", ""),
        )


def activities_query(filters: ActivityFilters):
    """The activities matching the filters, latest first unless sorted (?sort=), with their
    association, countries and linked delegation / aid item loaded."""
    query = (
        db.select(AssociationActivity)
        .join(Association, AssociationActivity.association_id == Association.id)
        .options(
            selectinload(AssociationActivity.country_rows),
            joinedload(AssociationActivity.association),
            joinedload(AssociationActivity.delegation),
            joinedload(AssociationActivity.aid_item),
        )
    )
    if filters.association_id is not None:
        query = query.where(AssociationActivity.association_id == filters.association_id)
    else:
        query = query.where(Association.archived_at.is_(None))
    if filters.year is not None:
        query = query.where(
            AssociationActivity.held_on.between(
                date(filters.year, 1, 1), date(filters.year, 12, 31)
            )
        )
    if filters.kind:
        query = query.where(AssociationActivity.kind == ActivityKind(filters.kind))
    if filters.country:
        query = query.where(
            sa.exists().where(
                AssociationActivityCountry.activity_id == AssociationActivity.id,
                AssociationActivityCountry.country == filters.country,
            )
        )
    if not filters.archived:
        query = query.where(AssociationActivity.archived_at.is_(None))
    query, filters.sort = _sorted(query, ACTIVITY_SORTS, filters.sort, "-date")
    return query.order_by(AssociationActivity.id.desc())


def activity_years(association_id: int) -> list[int]:
    """The years the association has activities in, latest first (the log's year filter)."""
    year = sa.extract("year", AssociationActivity.held_on)
    rows = db.session.scalars(
        db.select(sa.cast(year, sa.Integer))
        .where(AssociationActivity.association_id == association_id)
        .distinct()
    ).all()
    return sorted({int(y) for y in rows}, reverse=True)
