"""The daily pass over deadlines (`flask notify deadlines`, also run by the digest): a
notification when a deadline falls within DUE_SOON_WORKING_DAYS working days, and one when
it has passed. It reads the records through the same queries as the inboxes (the rules of
what is due, and by when, live there) and is idempotent: one notification per record,
kind, deadline day and agency (`dedupe_key`), however often it runs.

Deadlines: opinions to give (the agency asked), the appraisal deadline of a dossier and
the notices to send after a decision (the aid focal agencies), and overdue visit reports
(the agency that lodged the delegation).
"""

from datetime import date
from types import SimpleNamespace

from app.aid.services import queries as aid_queries
from app.auth.models import Agency, Duty
from app.core.dates import format_date, today_vn
from app.core.inbox import DUE_SOON_LABEL, OVERDUE_LABEL, due_state
from app.delegations.services import queries as delegation_queries
from app.extensions import db
from app.notifications.services import agencies_holding, notify, path_for
from app.notifications.states import NotificationKind as K

# As many records as a pass reads per list (the inboxes' own limits are for a page).
LIMIT = 100_000
# The delegations' alerts read what a reader may see; the pass reads as a signed-out
# reader: every sent delegation (the overdue reports are of approved ones).
_PASS_READER = SimpleNamespace(is_authenticated=False, is_active=False, agency_id=None)
STATE_KINDS = {OVERDUE_LABEL: K.OVERDUE, DUE_SOON_LABEL: K.DUE_SOON}


def _kind(due_on: date | None, today: date, *, overdue: bool | None = None):
    """OVERDUE, DUE_SOON or None for a deadline (`overdue` when the inbox says so): the
    inboxes' badges use the same rule (app/core/inbox.py `due_state`)."""
    return STATE_KINDS.get(due_state(due_on, today, overdue=overdue))


class _Pass:
    def __init__(self, today: date):
        self.today = today
        self.created = 0

    def kind(self, due_on, **kwargs):
        return _kind(due_on, self.today, **kwargs)

    def add(self, agency_id, kind, what: str, due_on: date, record_type, record_id, link):
        when = "Quá hạn" if kind == K.OVERDUE else "Sắp đến hạn"
        made = notify(
            agency_id,
            kind,
            f"{when}: {what} (hạn {format_date(due_on)})",
            record_type=record_type,
            record_id=record_id,
            link=link,
            dedupe_key=f"{kind.value}:{record_type}:{record_id}:{due_on.isoformat()}:{agency_id}",
        )
        self.created += made is not None


def run_deadlines(today: date | None = None) -> int:
    """Add the deadline notifications due today; how many were added."""
    run = _Pass(today or today_vn())
    agencies = db.session.scalars(db.select(Agency.id).where(Agency.active.is_(True))).all()
    for agency_id in agencies:
        for opinion in aid_queries.opinions_for_agency(agency_id, limit=LIMIT):
            if kind := run.kind(opinion.due_on):
                item = opinion.aid_item
                run.add(
                    agency_id,
                    kind,
                    f"trả lời ý kiến về khoản viện trợ {item.code}",
                    opinion.due_on,
                    "opinion",
                    opinion.id,
                    path_for("aid.detail", item_id=item.id),
                )
    focal = agencies_holding(Duty.AID_FOCAL)
    for row in aid_queries.planning_inbox(run.today, limit=LIMIT):
        if not row.item.on_the_clock:
            continue
        if kind := run.kind(row.due_on, overdue=row.overdue):
            for agency_id in focal:
                run.add(
                    agency_id,
                    kind,
                    f"thẩm định hồ sơ {row.item.code}",
                    row.due_on,
                    "aid_item",
                    row.item.id,
                    path_for("aid.detail", item_id=row.item.id),
                )
    for notice in aid_queries.open_notices(limit=LIMIT):
        if kind := run.kind(notice.due_on, overdue=notice.overdue(run.today)):
            for agency_id in focal:
                run.add(
                    agency_id,
                    kind,
                    f"{notice.label} – khoản viện trợ {notice.aid_item.code}",
                    notice.due_on,
                    "aid_notice",
                    notice.id,
                    path_for("aid.inbox", _anchor="thong-bao"),
                )
    late = delegation_queries.alerts(user=_PASS_READER, today=run.today, limit=LIMIT)
    for delegation in late["reports_overdue"]:
        run.add(
            delegation.author_agency_id,
            K.OVERDUE,
            f"báo cáo kết quả đoàn {delegation.code}",
            delegation.report_due_on,
            "delegation",
            delegation.id,
            path_for("delegations.detail", delegation_id=delegation.id),
        )
    return run.created
