"""The aid inbox's boxes (opinions to give, dossiers in the procedure, notices to send), each
filtered, sorted and paged in SQL (app/core/inbox.py). Their rows and due dates are those
of the queries the notifications read (services/queries.py): the same selects, the same
"late" rule."""

from dataclasses import dataclass
from datetime import date
from math import ceil

from sqlalchemy.orm import contains_eager

from app.aid import states
from app.aid.models import AidItem, Opinion
from app.aid.notices import AidNotice
from app.aid.services import queries
from app.core import permissions as rules
from app.core import revision_cache
from app.core.inbox import (
    BoxQuery,
    InboxArgs,
    KeptPage,
    asked_page,
    count_boxes,
    filtered,
    narrowed,
    page_param,
    page_size,
)
from app.core.listing import arg_int
from app.extensions import db

# The boxes, in the page's order: (key, title).
BOXES = (
    ("y_kien", "Ý kiến cần góp ý"),
    ("ho_so", "Hồ sơ đang xử lý"),
    ("thong_bao", "Thông báo sau quyết định cần gửi"),
)
TITLES = dict(BOXES)


@dataclass
class Box:
    key: str
    title: str
    rows: list  # InboxRow-like rows: item, task, due_on, overdue, plus the record
    page: object = None  # the pagination (None for an export: every row)

    @property
    def count(self) -> int:
        return self.page.total if self.page is not None else len(self.rows)


@dataclass
class Row:
    item: AidItem
    task: str
    due_on: date | None
    overdue: bool
    received_on: date | None
    record: object = None  # the opinion or notice


def _opinions(agency_id: int, today: date) -> BoxQuery:
    select = queries._waiting_opinions(agency_id).options(
        *queries.without_collections(path=contains_eager(Opinion.aid_item))
    )
    return BoxQuery(
        select,
        due=Opinion.due_on,
        overdue=Opinion.due_on < today,
        received=Opinion.requested_on,
        code=AidItem.code,
        search=AidItem.search_text,
        tiebreak=Opinion.id,
    )


def _dossiers(today: date) -> BoxQuery:
    select = (
        db.select(AidItem)
        .options(*queries.without_collections("opinions"))  # the task counts the opinions
        .where(queries._in_procedure())
    )
    return BoxQuery(
        select,
        due=AidItem.appraisal_due_on,
        # as planning_inbox: past the deadline, and not while returned to its owner
        overdue=db.and_(AidItem.status.in_(states.ON_THE_CLOCK), AidItem.appraisal_due_on < today),
        received=AidItem.dossier_received_on,
        code=AidItem.code,
        search=AidItem.search_text,
        tiebreak=AidItem.id,
    )


def _notices(today: date) -> BoxQuery:
    select = queries._open_notices().options(
        *queries.without_collections(path=contains_eager(AidNotice.aid_item))
    )
    return BoxQuery(
        select,
        due=AidNotice.due_on,
        overdue=AidNotice.due_on < today,
        received=AidItem.decision_date,  # the decision the notice follows
        code=AidItem.code,
        search=AidItem.search_text,
        tiebreak=AidNotice.id,
    )


def _rows(key: str, records, today: date) -> list[Row]:
    if key == "y_kien":
        return [
            Row(o.aid_item, TITLES[key], o.due_on, o.due_on < today, o.requested_on, o)
            for o in records
        ]
    if key == "ho_so":
        return [
            Row(
                i,
                queries._task_for(i),
                i.appraisal_due_on,
                i.appraisal_overdue(today),
                i.dossier_received_on,
            )
            for i in records
        ]
    return [
        Row(n.aid_item, n.label, n.due_on, n.overdue(today), n.aid_item.decision_date, n)
        for n in records
    ]


def box_queries(user, today: date) -> dict[str, BoxQuery]:
    """{box: its query} for the boxes this user has."""
    boxes = {}
    if rules.answer_opinion.allows(user):
        boxes["y_kien"] = _opinions(user.agency_id, today)
    if rules.manage_aid.allows(user):
        boxes["ho_so"] = _dossiers(today)
        boxes["thong_bao"] = _notices(today)
    return boxes


def box_choices(user) -> list[tuple[str, str]]:
    """The kinds of box this user has (the "which box" filter, when there are several)."""
    return [(key, TITLES[key]) for key in box_queries_keys(user)]


def box_queries_keys(user) -> list[str]:
    keys = ["y_kien"] if rules.answer_opinion.allows(user) else []
    return keys + (["ho_so", "thong_bao"] if rules.manage_aid.allows(user) else [])


def _dossiers_page(select, args: InboxArgs, today: date):
    """The dossiers box's page (reads only the items when not searched): its count and the
    ids of the page kept by the items' revisions (app/core/revision_cache.py), so an
    unchanged view neither counts nor sorts the items in the procedure again (two queries
    over 12,000 rows at national scale); the rows and their opinions read each time.
    A search is counted and paged as the other boxes are."""
    size = page_size()
    asked = arg_int(page_param("ho_so"), 1, 10**6) or 1

    def compute():
        ids = select.with_only_columns(AidItem.id)
        total = db.session.scalar(
            db.select(db.func.count()).select_from(ids.order_by(None).subquery())
        )
        number = min(asked, ceil(total / size)) if total else asked
        page = db.session.scalars(ids.limit(size).offset((number - 1) * size)).all()
        return total, number, tuple(page)

    key = ("aid dossiers box", today.isoformat(), args.overdue, args.sort, asked, size)
    total, number, ids = revision_cache.cached(key, ("aid_item",), compute)
    found = {}
    if ids:
        found = {
            item.id: item
            for item in db.session.scalars(
                db.select(AidItem)
                .options(*queries.without_collections("opinions"))
                .where(AidItem.id.in_(ids))
            )
        }
    rows = [found[i] for i in ids if i in found]
    return KeptPage(page=number, per_page=size, error_out=False, rows=rows, total=total)


def inbox_boxes(user, args: InboxArgs, today: date, *, paged: bool = True) -> list[Box]:
    """The user's boxes as filtered and sorted: a page of each (the page), or every row
    (the export). Paged: the dossiers box (when not searched) from its kept count and page
    ids, the other boxes counted in one statement, then a page read for each that has rows
    (plus the dossiers' opinions)."""
    wanted = {
        key: query
        for key, query in box_queries(user, today).items()
        if not args.box or args.box == key
    }
    if not paged:
        return [
            Box(key, TITLES[key], _rows(key, _records(filtered(query, args)), today))
            for key, query in wanted.items()
        ]
    kept = "ho_so" if "ho_so" in wanted and not args.q else None
    counts = count_boxes(
        {key: narrowed(query, args) for key, query in wanted.items() if key != kept}
    )
    size = page_size()
    found = []
    for key, query in wanted.items():
        if key == kept:
            page = _dossiers_page(filtered(query, args), args, today)
        else:
            total = counts[key]
            number = asked_page(key, total, size)
            select = filtered(query, args).limit(size).offset((number - 1) * size)
            records = _records(select) if total else []
            page = KeptPage(page=number, per_page=size, error_out=False, rows=records, total=total)
        found.append(Box(key, TITLES[key], _rows(key, page.items, today), page))
    return found


def _records(select) -> list:
    return db.session.scalars(select).unique().all()
