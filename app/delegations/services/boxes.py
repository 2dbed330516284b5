"""The delegations inbox's boxes as the page shows them: each box of `queries.inbox` (the
same conditions, `_inbox_conditions`) filtered, sorted and paged in SQL (app/core/inbox.py),
with its due date: the delegation's arrival for what must be settled before it comes
(receiving, reviews, approval, a border permit), the report's due date for late reports
(the date the deadline notifications use).

At national scale (issue 15) a page is one statement counting every box, one page of
`Line` rows per box that has some (the columns a row and its export line show, with the
host agency's name and the "reopened" mark computed in SQL, not whole delegations with
their organisation, agencies, reviews and permits), each served by an index on its
conditions and due date (migration e0b2c4d6f8a9)."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from app.auth.models import Agency
from app.core.inbox import (
    BoxQuery,
    InboxArgs,
    KeptPage,
    asked_page,
    count_boxes,
    filtered,
    narrowed,
    page_size,
)
from app.delegations import states
from app.delegations.models import BorderPermit, Delegation, Direction, Review
from app.delegations.services import queries
from app.extensions import db

# The column each box's due date comes from.
DUE_COLUMNS = {
    "to_receive": Delegation.start_on,
    "to_review": Delegation.start_on,
    "to_approve": Delegation.start_on,
    "permits_needed": Delegation.start_on,
    "reports_overdue": Delegation.report_due_on,
}


class HostAgency(NamedTuple):
    """The host agency as `name_on` reads it (its id for former names, its name)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Line:
    """A delegation as a box's row and its export line show it."""

    id: int
    code: str
    title: str
    direction: str
    status: str
    start_on: date
    end_on: date
    submitted_on: date | None
    report_due_on: date | None
    is_border_area: bool
    is_late_request: bool
    reopened: bool  # as Delegation.reopened
    host_agency: HostAgency | None

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def is_approved(self) -> bool:
        return self.status == states.APPROVED


LINE_COLUMNS = (
    Delegation.id,
    Delegation.code,
    Delegation.title,
    Delegation.direction,
    Delegation.status,
    Delegation.start_on,
    Delegation.end_on,
    Delegation.submitted_on,
    Delegation.report_due_on,
    Delegation.is_border_area,
    Delegation.is_late_request,
)


def reopened_condition():
    """SQL twin of Delegation.reopened: a review, or a live permit, given on an earlier
    revision of the members, dates or itinerary."""
    return db.or_(
        db.select(Review.id)
        .where(
            Review.delegation_id == Delegation.id,
            Review.given_on_revision < Delegation.revision,
        )
        .exists(),
        db.select(BorderPermit.id)
        .where(
            BorderPermit.delegation_id == Delegation.id,
            BorderPermit.archived_at.is_(None),
            BorderPermit.given_on_revision < Delegation.revision,
        )
        .exists(),
    )


def _line(row) -> Line:
    *columns, reopened, host_id, host_name = row
    host = HostAgency(host_id, host_name) if host_id is not None else None
    return Line(*columns, bool(reopened), host)


@dataclass
class Box:
    key: str
    title: str
    rows: list  # Line rows
    page: object = None  # the pagination (None for an export: every row)

    @property
    def count(self) -> int:
        return self.page.total if self.page is not None else len(self.rows)

    def due_on(self, delegation) -> date | None:
        return getattr(delegation, DUE_COLUMNS[self.key].key)


def box_queries(user, today: date) -> dict[str, BoxQuery]:
    """{box: its query} for the boxes this user has (the inbox's own conditions)."""
    found = {}
    # The host's name as a column of the row (not a join, so a box's count reads its
    # index alone); `name_on` reads the former names by the id.
    host_name = db.select(Agency.name).where(Agency.id == Delegation.host_agency_id)
    columns = (
        *LINE_COLUMNS,
        reopened_condition().label("reopened"),
        Delegation.host_agency_id,
        host_name.scalar_subquery().label("host_name"),
    )
    for key, conditions in queries._inbox_conditions(user, today).items():
        due = DUE_COLUMNS[key]
        select = db.select(*columns).where(Delegation.archived_at.is_(None), *conditions)
        found[key] = BoxQuery(
            select,
            due=due,
            overdue=due < today,
            received=Delegation.submitted_on,
            code=Delegation.code,
            search=Delegation.search_text,
            tiebreak=Delegation.id,
            # late = its due date passed; start_on is never NULL, and the late reports'
            # box holds only rows whose report_due_on has passed
            late_by_due_date=True,
        )
    return found


def box_choices(user, today: date) -> list[tuple[str, str]]:
    """The kinds of box this user has (the "which box" filter)."""
    return [(key, queries.INBOX_LABELS[key]) for key in queries._inbox_conditions(user, today)]


def inbox_boxes(user, args: InboxArgs, today: date, *, paged: bool = True) -> list[Box]:
    """The user's boxes as filtered and sorted: a page of each (the page), or every row
    (the export). Paged: one statement counts every box, then one reads the page of each
    box that has rows."""
    wanted = {
        key: query
        for key, query in box_queries(user, today).items()
        if not args.box or args.box == key
    }
    if not paged:
        return [
            Box(key, queries.INBOX_LABELS[key], _lines(filtered(query, args)))
            for key, query in wanted.items()
        ]
    counts = count_boxes({key: narrowed(query, args) for key, query in wanted.items()})
    size = page_size()
    found = []
    for key, query in wanted.items():
        total = counts[key]
        number = asked_page(key, total, size)
        rows = []
        if total:
            select = filtered(query, args).limit(size).offset((number - 1) * size)
            rows = _lines(select)
        page = KeptPage(page=number, per_page=size, error_out=False, rows=rows, total=total)
        found.append(Box(key, queries.INBOX_LABELS[key], rows, page))
    return found


def _lines(select) -> list[Line]:
    return [_line(row) for row in db.session.execute(select)]
