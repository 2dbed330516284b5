"""Reads of delegations: the list's filters and query, an organisation's delegations, the
calendar, the person search, the inbox with its counts, the alerts. Nothing here writes."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import Duty
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.inbox import count_boxes
from app.core.text import search_condition
from app.delegations import states, workflow
from app.delegations.models import (
    Delegation,
    DelegationMember,
    Review,
    ReviewerKind,
    normalize_passport,
)
from app.extensions import db


@dataclass
class DelegationFilters:
    q: str = ""
    direction: str = ""
    status: str = ""
    year: int | None = None
    country: str = ""
    purpose: str = ""
    host: int | None = None
    border: str = ""  # "1" or "0"
    archived: bool = False


# Filters that keep the rows whose column equals the chosen value.
EQUAL_FILTERS = {
    "direction": Delegation.direction,
    "status": Delegation.status,
    "country": Delegation.country,
    "purpose": Delegation.purpose,
    "host": Delegation.host_agency_id,
}


def visible_to(user):
    """Drafts only for their author agency (and administrators)."""
    if rules.administer.allows(user):
        return db.true()
    return db.or_(Delegation.status != states.DRAFT, Delegation.author_agency_id == user.agency_id)


def delegations_query(filters: DelegationFilters, *, user):
    """The select behind the list and its exports (same filters, same rows)."""
    query = db.select(Delegation).where(visible_to(user))
    if not filters.archived:
        query = query.where(Delegation.archived_at.is_(None))
    if (matches := search_condition(Delegation.search_text, filters.q)) is not None:
        query = query.where(matches)
    for name, column in EQUAL_FILTERS.items():
        if value := getattr(filters, name):
            query = query.where(column == value)
    if filters.year:
        first = date(filters.year, 1, 1)
        query = query.where(
            Delegation.start_on >= first, Delegation.start_on < first.replace(year=filters.year + 1)
        )
    if filters.border in ("1", "0"):
        query = query.where(Delegation.is_border_area.is_(filters.border == "1"))
    return query


def of_organization(organization_id: int, user, *, limit: int = 100) -> list[Delegation]:
    """The delegations an organisation sent or received, newest first (for its profile)."""
    return db.session.scalars(
        db.select(Delegation)
        .where(
            visible_to(user),
            Delegation.organization_id == organization_id,
            Delegation.archived_at.is_(None),
        )
        .order_by(Delegation.start_on.desc())
        .limit(limit)
    ).all()


UPCOMING_DAYS = 30  # how far ahead the calendar looks


def upcoming(
    *, user, today: date | None = None, days: int = UPCOMING_DAYS
) -> list[tuple[Delegation, int]]:
    """Delegations in the province now and in the next `days` days (not refused/cancelled),
    each with its number of members."""
    today = today or today_vn()
    members = (
        db.select(db.func.count(DelegationMember.id))
        .where(
            DelegationMember.delegation_id == Delegation.id,
            DelegationMember.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    return db.session.execute(
        db.select(Delegation, members)
        .where(
            visible_to(user),
            Delegation.archived_at.is_(None),
            Delegation.status.in_(states.LIVE),
            Delegation.start_on <= today + timedelta(days=days),
            Delegation.end_on >= today,
        )
        .order_by(Delegation.start_on, Delegation.code)
    ).all()


def person_search(text: str, *, user, limit: int = 200) -> list[DelegationMember]:
    """Members found by name (every word, diacritics ignored) or, for users who may see
    passports everywhere, by passport number."""
    text = (text or "").strip()
    by_name = search_condition(DelegationMember.name_folded, text)
    if by_name is None:
        return []
    # Each way of finding a member is its own indexed-or-scanned SELECT of ids, joined by
    # UNION: an OR of the two in one WHERE made the passport index useless (issue 15).
    found = db.select(DelegationMember.id).where(by_name)
    if rules.see_personal_data.allows(user):
        found = db.union(
            found,
            db.select(DelegationMember.id).where(
                DelegationMember.passport_number == normalize_passport(text)
            ),
        )
    return db.session.scalars(
        db.select(DelegationMember)
        .join(Delegation, DelegationMember.delegation_id == Delegation.id)
        .options(contains_eager(DelegationMember.delegation))
        .where(
            _among(DelegationMember.id, found),
            DelegationMember.archived_at.is_(None),
            visible_to(user),
            Delegation.archived_at.is_(None),
        )
        .order_by(DelegationMember.name_folded, Delegation.start_on.desc())
        .limit(limit)
    ).all()


def _among(column, ids):
    """`column IN (ids)`; on PostgreSQL `column = ANY(ARRAY(ids))`, which the planner runs
    first and reads as a few ids: a name of short words only ("Lê Vy") is filtered by
    `strpos`, whose row estimate (a third of the members per word) made it join every
    member to its delegation before keeping the 81 found (0.4 s instead of 50 ms)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.func.array(ids.scalar_subquery()))
    return column.in_(ids)


# --- What waits for a user ----------------------------------------------------------------


def _without_review(kind: str):
    """No review of this kind given on the delegation's current revision: none yet, or one
    given on an earlier version (to confirm or revise)."""
    return (
        ~db.select(Review.id)
        .where(
            Review.delegation_id == Delegation.id,
            Review.reviewer_kind == kind,
            Review.given_on_revision >= Delegation.revision,
        )
        .exists()
    )


def _border_without_permit() -> tuple:
    return (
        Delegation.is_border_area.is_(True),
        Delegation.status.in_(states.PERMIT),
        ~workflow.valid_permit_exists(),
    )


def waiting_for_police() -> int:
    """Delegations that wait for the police duty: a security opinion, a border permit."""
    return db.session.scalar(
        db.select(db.func.count(Delegation.id)).where(
            Delegation.archived_at.is_(None),
            db.or_(
                db.and_(
                    Delegation.status == states.UNDER_REVIEW,
                    _without_review(ReviewerKind.POLICE),
                ),
                db.and_(*_border_without_permit()),
            ),
        )
    )


# Each box of the inbox: its label on the home page.
INBOX_LABELS = {
    "to_receive": "Hồ sơ đoàn cần tiếp nhận",
    "to_review": "Hồ sơ đoàn cần cho ý kiến",
    "to_approve": "Hồ sơ đoàn đủ điều kiện phê duyệt",
    "permits_needed": "Đoàn vào khu vực biên giới chưa có giấy phép",
    "reports_overdue": "Đoàn chậm báo cáo kết quả",
}


def _inbox_conditions(user, today: date) -> dict[str, tuple]:
    """{box: SQL conditions} of the boxes this user has; the lists and the counts share them."""
    boxes: dict[str, tuple] = {}
    missing_reviews = []
    if rules.review_foreign_affairs.allows(user):
        boxes["to_receive"] = (Delegation.status == states.SUBMITTED,)
        missing_reviews.append(_without_review(ReviewerKind.FOREIGN_AFFAIRS))
    if rules.review_foreign_affairs.allows(user) or user.has(Duty.LEADERSHIP):
        # foreign affairs approves; the leadership reads what waits for a decision
        boxes["to_approve"] = (workflow.ready_to_approve_condition(),)
    if rules.review_police.allows(user):
        missing_reviews.append(_without_review(ReviewerKind.POLICE))
        boxes["permits_needed"] = _border_without_permit()
    if missing_reviews:  # an agency holding both duties: either review missing
        boxes["to_review"] = (Delegation.status == states.UNDER_REVIEW, db.or_(*missing_reviews))
    police_only = user.has(Duty.POLICE) and not user.has(Duty.FOREIGN_AFFAIRS)
    if rules.create_delegation.allows(user) and not police_only:
        mine = (
            ()
            if user.has(Duty.FOREIGN_AFFAIRS)
            else (Delegation.author_agency_id == user.agency_id,)
        )
        boxes["reports_overdue"] = (
            Delegation.status == states.APPROVED,
            Delegation.report_due_on < today,
            *mine,
        )
    return boxes


@dataclass
class Inbox:
    to_receive: list = field(default_factory=list)  # foreign affairs
    to_review: list = field(default_factory=list)  # the user's agency's review missing
    to_approve: list = field(default_factory=list)  # foreign affairs: ready to approve
    permits_needed: list = field(default_factory=list)  # police
    reports_overdue: list = field(default_factory=list)  # the author agency
    counts: dict = field(default_factory=dict)  # {box: how many in all}, lists are cut

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def listed(self) -> list:
        """Every delegation listed, once (a delegation may wait in several boxes)."""
        found = {d.id: d for name in self.counts for d in getattr(self, name)}
        return list(found.values())


def inbox_counts_by_box(*, user, today: date | None = None) -> dict[str, int]:
    """{box: count} for this user's boxes, in one statement: a count per box, each served by
    its box's index (a sum of CASEs over the table read all 20,000 delegations of the
    national set for the home page, 28 ms on SQLite)."""
    boxes = _inbox_conditions(user, today or today_vn())
    return count_boxes(
        {
            box: db.select(Delegation.id).where(Delegation.archived_at.is_(None), *conditions)
            for box, conditions in boxes.items()
        }
    )


def inbox(*, user, today: date | None = None, limit: int = 100) -> Inbox:
    """The first `limit` delegations of each box and the full count of each."""
    today = today or today_vn()
    box = Inbox(counts=inbox_counts_by_box(user=user, today=today))
    for name, conditions in _inbox_conditions(user, today).items():
        if not box.counts.get(name):
            continue
        rows = db.session.scalars(
            db.select(Delegation)
            .options(selectinload(Delegation.reviews), selectinload(Delegation.permits))
            .where(Delegation.archived_at.is_(None), *conditions)
            .order_by(Delegation.start_on, Delegation.id)
            .limit(limit)
        ).all()
        setattr(box, name, rows)
    return box


def inbox_counts(user) -> list[tuple[str, int, str]]:
    """What waits for this user about delegations, for the home page: (label, count,
    endpoint of the page that lists it). Called by the home page as `provider(user)`."""
    return [
        (INBOX_LABELS[name], count, "delegations.inbox")
        for name, count in inbox_counts_by_box(user=user).items()
    ]


# What an alert line shows (a row of these columns, not a whole delegation).
ALERT_COLUMNS = (
    Delegation.id,
    Delegation.code,
    Delegation.start_on,
    Delegation.report_due_on,
    Delegation.author_agency_id,
)


def alerts(*, user, today: date | None = None, limit: int = 50) -> dict[str, list]:
    """Border visits without a permit, reports overdue, passports expiring before the end:
    the first `limit` rows of each (ALERT_COLUMNS; the passports' with their number of
    members), and under "more" which lists have more than that."""
    today = today or today_vn()
    visible = db.and_(visible_to(user), Delegation.archived_at.is_(None))
    no_permit = db.session.execute(
        db.select(*ALERT_COLUMNS)
        .where(visible, *_border_without_permit())
        .order_by(Delegation.start_on)
        .limit(limit + 1)
    ).all()
    overdue = db.session.execute(
        db.select(*ALERT_COLUMNS)
        .where(visible, Delegation.status == states.APPROVED, Delegation.report_due_on < today)
        .order_by(Delegation.report_due_on)
        .limit(limit + 1)
    ).all()
    # The trips not yet over are found first by their status and end date's index (a
    # materialised CTE: with the LIMIT, SQLite would rather walk every delegation in start
    # order), then their members with a passport expiring before the end are counted.
    trips = (
        db.select(*ALERT_COLUMNS, Delegation.end_on)
        .where(visible, Delegation.status.in_(states.LIVE), Delegation.end_on >= today)
        .cte("trips")
        .prefix_with("MATERIALIZED")
    )
    expired = db.select(DelegationMember.id).where(
        DelegationMember.delegation_id == trips.c.id,
        DelegationMember.archived_at.is_(None),
        DelegationMember.passport_expiry < trips.c.end_on,
    )
    members = expired.with_only_columns(db.func.count(DelegationMember.id)).scalar_subquery()
    expiring = db.session.execute(
        db.select(*(trips.c[column.key] for column in ALERT_COLUMNS), members)
        .where(expired.exists())
        .order_by(trips.c.start_on)
        .limit(limit + 1)
    ).all()
    found = {
        "no_permit": no_permit,
        "reports_overdue": overdue,
        "passports_expiring": [(row, row[-1]) for row in expiring],
    }
    more = {name: len(rows) > limit for name, rows in found.items()}
    return {name: rows[:limit] for name, rows in found.items()} | {"more": more}
