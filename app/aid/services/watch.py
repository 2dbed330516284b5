"""What waits for the planning agency beyond its boxes: the home page's counts of the aid
procedure and the follow-up alerts of the aid inbox.

The over-disbursed items (a sum over every item's disbursements: seconds at national
scale), the dossiers in the procedure and the alert lists that read only the items and
their disbursements are kept per process by those tables' revisions
(app/core/revision_cache.py: read first, one small query when unchanged, never stale);
the others (they read opinions, notices or reports, which no trigger tracks) are asked
each time."""

from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import load_only

from app.aid import states
from app.aid.models import AidItem, AidReport, ReportKind
from app.aid.notices import AidNotice
from app.aid.services.money import over_disbursed_condition
from app.aid.services.queries import (
    _count,
    _open_notices,
    _waiting_opinions,
    delayed_condition,
    dossiers_in_procedure,
    overdue_condition,
)
from app.aid.timing import PeriodMixin
from app.auth.models import Duty
from app.core import permissions as rules
from app.core import revision_cache
from app.core.dates import add_months, today_vn
from app.extensions import db
from app.orgs.models import CERTIFICATE_WARNING_DAYS, Organization
from app.stats import revisions


def inbox_counts(user) -> list[tuple[str, int, str, dict]]:
    """What waits for this user in the aid procedure, for the home page: (label, count,
    endpoint and arguments of the page that lists it); the view builds the link."""
    tasks = []
    if user.has(Duty.LEADERSHIP):  # reads what waits for a decision
        waiting = _count(
            db.select(AidItem.id).where(
                AidItem.status == states.WAITING_FOR_DECISION, AidItem.archived_at.is_(None)
            )
        )
        tasks.append(
            (
                "Khoản viện trợ chờ quyết định phê duyệt",
                waiting,
                "aid.index",
                {"status": states.WAITING_FOR_DECISION},
            )
        )
    if rules.answer_opinion.allows(user):
        waiting = _count(_waiting_opinions(user.agency_id))
        tasks.append(("Ý kiến góp ý về khoản viện trợ cần trả lời", waiting, "aid.inbox", {}))
    if rules.manage_aid.allows(user):
        dossiers, over = _kept_counts()
        overdue = _count(
            db.select(AidItem.id).where(
                overdue_condition(today_vn()), AidItem.archived_at.is_(None)
            )
        )
        tasks.append(("Hồ sơ viện trợ đang xử lý", dossiers, "aid.inbox", {}))
        tasks.append(("Hồ sơ viện trợ quá hạn", overdue, "aid.index", {"overdue": 1}))
        notices = {"_anchor": "thong-bao"}
        tasks.append(
            ("Thông báo sau quyết định cần gửi", _count(_open_notices()), "aid.inbox", notices)
        )
        late = _count(_open_notices().where(AidNotice.due_on < today_vn()))
        tasks.append(("Thông báo sau quyết định quá hạn", late, "aid.inbox", notices))
        tasks.append(
            (
                "Viện trợ giải ngân vượt giá trị phê duyệt",
                over,
                "aid.index",
                {"over_disbursed": 1},
            )
        )
    return tasks


# The tables the kept counts and alert lists read (app/core/revision_cache.py): their
# revisions move with any change to them, so the kept results are never stale. The
# over-disbursed count and the alert lists read only decided items or items with money, so
# they are kept by the counted series (app/stats/revisions.py): a new dossier keeps them.
ITEM_TABLES = ("aid_item",)
MONEY_TABLES = revisions.counted(("aid_item", "disbursement"))


def _over_disbursed_count() -> int:
    return _count(
        db.select(AidItem.id).where(AidItem.archived_at.is_(None), over_disbursed_condition())
    )


def _kept_counts() -> tuple[int, int]:
    """(dossiers in the procedure, live over-disbursed items) for the home page: the sum
    over every item's disbursements is seconds at national scale, so both are kept while
    the revisions they read stay (one small query then)."""
    dossiers = revision_cache.cached(("aid dossiers",), ITEM_TABLES, dossiers_in_procedure)
    return dossiers, kept_over_disbursed_count()


def kept_over_disbursed_count() -> int:
    """The live over-disbursed items, kept by the counted series."""
    return revision_cache.cached(("aid over-disbursed",), MONEY_TABLES, _over_disbursed_count)


# --- Follow-up alerts ----------------------------------------------------------------------


def _kept_alert_ids(today: date, limit: int) -> dict[str, list[int]]:
    """The ids of the alert lists that read only the items and their disbursements (not
    started, delayed, over-disbursed: a sum over every item's disbursements), and the
    candidates of the closing-report alert in order, kept while those tables' revisions
    stay (app/core/revision_cache.py)."""
    months = current_app.config["AID_START_MONTHS"]
    closing_months = current_app.config["AID_CLOSING_REPORT_MONTHS"]

    def ids(*conditions, order):  # one more than shown: the badge says when a list is cut
        return list(
            db.session.scalars(
                db.select(AidItem.id)
                .where(AidItem.archived_at.is_(None), *conditions)
                .order_by(order, AidItem.id)  # the id: the same rows each time among ties
                .limit(limit + 1)
            )
        )

    return revision_cache.cached(
        ("aid alerts", today.isoformat(), limit, months, closing_months),
        MONEY_TABLES,
        lambda: {
            "not_started": ids(
                AidItem.status == states.APPROVED_NOT_STARTED,
                AidItem.decision_date <= add_months(today, -months),
                order=AidItem.decision_date,
            ),
            "delayed": ids(
                AidItem.status.in_(states.DECISION_IN_FORCE),
                delayed_condition(today),
                order=db.func.coalesce(AidItem.end_on, AidItem.start_on),
            ),
            "over_disbursed": ids(over_disbursed_condition(), order=AidItem.id),
            "closing_candidates": array(
                "q",
                db.session.scalars(
                    db.select(AidItem.id)
                    .where(
                        AidItem.archived_at.is_(None),
                        AidItem.status.in_(states.DECISION_IN_FORCE),
                        AidItem.end_on < add_months(today, -closing_months),
                    )
                    .order_by(AidItem.end_on, AidItem.id)
                ),
            ),
        },
    )


CLOSING_CHUNK = 200  # candidates checked for a closing report per query


def _among(column, ids: list[int]):
    """`column IN ids` for a few hundred ids read from the database: one array parameter
    on PostgreSQL, the numbers written into the statement on SQLite (binding a parameter
    per id cost 1-3 ms for 250 ids)."""
    ids = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(sa.bindparam(None, ids, expanding=True, literal_execute=True))


def _closing_overdue_ids(candidates, limit: int) -> list[int]:
    """The first `limit` candidates (in force, past their end by the configured months, by
    end date) without a live closing report. The candidates are kept with the items'
    revisions; the reports, which no trigger tracks, are read each time for a chunk of
    them (one query while the first chunk holds enough)."""
    found: list[int] = []
    for start in range(0, len(candidates), CLOSING_CHUNK):
        chunk = list(candidates[start : start + CLOSING_CHUNK])
        closed = set(
            db.session.scalars(
                db.select(AidReport.aid_item_id).where(
                    _among(AidReport.aid_item_id, chunk),
                    AidReport.kind == ReportKind.KET_THUC,
                    AidReport.archived_at.is_(None),
                )
            )
        )
        found += [i for i in chunk if i not in closed]
        if len(found) >= limit:
            break
    return found[:limit]


class Donor(NamedTuple):
    """The main donor as an alert's export row reads it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AlertItem:
    """What an alert line and its export row show of an item: a row of these columns (the
    main donor's name read with it), not an AidItem with its donor and wide columns."""

    id: int
    code: str
    name: str
    status: str
    start_on: date | None
    actual_start_on: date | None
    end_on: date | None
    actual_end_on: date | None
    main_donor: Donor | None

    start_delay = PeriodMixin.start_delay  # the delays the "delayed" alert shows
    end_delay = PeriodMixin.end_delay


class AlertList(list):
    """An alert's rows; `more` when the list was cut at its limit (the badge says "50+")."""

    more: bool = False


def _cut(rows: list, limit: int) -> AlertList:
    found = AlertList(rows[:limit])
    found.more = len(rows) > limit
    return found


_DONOR_NAME = (
    db.select(Organization.name)
    .where(Organization.id == AidItem.main_donor_id)
    .scalar_subquery()
    .label("main_donor_name")
)
ALERT_COLUMNS = (
    AidItem.id,
    AidItem.code,
    AidItem.name,
    AidItem.status,
    AidItem.start_on,
    AidItem.actual_start_on,
    AidItem.end_on,
    AidItem.actual_end_on,
    AidItem.main_donor_id,
    _DONOR_NAME,
)


def _alert_items(*conditions, order=None, limit=None) -> list[AlertItem]:
    query = db.select(*ALERT_COLUMNS).where(*conditions)
    if order is not None:
        query = query.order_by(order).limit(limit)
    found = []
    for *columns, donor_id, donor_name in db.session.execute(query):
        donor = Donor(donor_id, donor_name) if donor_id is not None else None
        found.append(AlertItem(*columns, donor))
    return found


def _items_by_ids(lists: dict[str, list[int]]) -> dict[str, list[AlertItem]]:
    """The lists of ids as lists of items, in their order, read in one query."""
    wanted = {i for ids in lists.values() for i in ids}
    found = {}
    if wanted:
        found = {item.id: item for item in _alert_items(_among(AidItem.id, sorted(wanted)))}
    return {key: [found[i] for i in ids if i in found] for key, ids in lists.items()}


def alerts(today: date | None = None, limit: int = 50) -> dict[str, AlertList]:
    """Follow-up alerts for the planning agency, each a list of at most `limit` rows that
    says whether it was cut (`more`)."""
    today = today or today_vn()
    config = current_app.config
    lists = dict(_kept_alert_ids(today, limit))
    lists["closing_overdue"] = _closing_overdue_ids(lists.pop("closing_candidates"), limit + 1)
    kept = _items_by_ids(lists)
    last_report = (
        db.select(db.func.max(AidReport.received_on))
        .where(AidReport.aid_item_id == AidItem.id, AidReport.archived_at.is_(None))
        .scalar_subquery()
    )
    report_threshold = add_months(today, -config["AID_REPORT_MONTHS"]) - timedelta(
        config["AID_REPORT_GRACE_DAYS"]
    )
    reports_overdue = _alert_items(
        AidItem.archived_at.is_(None),
        AidItem.status == states.RUNNING,
        db.func.coalesce(
            last_report, AidItem.actual_start_on, AidItem.start_on, AidItem.decision_date
        )
        < report_threshold,
        order=AidItem.id,
        limit=limit + 1,
    )
    # what a certificate's line shows (the organisations stay entities: few, and the
    # records the rest of the registry compares)
    expiring = db.session.scalars(
        db.select(Organization)
        .options(load_only(Organization.id, Organization.name, Organization.certificate_expires_on))
        .where(
            Organization.archived_at.is_(None),
            Organization.certificate_expires_on <= today + timedelta(CERTIFICATE_WARNING_DAYS),
        )
        .order_by(Organization.certificate_expires_on)
        .limit(limit + 1)
    ).all()
    found = {
        "not_started": kept["not_started"],
        "certificates": expiring,
        "reports_overdue": reports_overdue,
        "delayed": kept["delayed"],
        "over_disbursed": kept["over_disbursed"],
        "closing_overdue": kept["closing_overdue"],
    }
    return {key: _cut(rows, limit) for key, rows in found.items()}
