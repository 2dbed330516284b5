"""Aid beyond the province's competence (Decree 80/2020 Art 7(1), 10(2)(c)): the province
appraises it, records its submission up, then the central decision, which is the item's
approval decision (so the statistics count it by that decision's date), or the centre's
refusal. The transition table (app.aid.workflow) keeps "approve" and "refuse" from such
items. Writes only; the view commits once.
"""

from datetime import date
from decimal import Decimal

from app.aid import workflow
from app.aid.models import Decision, DecisionKind
from app.aid.services.common import check, given
from app.aid.services.procedure import record_approval
from app.core import validation
from app.core.errors import FieldError
from app.extensions import db

step = workflow.AID_WORKFLOW.step
require_rule = workflow.AID_WORKFLOW.require_rule


def _after_submission(signed_on: date | None, item) -> None:
    if signed_on and item.submitted_up_on and signed_on < item.submitted_up_on:
        raise FieldError("signed_on", "Ngày ký không được trước ngày trình cấp trung ương.")


def submit_up(
    item, submitted_on: date, document_number: str, submitted_to: str, comment=None, *, user
) -> None:
    """The province's report sending the appraised item up (date, number, to whom)."""
    require_rule(item, "submit_up", user)
    document_number = (document_number or "").strip()
    submitted_to = (submitted_to or "").strip()
    check(
        (given, submitted_on, "submitted_on", "Vui lòng nhập ngày trình."),
        (validation.not_future, submitted_on, "submitted_on", "Ngày trình"),
        (
            validation.not_before,
            submitted_on,
            item.appraisal_on,
            "submitted_on",
            "Ngày trình",
            "ngày thẩm định",
        ),
        (given, document_number, "document_number", "Vui lòng nhập số văn bản trình."),
        (given, submitted_to, "submitted_to", "Vui lòng ghi cơ quan nhận (trình đến)."),
    )
    summary = f"Văn bản {document_number} ngày {submitted_on:%d/%m/%Y} trình {submitted_to}"
    with step(item, "submit_up", user, comment or summary) as current:
        item.submitted_up_on = submitted_on
        item.submitted_up_number = document_number
        item.submitted_up_to = submitted_to
        current.changes.update(
            submitted_up_on=[None, submitted_on.isoformat()],
            submitted_up_number=[None, document_number],
            submitted_up_to=[None, submitted_to],
        )


def record_central_decision(
    item,
    number: str,
    signed_on: date,
    authority: str,
    signer: str | None = None,
    content: str | None = None,
    approved_value: Decimal | None = None,
    donor_managed_value: Decimal | None = None,
    recipient_managed_value: Decimal | None = None,
    management_modality: str | None = None,
    financial_mechanism: str | None = None,
    *,
    user,
) -> Decision:
    """The central decision (e.g. 45/QĐ-TTg of the Prime Minister) as the item's approval
    decision: the same number and date fields as a provincial one."""
    authority = (authority or "").strip()
    contents = {
        "donor_managed_value": donor_managed_value,
        "recipient_managed_value": recipient_managed_value,
        "management_modality": management_modality,
        "financial_mechanism": financial_mechanism,
        "decision_authority": authority,
    }
    return record_approval(
        item,
        "central_decision",
        number,
        signed_on,
        signer or authority,
        content,
        approved_value,
        contents,
        user=user,
        checks=[
            (
                given,
                authority,
                "authority",
                "Vui lòng ghi cơ quan, người có thẩm quyền quyết định.",
            ),
            (_after_submission, signed_on, item),
        ],
    )


def record_central_refusal(
    item, reason: str, number: str | None, signed_on: date, authority: str, *, user
) -> Decision:
    """The centre does not accept the aid: its document, date, authority and reasons."""
    require_rule(item, "central_refusal", user)
    authority = (authority or "").strip()
    check(
        (given, reason, "content", "Vui lòng ghi lý do không chấp thuận."),
        (given, signed_on, "signed_on", "Vui lòng nhập ngày văn bản."),
        (validation.not_future, signed_on, "signed_on", "Ngày văn bản"),
        (_after_submission, signed_on, item),
        (given, authority, "authority", "Vui lòng ghi cơ quan, người có thẩm quyền."),
    )
    with step(item, "central_refusal", user, f"{authority}: {reason}"):
        decision = Decision(
            aid_item_id=item.id,
            kind=DecisionKind.KHONG_CHAP_THUAN,
            number=(number or "").strip() or None,
            signed_on=signed_on,
            signer=authority,
            content=reason,
            recorded_by_id=user.id,
        )
        db.session.add(decision)
    return decision
