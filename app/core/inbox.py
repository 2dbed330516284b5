"""What the inboxes share: a due date's state (overdue, due soon: the notifications' rule),
the sort, filters and per-box pages read from the query string (plain links, so a view is
bookmarkable and works without JavaScript), all applied in SQL."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination

from app.core.dates import add_working_days
from app.core.listing import arg_int
from app.core.text import search_condition
from app.extensions import db
from app.notifications.states import DUE_SOON_WORKING_DAYS

OVERDUE_LABEL = "Quá hạn"
DUE_SOON_LABEL = "Sắp đến hạn"

# ?sap_xep=: due date (overdue first, then the soonest), received date, code; "-" reverses.
SORTS = {"han": "Hạn xử lý", "nhan": "Ngày nhận", "ma": "Mã"}
DEFAULT_SORT = "han"


def due_soon_until(today: date) -> date:
    """The last day counted as "due soon" (DUE_SOON_WORKING_DAYS working days ahead)."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


def due_state(due_on: date | None, today: date, *, overdue: bool | None = None) -> str | None:
    """OVERDUE_LABEL, DUE_SOON_LABEL or None for a deadline; `overdue` when the box knows
    better than the date alone (a dossier returned to its owner is not late). The daily
    notifications pass (app/notifications/deadlines.py) uses this same rule."""
    if due_on is None:
        return None
    if due_on < today if overdue is None else overdue:
        return OVERDUE_LABEL
    if today <= due_on <= due_soon_until(today):
        return DUE_SOON_LABEL
    return None


@dataclass
class InboxArgs:
    q: str = ""
    overdue: bool = False  # ?qua_han=1
    sort: str = DEFAULT_SORT  # ?sap_xep=
    box: str = ""  # ?hop=: one box only (where there are several)


def inbox_args(boxes=()) -> InboxArgs:
    """The inbox's filters and sort from the query string (bad values: the defaults)."""
    sort = request.args.get("sap_xep", DEFAULT_SORT)
    if sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    box = request.args.get("hop", "")
    return InboxArgs(
        q=request.args.get("q", "").strip()[:200],
        overdue=request.args.get("qua_han") == "1",
        sort=sort,
        box=box if box in boxes else "",
    )


@dataclass
class BoxQuery:
    """One box's select and the columns its filters and sorts use."""

    select: object
    due: object  # the due-date column (None: the box knows no due date)
    overdue: object  # SQL condition: the row is late
    received: object
    code: object
    search: object  # the folded text column the search reads
    tiebreak: object  # the id, for a stable order
    # True when a row is late exactly when its due date has passed and no row of the box
    # lacks a due date: the due date's own order then puts the late rows first, and an
    # index on the box's conditions and its due date serves the default sort.
    late_by_due_date: bool = False


def narrowed(box: BoxQuery, args: InboxArgs):
    """The box's select with the search and the overdue filter applied (not sorted)."""
    query = box.select
    if (matches := search_condition(box.search, args.q)) is not None:
        query = query.where(matches)
    if args.overdue:
        query = query.where(box.overdue)
    return query


def filtered(box: BoxQuery, args: InboxArgs):
    """The box's select with the search, the overdue filter and the sort applied."""
    return narrowed(box, args).order_by(*order(box, args.sort))


def order(box: BoxQuery, sort: str) -> list:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "han" and box.due is not None:
        if box.late_by_due_date:  # the same order as below, without its first terms
            return [box.due.desc() if descending else box.due, box.tiebreak]
        if descending:
            return [box.due.is_(None), box.due.desc(), box.tiebreak]
        late_first = db.case((box.overdue, 0), else_=1)
        return [late_first, box.due.is_(None), box.due, box.tiebreak]
    column = {"nhan": box.received, "ma": box.code}.get(key, box.code)
    return [column.is_(None), column.desc() if descending else column, box.tiebreak]


def page_param(name: str) -> str:
    """The query parameter of a box's page number (each box pages on its own)."""
    return f"trang_{name}"


def box_page(query, name: str, per_page: int | None = None):
    """A page of a box (a count and a bounded select); past the end gives the last page."""
    size = per_page or current_app.config["PAGE_SIZE"]
    number = arg_int(page_param(name), 1, 10**6) or 1
    page = db.paginate(query, page=number, per_page=size, error_out=False, count=True)
    if page.pages and page.page > page.pages:
        page = db.paginate(query, page=page.pages, per_page=size, error_out=False, count=True)
    return page


class KeptPage(Pagination):
    """A page whose count and rows were read beforehand (the template's pager reads it)."""

    def _query_items(self):
        return self._query_args["rows"]

    def _query_count(self):
        return self._query_args["total"]


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def asked_page(name: str, total: int, size: int) -> int:
    """The page number a box's link asks for; past the end, the last page."""
    number = arg_int(page_param(name), 1, 10**6) or 1
    return min(number, -(-total // size)) if total else number


def count_boxes(selects: dict[str, object]) -> dict[str, int]:
    """{box: how many rows its select finds}, every box counted in one statement (a
    scalar subquery each, so each count uses its own box's index)."""
    if not selects:
        return {}
    counts = [
        select.with_only_columns(db.func.count()).order_by(None).scalar_subquery().label(key)
        for key, select in selects.items()
    ]
    return dict(db.session.execute(db.select(*counts)).one()._mapping)
