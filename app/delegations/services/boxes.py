"""The delegations inbox's boxes as the page shows them: each box of `queries.inbox` (the
same conditions, `_inbox_conditions`) filtered, sorted and paged in SQL (app/core/inbox.py),
with its due date: the delegation's arrival for what must be settled before it comes
(receiving, reviews, approval, a border permit), the report's due date for late reports
(the date the deadline notifications use)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload

from app.core.inbox import BoxQuery, InboxArgs, box_page, filtered
from app.delegations.models import Delegation
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


@dataclass
class Box:
    key: str
    title: str
    rows: list  # Delegation rows
    page: object = None  # the pagination (None for an export: every row)

    @property
    def count(self) -> int:
        return self.page.total if self.page is not None else len(self.rows)

    def due_on(self, delegation: Delegation) -> date | None:
        return getattr(delegation, DUE_COLUMNS[self.key].key)


def box_queries(user, today: date) -> dict[str, BoxQuery]:
    """{box: its query} for the boxes this user has (the inbox's own conditions)."""
    found = {}
    for key, conditions in queries._inbox_conditions(user, today).items():
        due = DUE_COLUMNS[key]
        select = (
            db.select(Delegation)
            .options(selectinload(Delegation.reviews), selectinload(Delegation.permits))
            .where(Delegation.archived_at.is_(None), *conditions)
        )
        found[key] = BoxQuery(
            select,
            due=due,
            overdue=due < today,
            received=Delegation.submitted_on,
            code=Delegation.code,
            search=Delegation.search_text,
            tiebreak=Delegation.id,
        )
    return found


def box_choices(user, today: date) -> list[tuple[str, str]]:
    """The kinds of box this user has (the "which box" filter)."""
    return [(key, queries.INBOX_LABELS[key]) for key in queries._inbox_conditions(user, today)]


def inbox_boxes(user, args: InboxArgs, today: date, *, paged: bool = True) -> list[Box]:
    """The user's boxes as filtered and sorted: a page of each (the page), or every row
    (the export). Per box: a count and one select, plus its reviews and permits."""
    found = []
    for key, query in box_queries(user, today).items():
        if args.box and args.box != key:
            continue
        select = filtered(query, args)
        title = queries.INBOX_LABELS[key]
        if paged:
            page = box_page(select, key)
            found.append(Box(key, title, list(page.items), page))
        else:
            found.append(Box(key, title, db.session.scalars(select).all()))
    return found
