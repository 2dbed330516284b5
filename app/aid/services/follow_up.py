"""Following an approved item: disbursements, reports received, inspections and their
remedies, and the disbursed total. The view commits once.

Each is an entry of the aid workflow (app.aid.workflow.ENTRIES): `require()` checks the
permission rule, then that the item is approved and not archived.
"""

from datetime import date
from decimal import Decimal

from app.aid.models import AidItem, AidReport, Disbursement, FollowUpStatus, Inspection
from app.aid.services import money
from app.aid.services.common import check, given, saved, vnd_value
from app.aid.states import AidAudit
from app.aid.workflow import AID_WORKFLOW
from app.core import attachments, audit, validation
from app.core.concurrency import check_version, lock_row
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.core.money import format_money, format_number
from app.extensions import db

DISBURSEMENT_FIELDS = (
    "disbursed_on",
    "amount",
    "currency",
    "rate_vnd",
    "rate_usd",
    "value_vnd",
    "verified",
    "over_approved",
    "is_correction",
    "reason",
)
CORRECTION_REASON = (
    "Khoản viện trợ đã hoàn thành: chỉ ghi nhận giải ngân dưới dạng điều chỉnh, "
    "vui lòng ghi lý do điều chỉnh."
)
OVER_REASON = "Vui lòng ghi lý do giải ngân vượt giá trị được phê duyệt."


def _dated(item: AidItem, day: date | None, field: str, what: str) -> list[tuple]:
    """The rules of a follow-up record's date: given, not in the future, not before the
    approval."""
    return [
        (given, day, field, "Vui lòng nhập ngày."),
        (validation.not_future, day, field, what),
        (validation.not_before, day, item.decision_date, field, what, "ngày phê duyệt"),
    ]


def _recorded(item: AidItem, row, action: str, summary: str, *, user, changes=None):
    """A new follow-up row of the item, recorded by the user, with its audit entry."""
    row.aid_item_id = item.id
    row.recorded_by_id = user.id
    return saved(row, action, user=user, summary=summary, changes=changes)


def _over_approved_message(item: AidItem, total) -> str:
    share = money.share_of_value(item, total)
    return (
        f"Tổng giải ngân sẽ là {format_money(total, item.currency)}"
        f"{f' ({format_number(share, 1)}%)' if share is not None else ''}, "
        f"vượt giá trị được phê duyệt {format_money(item.value, item.currency)} "
        "(kể cả điều chỉnh). Nếu đúng, hãy đánh dấu xác nhận và ghi lý do rồi lưu lại."
    )


def add_disbursement(
    item: AidItem,
    disbursed_on: date,
    amount: Decimal,
    currency: str,
    rate_vnd: Decimal | None = None,
    rate_usd: Decimal | None = None,
    source: str | None = None,
    verified: bool = False,
    confirm_over: bool = False,
    reason: str | None = None,
    *,
    user,
) -> Disbursement:
    """A payment through the aid account. One that takes the total above the approved value
    is refused (422, next to the confirmation) until confirmed with a reason; after the
    item's completion, a payment is recorded only as a correction with a reason."""
    AID_WORKFLOW.require(item, "disbursement", user)
    reason = (reason or "").strip() or None
    check(
        (validation.positive, amount, "amount"),
        (validation.money, amount, currency, rate_vnd, rate_usd, "amount"),
        *_dated(item, disbursed_on, "disbursed_on", "Ngày giải ngân"),
        *([(given, reason, "reason", CORRECTION_REASON)] if item.is_completed else []),
    )
    if currency == "USD" and rate_usd is None:
        rate_usd = rate_vnd
    value_vnd = vnd_value(amount, currency, rate_vnd)
    lock_row(AidItem, item.id)  # two payments at once must not both pass the check below
    total = money.disbursed(item) + money.in_item_currency(item, currency, amount, value_vnd)
    over = total > item.value
    if over and not (confirm_over and reason):
        errors = {"confirm_over": _over_approved_message(item, total)}
        if confirm_over or not reason:
            errors["reason"] = OVER_REASON
        raise FieldError.many(errors)
    disbursement = Disbursement(
        disbursed_on=disbursed_on,
        amount=amount,
        currency=currency,
        rate_vnd=None if currency == "VND" else rate_vnd,
        rate_usd=rate_usd,
        value_vnd=value_vnd,
        source=source or None,
        verified=verified,
        over_approved=over,
        is_correction=item.is_completed,
        reason=reason if (over or item.is_completed) else None,
    )
    summary = f"Giải ngân {item.code}: {amount} {currency} ngày {disbursed_on:%d/%m/%Y}"
    action = AidAudit.DISBURSEMENT_ADD
    if disbursement.is_correction:
        action, summary = AidAudit.DISBURSEMENT_CORRECTION, f"Điều chỉnh sau hoàn thành – {summary}"
    elif over:
        action = AidAudit.DISBURSEMENT_OVER_APPROVED
    if disbursement.reason:
        summary += f" (vượt giá trị phê duyệt) – lý do: {reason}" if over else f" – lý do: {reason}"
    return _recorded(
        item,
        disbursement,
        action,
        summary[:500],
        user=user,
        changes=audit.diff({}, audit.snapshot(disbursement, DISBURSEMENT_FIELDS)),
    )


def archive_disbursement(
    disbursement: Disbursement, reason: str, *, user, version: int | None = None
) -> None:
    """Cancel a wrong row (kept, struck through, in the history)."""
    AID_WORKFLOW.require(db.session.get(AidItem, disbursement.aid_item_id), "disbursement", user)
    if version is not None:
        check_version(disbursement, version)
    if not (reason or "").strip():
        raise FieldError("reason", "Vui lòng ghi lý do hủy dòng giải ngân.")
    if disbursement.is_archived:
        raise DomainError("Dòng giải ngân này đã được hủy.")
    disbursement.archived_at = utcnow()
    disbursement.archive_reason = reason.strip()
    summary = f"Hủy dòng giải ngân #{disbursement.id}: {reason}"
    saved(disbursement, AidAudit.DISBURSEMENT_ARCHIVE, user=user, summary=summary)


def add_report(
    item: AidItem,
    kind: str,
    period_start: date | None,
    period_end: date | None,
    received_on: date,
    summary: str | None = None,
    file=None,
    *,
    user,
) -> AidReport:
    AID_WORKFLOW.require(item, "report", user)
    check(
        *_dated(item, received_on, "received_on", "Ngày nhận báo cáo"),
        (
            validation.not_before,
            received_on,
            period_start,
            "received_on",
            "Ngày nhận báo cáo",
            "đầu kỳ báo cáo",
        ),
        (
            validation.in_order,
            period_start,
            period_end,
            "period_end",
            "Cuối kỳ báo cáo không được trước đầu kỳ.",
        ),
    )
    report = AidReport(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        received_on=received_on,
        summary=summary or None,
    )
    received = f"Nhận {report.kind_label.lower()} của {item.code}"
    _recorded(item, report, AidAudit.REPORT_ADD, received, user=user)
    attachments.store_if_sent(file, "aid_report", report.id, user)
    return report


def add_inspection(
    item: AidItem,
    *,
    inspected_on: date,
    team: str,
    findings: str | None = None,
    recommendations: str | None = None,
    follow_up: str = FollowUpStatus.CHUA_XU_LY,
    user,
) -> Inspection:
    AID_WORKFLOW.require(item, "inspection", user)
    check(
        *_dated(item, inspected_on, "inspected_on", "Ngày kiểm tra"),
        (given, team, "team", "Vui lòng ghi các cơ quan tham gia đoàn kiểm tra."),
    )
    inspection = Inspection(
        inspected_on=inspected_on,
        team=team,
        findings=findings or None,
        recommendations=recommendations or None,
        follow_up=follow_up,
    )
    summary = f"Kiểm tra, giám sát {item.code} ngày {inspected_on:%d/%m/%Y}"
    return _recorded(item, inspection, AidAudit.INSPECTION_ADD, summary, user=user)


def update_inspection_follow_up(
    inspection: Inspection, follow_up: str, *, user, version: int | None = None
) -> None:
    """Where the remedies the inspection asked for stand; a stale page is refused."""
    item = db.session.get(AidItem, inspection.aid_item_id)
    AID_WORKFLOW.require(item, "inspection_follow_up", user)
    check_version(inspection, version)
    old = inspection.follow_up
    if old == follow_up:
        return
    inspection.follow_up = follow_up
    saved(
        inspection,
        AidAudit.INSPECTION_FOLLOW_UP,
        user=user,
        summary=f"Cập nhật tình hình khắc phục sau kiểm tra #{inspection.id}",
        changes={"follow_up": [old, follow_up]},
    )


def disbursement_totals(item: AidItem, sums: tuple[int, Decimal] | None = None) -> dict:
    """Total disbursed (VND, and in the item's currency), its share of the approved value
    and whether it exceeds it; two small queries, or none given the sums (`money.sums_of`)."""
    if sums is None:
        total = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(Disbursement.value_vnd), 0)).where(
                Disbursement.aid_item_id == item.id, Disbursement.archived_at.is_(None)
            )
        )
        in_currency = money.disbursed(item)
    else:
        total, in_currency = sums
    return {
        "total_vnd": int(total),
        "total": in_currency,
        "share": money.share_of_value(item, in_currency),
        "over": in_currency > item.value,
    }
