"""Reads of aid mobilisation: the lists' filters and queries (shared by the pages and the
exports, so an export is exactly the list as filtered), a donor's history, the warning on
a linked aid item."""

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.aid.models import AidDonor, AidItem, Sector
from app.core.dates import today_vn
from app.core.listing import apply_sort
from app.core.text import search_condition
from app.extensions import db
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.mobilisation.states import ContactKind, ProposalOutcome
from app.orgs.models import Organization


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


def _in_year(column, year: int):
    return column.between(date(year, 1, 1), date(year, 12, 31))


def _searched(query, column, q: str):
    """Search the record's folded text and its donor's (code, names), word by word."""
    text = column + " " + Organization.search_text
    if (matches := search_condition(text, q)) is not None:
        query = query.where(matches)
    return query


@dataclass
class ContactFilters:
    """The contact list's filters, cleaned: unknown values are dropped, never an error."""

    q: str = ""
    year: int | None = None
    kind: str = ""
    country: str = ""
    donor: int | None = None  # an organisation's id (its history)
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> "ContactFilters":
        kind = args.get("kind", "")
        return cls(
            q=args.get("q", "").strip(),
            year=_year(args.get("year")),
            kind=kind if kind in ContactKind.labels() else "",
            country=args.get("country", "").strip().upper()[:2],
            donor=_record_id(args.get("donor")),
            archived=args.get("archived", "") == "1",
        )

    def items(self):
        return asdict(self).items()


def _record_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number < 2**31 else None


CONTACT_SORTS = {
    "date": MobilisationContact.occurred_on,
    "donor": Organization.code,
    "kind": MobilisationContact.kind,
}


def contacts_query(filters: ContactFilters):
    """The contacts matching the filters, sorted (?sort=, newest first by default)."""
    C = MobilisationContact
    query = db.select(C).join(Organization, C.organization_id == Organization.id)
    query = _searched(query, C.search_text, filters.q)
    if filters.year:
        query = query.where(_in_year(C.occurred_on, filters.year))
    if filters.kind:
        query = query.where(C.kind == ContactKind(filters.kind))
    if filters.country:
        query = query.where(Organization.country == filters.country)
    if filters.donor:
        query = query.where(C.organization_id == filters.donor)
    if not filters.archived:
        query = query.where(C.archived_at.is_(None))
    query, filters.sort = apply_sort(query, CONTACT_SORTS, "-date")
    return query.order_by(C.id.desc())


@dataclass
class ProposalFilters:
    """The proposal list's filters, cleaned."""

    q: str = ""
    year: int | None = None
    outcome: str = ""
    country: str = ""
    sector: str = ""
    donor: int | None = None
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> "ProposalFilters":
        outcome, sector = args.get("outcome", ""), args.get("sector", "")
        return cls(
            q=args.get("q", "").strip(),
            year=_year(args.get("year")),
            outcome=outcome if outcome in ProposalOutcome.labels() else "",
            country=args.get("country", "").strip().upper()[:2],
            sector=sector if sector in Sector.labels() else "",
            donor=_record_id(args.get("donor")),
            archived=args.get("archived", "") == "1",
        )

    def items(self):
        return asdict(self).items()


PROPOSAL_SORTS = {
    "date": MobilisationProposal.sent_on,
    "code": MobilisationProposal.code,
    "donor": Organization.code,
    "value": MobilisationProposal.requested_vnd,
}


def proposals_query(filters: ProposalFilters):
    """The proposals matching the filters, sorted (newest first by default); the linked
    item and the communes are loaded with it (no query per row)."""
    P = MobilisationProposal
    query = (
        db.select(P)
        .join(Organization, P.organization_id == Organization.id)
        .options(selectinload(P.aid_item))
    )
    query = _searched(query, P.search_text, filters.q)
    if filters.year:
        query = query.where(_in_year(P.sent_on, filters.year))
    if filters.outcome:
        query = query.where(P.outcome == ProposalOutcome(filters.outcome))
    if filters.country:
        query = query.where(Organization.country == filters.country)
    if filters.sector:
        query = query.where(P.sector == Sector(filters.sector))
    if filters.donor:
        query = query.where(P.organization_id == filters.donor)
    if not filters.archived:
        query = query.where(P.archived_at.is_(None))
    query, filters.sort = apply_sort(query, PROPOSAL_SORTS, "-date")
    return query.order_by(P.id.desc())


def years_in_use() -> list[int]:
    """The years of contacts and proposals (newest first), and this year, for the filters."""
    contact_years = db.select(MobilisationContact.occurred_on)
    proposal_years = db.select(MobilisationProposal.sent_on)
    days = db.session.scalars(sa.union(contact_years, proposal_years)).all()
    years = {day.year for day in days if day} | {today_vn().year}
    return sorted(years, reverse=True)


def donor_history(organization_id: int, limit: int = 20) -> dict:
    """A donor's live contacts and proposals, newest first (two queries), with counts."""
    C, P = MobilisationContact, MobilisationProposal
    contacts = db.session.scalars(
        db.select(C)
        .where(C.organization_id == organization_id, C.archived_at.is_(None))
        .order_by(C.occurred_on.desc(), C.id.desc())
        .limit(limit)
    ).all()
    proposals = db.session.scalars(
        db.select(P)
        .options(selectinload(P.aid_item))
        .where(P.organization_id == organization_id, P.archived_at.is_(None))
        .order_by(P.sent_on.desc(), P.id.desc())
        .limit(limit)
    ).all()
    return {"contacts": contacts, "proposals": proposals, "limit": limit}


def proposals_of_contact(contact_id: int) -> list:
    P = MobilisationProposal
    return db.session.scalars(
        db.select(P).where(P.contact_id == contact_id).order_by(P.sent_on, P.id)
    ).all()


def link_warning(proposal: MobilisationProposal) -> str | None:
    """A Vietnamese warning when the linked aid item does not name the proposal's donor
    (as main donor or co-donor); None when nothing is linked or the donor matches."""
    if proposal.aid_item_id is None:
        return None
    shares = db.session.scalar(
        db.select(sa.func.count())
        .select_from(AidItem)
        .outerjoin(
            AidDonor,
            sa.and_(
                AidDonor.aid_item_id == AidItem.id,
                AidDonor.organization_id == proposal.organization_id,
            ),
        )
        .where(
            AidItem.id == proposal.aid_item_id,
            sa.or_(AidItem.main_donor_id == proposal.organization_id, AidDonor.id.is_not(None)),
        )
    )
    if shares:
        return None
    item = db.session.get(AidItem, proposal.aid_item_id)
    return (
        f"Khoản viện trợ {item.code} không ghi nhà tài trợ {proposal.organization.code} "
        "(nhà tài trợ chính hoặc đồng tài trợ). Hãy kiểm tra lại liên kết."
    )


def contact_choices(organization_id: int | None) -> list[tuple[int, str]]:
    """(id, label) of a donor's live contacts, newest first (the proposal form's picker)."""
    if not organization_id:
        return []
    C = MobilisationContact
    rows = db.session.execute(
        db.select(C.id, C.code, C.occurred_on, C.topic)
        .where(C.organization_id == organization_id, C.archived_at.is_(None))
        .order_by(C.occurred_on.desc(), C.id.desc())
        .limit(200)
    ).all()
    return [(row.id, f"{row.code} · {row.occurred_on:%d/%m/%Y} – {row.topic[:80]}") for row in rows]
