"""The notices after a decision as tasks (issue 12, point 9): created with an approval or a
revocation, due by the item's regime row (app/aid/regimes.py), marked done with the date
and number of the letter sent. Writes only; the view commits once; never deleted."""

from datetime import date

from app.aid.notices import AidNotice
from app.aid.regimes import regime_rules
from app.aid.services.common import check, given, saved
from app.aid.states import AidAudit, DecisionKind, NoticeKind
from app.core import permissions as rules
from app.core import validation
from app.core.concurrency import check_version
from app.core.dates import add_period, format_date
from app.core.errors import DomainError

# Decision kind -> the notices that follow it and the rule of the regime row that gives
# each one's deadline, counted from the decision's date.
FOLLOWS = {
    DecisionKind.PHE_DUYET.value: (
        (NoticeKind.NHA_TAI_TRO, "notice_deadline"),
        (NoticeKind.CAC_BO, "notice_deadline"),
        (NoticeKind.SO_TAI_CHINH, "finance_copy_deadline"),
    ),
    DecisionKind.THU_HOI.value: ((NoticeKind.THONG_BAO_THU_HOI, "revocation_notice_deadline"),),
}
# Circular 23/2022/TT-BTC art. 1, 5(6): the copy to finance only for budget-revenue aid.
BUDGET_REVENUE_ONLY = frozenset({NoticeKind.SO_TAI_CHINH.value})


def create_notices(item, decision, *, user) -> list[AidNotice]:
    """The tasks that follow this decision (called by the step that recorded it)."""
    row = regime_rules(item.regime)
    created = []
    for kind, rule_key in FOLLOWS.get(DecisionKind(decision.kind).value, ()):
        if kind.value in BUDGET_REVENUE_ONLY and not item.is_budget_revenue:
            continue
        rule = row[rule_key]
        notice = AidNotice(
            aid_item_id=item.id,
            decision=decision,
            kind=kind.value,
            due_on=add_period(decision.signed_on, *rule.value),
            rule=f"{rule.shown} – {rule.citation}"[:300],
        )
        summary = f"{item.code}: {notice.label}, hạn {format_date(notice.due_on)}"
        created.append(saved(notice, AidAudit.NOTICE_CREATE, user=user, summary=summary))
    return created


def require_open(notice: AidNotice) -> None:
    """A task is marked done once (409), and not on an archived item."""
    if not notice.is_open:
        raise DomainError(
            f"Việc “{notice.label}” đã được ghi nhận ngày {format_date(notice.done_on)}."
        )
    if notice.aid_item.is_archived:
        raise DomainError("Khoản viện trợ đã được lưu trữ.")


def complete_notice(
    notice: AidNotice,
    done_on: date | None,
    document_number: str | None,
    note: str | None = None,
    *,
    user,
    version: int | None,
) -> AidNotice:
    """Mark the notice sent: the date and number of the letter, an optional note. The form
    always sends the version it showed (a missing or old one is stale)."""
    rules.manage_aid.require(user)
    check_version(notice, version)
    signed_on = notice.decision.signed_on
    check(
        (given, done_on, "done_on", "Vui lòng nhập ngày gửi."),
        (given, document_number, "document_number", "Vui lòng nhập số văn bản gửi."),
        (validation.not_future, done_on, "done_on", "Ngày gửi"),
        (
            validation.in_order,
            signed_on,
            done_on,
            "done_on",
            f"Ngày gửi không được trước ngày ký quyết định ({format_date(signed_on)}).",
        ),
    )
    require_open(notice)
    notice.done_on = done_on
    notice.document_number = document_number
    notice.note = note or None
    notice.done_by_id = user.id
    late = (done_on - notice.due_on).days
    summary = f"{notice.aid_item.code}: {notice.label} – {document_number}" + (
        f" (chậm {late} ngày)" if late > 0 else ""
    )
    changes = {
        "done_on": [None, done_on.isoformat()],
        "document_number": [None, document_number],
    }
    return saved(notice, AidAudit.NOTICE_DONE, user=user, summary=summary, changes=changes)
