"""Writes recorded on a delegation without changing its state: the reviews of foreign
affairs and the police, the border-area permit and notice, the report after the visit.

Each is an `Entry` of the delegation workflow: `workflow.require()` checks the rule, the
state and the guard first (403 / 409), then the values are checked (422).
"""

from datetime import date, timedelta

from app.core import attachments, audit, validation
from app.core.dates import today_vn
from app.core.errors import FieldError
from app.delegations import workflow
from app.delegations.models import BorderPermit, Delegation, Review, VisitReport
from app.delegations.services.delegation import logged
from app.delegations.states import DelegationAudit
from app.extensions import db

REVIEW_FIELDS = ("verdict", "text")


def record_review(
    delegation: Delegation,
    kind: str,
    verdict: str,
    text: str,
    document_number: str | None = None,
    reviewed_on: date | None = None,
    *,
    user,
) -> Review:
    """Foreign affairs' appraisal or the police's security opinion (one each, revisable)."""
    workflow.require(delegation, workflow.review_action(kind), user)
    if not text:
        raise FieldError("text", "Vui lòng nhập nội dung ý kiến.")
    reviewed_on = reviewed_on or today_vn()
    validation.past_date(
        reviewed_on, "reviewed_on", "Ngày văn bản", delegation.submitted_on, "ngày gửi hồ sơ đoàn"
    )
    review = delegation.review_by(kind)
    before = audit.snapshot(review, REVIEW_FIELDS) if review else {}
    if review is None:
        review = Review(reviewer_kind=kind)
        delegation.reviews.append(review)
    review.agency_id = user.agency_id
    review.verdict = verdict
    review.text = text
    review.document_number = document_number or None
    review.reviewed_on = reviewed_on
    review.reviewed_by_id = user.id
    review.given_on_revision = delegation.revision
    logged(
        delegation,
        f"{DelegationAudit.REVIEW}_{kind}",
        f"{review.kind_label}: {review.verdict_label} (đoàn {delegation.code})",
        user=user,
        changes=audit.diff(before, audit.snapshot(review, REVIEW_FIELDS)),
    )
    return review


def record_border_permit(
    delegation: Delegation,
    number: str,
    issued_on: date,
    valid_from: date,
    valid_to: date,
    notes: str | None = None,
    *,
    user,
) -> BorderPermit:
    """The police's permit to enter the border area, valid for the whole visit."""
    workflow.require(delegation, "border_permit", user)
    validation.raise_all(
        validation.collect(
            (validation.not_future, issued_on, "issued_on", "Ngày cấp"),
            (
                validation.in_order,
                valid_from,
                valid_to,
                "valid_to",
                "Ngày hết hiệu lực không được trước ngày có hiệu lực.",
            ),
        )
    )
    if valid_from > delegation.start_on or valid_to < delegation.end_on:
        raise FieldError(
            "valid_to",
            f"Giấy phép phải có hiệu lực suốt thời gian đoàn "
            f"({delegation.start_on:%d/%m/%Y} – {delegation.end_on:%d/%m/%Y}).",
        )
    permit = BorderPermit(
        number=number.strip(),
        issued_on=issued_on,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes or None,
        given_on_revision=delegation.revision,
    )
    summary = f"Cấp giấy phép vào khu vực biên giới số {permit.number}"
    return _add_audited(delegation, permit, DelegationAudit.BORDER_PERMIT, summary, user=user)


def record_border_notice(delegation: Delegation, notice_on: date, *, user) -> Delegation:
    """The notice to police and border guard, at least 24 hours before the visit."""
    workflow.require(delegation, "border_notice", user)
    validation.not_future(notice_on, "notice_on", "Ngày thông báo")
    hours = workflow.notice_hours()
    if notice_on > delegation.start_on - timedelta(days=max(1, -(-hours // 24))):
        raise FieldError(
            "notice_on",
            f"Phải thông báo cho Công an và Bộ đội Biên phòng trước ít nhất {hours} giờ "
            f"(trước ngày {delegation.start_on:%d/%m/%Y}).",
        )
    old = delegation.border_notice_on
    delegation.border_notice_on = notice_on
    summary = f"Thông báo Công an, Biên phòng ngày {notice_on:%d/%m/%Y}"
    changes = {"border_notice_on": [str(old) if old else None, str(notice_on)]}
    logged(delegation, DelegationAudit.BORDER_NOTICE, summary, user=user, changes=changes)
    return delegation


def record_visit_report(
    delegation: Delegation, received_on: date, summary: str, file=None, *, user
) -> VisitReport:
    """The report after the visit, with its file if one was sent."""
    workflow.require(delegation, "visit_report", user)
    if not summary:
        raise FieldError("summary", "Vui lòng nhập nội dung báo cáo.")
    validation.past_date(
        received_on, "received_on", "Ngày báo cáo", delegation.start_on, "khi đoàn bắt đầu"
    )
    report = VisitReport(
        received_on=received_on,
        summary=summary,
    )
    what = f"Nhận báo cáo kết quả đoàn {delegation.code}"
    _add_audited(delegation, report, DelegationAudit.REPORT, what, user=user)
    attachments.store_if_sent(file, "visit_report", report.id, user)
    return report


def _add_audited(delegation: Delegation, row, action: str, summary: str, *, user):
    """A new row recorded on the delegation by the user, and its entry in the delegation's
    audit log."""
    row.delegation_id = delegation.id
    row.recorded_by_id = user.id
    db.session.add(row)
    logged(delegation, action, summary, user=user)
    return row
