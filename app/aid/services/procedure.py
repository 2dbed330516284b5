"""The aid procedure, step by step: return and resubmit the dossier, ask for opinions and
answer them, appraise, decide (approve, refuse), start, suspend, resume, complete, revoke,
amend. Writes only; the view commits once.

Each step checks its permission rule first, then its data, then writes inside
`workflow.step()`, which checks the state and records the step and its audit entry.
"""

import re
from datetime import date
from decimal import Decimal

from flask import current_app

from app.aid import workflow
from app.aid.contents import BUDGET_REVENUE
from app.aid.models import Decision, DecisionKind, Opinion
from app.aid.services import money
from app.aid.services.common import check, given, saved, vnd_value
from app.aid.services.notices import create_notices
from app.aid.states import AidAudit
from app.auth.models import Agency
from app.core import attachments, audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.dates import add_period, today_vn
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.core.money import format_number
from app.extensions import db

AMENDABLE = ("value", "currency", "rate_vnd", "rate_usd", "counterpart_vnd", "end_on")
DECISION_NUMBER_RE = re.compile(r"^\d+[A-Za-z]?(/[^\s/]+)+$")
DECISION_NUMBER_HELP = "Số quyết định không hợp lệ (ví dụ: 123/QĐ-UBND)."

step = workflow.AID_WORKFLOW.step
require_rule = workflow.AID_WORKFLOW.require_rule


# --- Rules on the data of a step ---------------------------------------------------------


def _decision_number(number: str) -> None:
    if not number or not DECISION_NUMBER_RE.match(number):
        raise FieldError("number", DECISION_NUMBER_HELP)


def _decision_number_free(number: str, signed_on: date | None) -> None:
    """Decision numbers restart every year: one number is used once per year."""
    if not number or signed_on is None:
        return
    used = db.session.scalar(
        db.select(Decision.id).where(
            Decision.number == number,
            Decision.signed_on >= date(signed_on.year, 1, 1),
            Decision.signed_on < date(signed_on.year + 1, 1, 1),
        )
    )
    if used:
        raise FieldError("number", f"Số quyết định {number} năm {signed_on.year} đã được dùng.")


def _decision_date(signed_on: date | None, item) -> None:
    if signed_on is None:
        raise FieldError("signed_on", "Vui lòng nhập ngày ký quyết định.")
    validation.not_future(signed_on, "signed_on", "Ngày ký")
    if item.dossier_received_on and signed_on < item.dossier_received_on:
        raise FieldError("signed_on", "Ngày ký không được trước ngày nhận hồ sơ.")
    validation.not_before(signed_on, item.appraisal_on, "signed_on", "Ngày ký", "ngày thẩm định")


def _numbered_decision(item, number: str, signed_on: date | None) -> list[tuple]:
    """The checks of a numbered decision (approval, revocation, amendment)."""
    return [
        (_decision_number, number),
        (_decision_date, signed_on, item),
        (_decision_number_free, number, signed_on),
    ]


def _add_decision(item, user, kind, number, signed_on, signer, content, changes=None) -> Decision:
    decision = Decision(
        aid_item_id=item.id,
        kind=kind,
        number=(number or "").strip() or None,
        signed_on=signed_on,
        signer=signer or None,
        content=content or None,
        changes=changes,
        recorded_by_id=user.id,
    )
    db.session.add(decision)
    return decision


# --- The dossier before the appraisal ----------------------------------------------------


def return_dossier(item, reason: str, *, user) -> None:
    """Back to the aid owner for completion; open opinion requests are cancelled."""
    require_rule(item, "return", user)
    check((given, reason, "comment", "Vui lòng ghi lý do trả lại hồ sơ."))
    with step(item, "return", user, reason):
        for opinion in item.opinions:
            if opinion.is_open:
                opinion.cancelled_at = utcnow()


def resubmit(item, comment: str | None = None, received_on: date | None = None, *, user) -> None:
    require_rule(item, "resubmit", user)
    check((validation.not_future, received_on, "received_on", "Ngày nhận hồ sơ"))
    with step(item, "resubmit", user, comment):
        if received_on:
            item.dossier_received_on = received_on


def request_opinions(
    item,
    agency_ids: list[int],
    note: str | None = None,
    requested_on: date | None = None,
    *,
    user,
) -> list[Opinion]:
    """Ask each agency for its written opinion, due in the configured working days."""
    require_rule(item, "request_opinions", user)
    requested_on = requested_on or today_vn()
    check(
        (given, agency_ids, "agency_ids", "Vui lòng chọn ít nhất một cơ quan cần xin ý kiến."),
        (validation.not_future, requested_on, "requested_on", "Ngày xin ý kiến"),
    )
    agencies = db.session.scalars(
        db.select(Agency).where(Agency.id.in_(agency_ids), Agency.active.is_(True))
    ).all()
    if len(agencies) != len(set(agency_ids)):
        raise FieldError("agency_ids", "Cơ quan được chọn không tồn tại hoặc đã ngừng hoạt động.")
    due_on = add_period(requested_on, *current_app.config["AID_OPINION_DEADLINE"])
    names = ", ".join(a.name for a in agencies)
    created = []
    with step(item, "request_opinions", user, f"Xin ý kiến: {names}"):
        already = {o.agency_id for o in item.opinions if o.is_open}
        for agency in agencies:
            if agency.id not in already:
                opinion = Opinion(
                    agency_id=agency.id, requested_on=requested_on, due_on=due_on, request_note=note
                )
                item.opinions.append(opinion)
                created.append(opinion)
    return created


def require_open_opinion(opinion: Opinion) -> None:
    """An opinion is answered once, while its item waits for opinions (else 409)."""
    if not opinion.is_open:
        raise DomainError("Ý kiến này đã được trả lời hoặc đã hủy.")
    if not opinion.aid_item.waits_for_opinions:
        raise DomainError("Khoản viện trợ không còn ở bước xin ý kiến.")


def answer_opinion(
    opinion: Opinion,
    verdict: str,
    answer: str,
    document_number: str | None = None,
    answered_on: date | None = None,
    file=None,
    *,
    user,
    version: int | None = None,
) -> Opinion:
    """The consulted agency's officer records its opinion (once)."""
    rules.answer_opinion.require(user, opinion)
    if version is not None:  # from the form; direct calls (import, tests) skip the check
        check_version(opinion, version)
    item = opinion.aid_item
    require_open_opinion(opinion)
    answered_on = answered_on or today_vn()
    check(
        (given, answer, "answer", "Vui lòng nhập nội dung ý kiến."),
        (validation.not_future, answered_on, "answered_on", "Ngày trả lời"),
        (
            validation.in_order,
            opinion.requested_on,
            answered_on,
            "answered_on",
            "Ngày trả lời không được trước ngày xin ý kiến.",
        ),
    )
    opinion.verdict = verdict
    opinion.answer = answer
    opinion.document_number = document_number or None
    opinion.answered_on = answered_on
    opinion.answered_by_id = user.id
    attachments.store_if_sent(file, "opinion", opinion.id, user)
    summary = f"{opinion.agency.name} góp ý {item.code}: {opinion.verdict_label}"
    changes = {"verdict": [None, verdict]}
    return saved(opinion, AidAudit.OPINION_ANSWER, user=user, summary=summary, changes=changes)


def appraise(item, form_key: str, appraised_on: date, conclusion: str, *, user) -> None:
    require_rule(item, "appraise", user)
    check(
        (given, conclusion, "conclusion", "Vui lòng nhập kết luận thẩm định."),
        (validation.not_future, appraised_on, "appraised_on", "Ngày thẩm định"),
        (
            validation.not_before,
            appraised_on,
            item.dossier_complete_on or item.dossier_received_on,
            "appraised_on",
            "Ngày thẩm định",
            "ngày hồ sơ hợp lệ",
        ),
    )
    with step(item, "appraise", user, conclusion):
        item.appraisal_form = form_key
        item.appraisal_on = appraised_on
        item.appraisal_conclusion = conclusion


# --- Decisions ---------------------------------------------------------------------------


def _approved_value(value, item) -> None:
    """A value set by the decision follows the rules of every amount (no fraction of a
    đồng, not negative, within the limit)."""
    if value is not None:
        validation.money(value, item.currency, item.rate_vnd, item.rate_usd, "approved_value")


def _managed_split(donor_part, recipient_part, item, approved_value) -> None:
    """Decree 80/2020 Art 11(1)(đ): the part managed by the donor and the part managed by
    the recipient (both or neither) add up to the approved value, in the item's currency."""
    if donor_part is None and recipient_part is None:
        return
    if donor_part is None or recipient_part is None:
        field = "donor_managed_value" if donor_part is None else "recipient_managed_value"
        raise FieldError(
            field, "Vui lòng nhập cả phần do bên tài trợ và phần do bên tiếp nhận quản lý."
        )
    if donor_part < 0 or recipient_part < 0:
        raise FieldError("recipient_managed_value", "Giá trị quản lý không được âm.")
    approved = item.value if approved_value is None else approved_value
    if donor_part + recipient_part != approved:
        raise FieldError(
            "recipient_managed_value",
            f"Phần do bên tài trợ quản lý ({format_number(donor_part, 2)}) cộng phần do bên "
            f"tiếp nhận quản lý ({format_number(recipient_part, 2)}) phải bằng giá trị được "
            f"phê duyệt ({format_number(approved, 2)} {item.currency}).",
        )


CONTENTS = (
    "donor_managed_value",
    "recipient_managed_value",
    "management_modality",
    "financial_mechanism",
    "decision_authority",
)


def record_approval(
    item, action, number, signed_on, signer, content, approved_value, contents, *, user, checks=()
) -> Decision:
    """The approval decision in force, by the province ("approve") or the centre: number,
    date, signer, the approved value and what Art 11(1) asks the decision to say."""
    require_rule(item, action, user)
    number = (number or "").strip()
    check(
        *_numbered_decision(item, number, signed_on),
        (_approved_value, approved_value, item),
        (
            _managed_split,
            contents.get("donor_managed_value"),
            contents.get("recipient_managed_value"),
            item,
            approved_value,
        ),
        *checks,
    )
    with step(item, action, user, f"Quyết định {number}") as current:
        changes = None
        if approved_value is not None and approved_value != item.value:
            before = audit.snapshot(item, ("value", "value_vnd"))
            item.value = approved_value
            item.value_vnd = vnd_value(item.value, item.currency, item.rate_vnd)
            changes = audit.diff(before, audit.snapshot(item, ("value", "value_vnd")))
            current.changes.update(changes)
        before = audit.snapshot(item, CONTENTS)
        for key in CONTENTS:
            setattr(item, key, contents.get(key) or None)
        if item.financial_mechanism:  # the dossier's flag follows the decision
            item.is_budget_revenue = item.financial_mechanism == BUDGET_REVENUE
        current.changes.update(audit.diff(before, audit.snapshot(item, CONTENTS)))
        item.decision_number = number
        item.decision_date = signed_on
        item.decision_signer = signer or None
        decision = _add_decision(
            item, user, DecisionKind.PHE_DUYET, number, signed_on, signer, content, changes
        )
    create_notices(item, decision, user=user)  # sent to the donor, ...
    return decision


def approve(
    item,
    number: str,
    signed_on: date,
    signer: str,
    content: str | None = None,
    approved_value: Decimal | None = None,
    donor_managed_value: Decimal | None = None,
    recipient_managed_value: Decimal | None = None,
    management_modality: str | None = None,
    financial_mechanism: str | None = None,
    *,
    user,
) -> Decision:
    """Record the chairman's approval decision (number like 123/QĐ-UBND, date, signer).

    The approved value (in the item's currency) replaces the proposed one when it differs;
    the decision keeps both. The parts managed by the donor and by the recipient, the
    management modality and the financial mechanism are what Decree 80/2020 Art 11(1) asks.
    """
    contents = {
        "donor_managed_value": donor_managed_value,
        "recipient_managed_value": recipient_managed_value,
        "management_modality": management_modality,
        "financial_mechanism": financial_mechanism,
    }
    return record_approval(
        item,
        "approve",
        number,
        signed_on,
        signer,
        content,
        approved_value,
        contents,
        user=user,
        checks=[(given, signer, "signer", "Vui lòng nhập người ký quyết định.")],
    )


def refuse(item, reason: str, number: str | None, signed_on: date, *, user) -> Decision:
    """The notice of non-acceptance, with its reasons."""
    require_rule(item, "refuse", user)
    check(
        (given, reason, "content", "Vui lòng ghi lý do không chấp thuận."),
        (_decision_date, signed_on, item),
    )
    with step(item, "refuse", user, reason):
        decision = _add_decision(
            item, user, DecisionKind.KHONG_CHAP_THUAN, number, signed_on, None, reason
        )
    return decision


def revoke(
    item, number: str, signed_on: date, signer: str | None, reason: str, *, user
) -> Decision:
    require_rule(item, "revoke", user)
    number = (number or "").strip()
    check(
        *_numbered_decision(item, number, signed_on),
        (given, reason, "content", "Vui lòng ghi lý do thu hồi."),
    )
    with step(item, "revoke", user, reason):
        decision = _add_decision(
            item, user, DecisionKind.THU_HOI, number, signed_on, signer, reason
        )
    create_notices(item, decision, user=user)  # the revocation notice to the donor
    return decision


def amend(
    item,
    number: str,
    signed_on: date,
    signer: str | None,
    content: str | None,
    new_values: dict,
    *,
    user,
) -> Decision:
    """An approved change: a decision of its own, with the old and new values kept."""
    require_rule(item, "amend", user)
    number = (number or "").strip()
    merged = {key: new_values.get(key, getattr(item, key)) for key in AMENDABLE}
    check(
        *_numbered_decision(item, number, signed_on),
        (
            validation.money,
            merged["value"],
            merged["currency"],
            merged["rate_vnd"],
            merged["rate_usd"],
        ),
        (validation.not_negative, merged["counterpart_vnd"], "counterpart_vnd", "Vốn đối ứng"),
        (
            validation.in_order,
            item.start_on,
            merged["end_on"],
            "end_on",
            "Ngày kết thúc không được trước ngày bắt đầu.",
        ),
    )
    if merged["currency"] == "VND":
        merged["rate_vnd"] = None
    merged["value_vnd"] = vnd_value(merged["value"], merged["currency"], merged["rate_vnd"])
    changes = {
        key: [audit.plain(getattr(item, key)), audit.plain(value)]
        for key, value in merged.items()
        if getattr(item, key) != value
    }
    if not changes:
        raise FieldError("value", "Quyết định điều chỉnh không thay đổi giá trị nào.")
    with step(item, "amend", user, f"Quyết định điều chỉnh {number}") as current:
        for key, value in merged.items():
            setattr(item, key, value)
        current.changes.update(changes)
        decision = _add_decision(
            item, user, DecisionKind.DIEU_CHINH, number, signed_on, signer, content, changes
        )
    return decision


# --- Implementation ----------------------------------------------------------------------


def start(item, started_on: date, comment: str | None = None, *, user) -> None:
    """The actual start; the planned start (start_on) is kept, so the delay shows."""
    require_rule(item, "start", user)
    check(
        (given, started_on, "started_on", "Vui lòng nhập ngày bắt đầu."),
        (validation.not_future, started_on, "started_on", "Ngày bắt đầu"),
    )
    if item.decision_date and started_on < item.decision_date:
        raise FieldError("started_on", "Ngày bắt đầu thực hiện không được trước ngày phê duyệt.")
    with step(item, "start", user, comment) as current:
        item.actual_start_on = started_on
        current.changes["actual_start_on"] = [None, started_on.isoformat()]


def suspend(item, reason: str, *, user) -> None:
    require_rule(item, "suspend", user)
    check((given, reason, "comment", "Vui lòng ghi lý do tạm dừng."))
    with step(item, "suspend", user, reason):
        pass


def resume(item, comment: str | None = None, *, user) -> None:
    with step(item, "resume", user, comment):
        pass


UNDER_FULL = "vui lòng ghi lý do ghi nhận hoàn thành khi chưa giải ngân đủ 100%."


def completion_note(item) -> str:
    """What the completion form states: the share of the approved value disbursed."""
    share = money.share_of_value(item, money.disbursed(item))
    if share is None:
        return "Chưa có giá trị được phê duyệt để tính tỷ lệ giải ngân"
    return f"Đã giải ngân {format_number(share, 1)}% giá trị được phê duyệt"


def complete(item, comment: str | None = None, ended_on: date | None = None, *, user) -> None:
    """The actual end (default today; the planned end_on is kept) and the share disbursed;
    under 100 % the reason (comment) is required."""
    # The state and the closing report first: the reason matters only for an item that
    # may be completed now.
    workflow.AID_WORKFLOW.require(item, "complete", user)
    ended_on = ended_on or today_vn()
    share = money.share_of_value(item, money.disbursed(item))
    check(
        (given, ended_on, "ended_on", "Vui lòng nhập ngày kết thúc thực tế."),
        (validation.not_future, ended_on, "ended_on", "Ngày kết thúc"),
        (
            validation.in_order,
            item.actual_start_on,
            ended_on,
            "ended_on",
            "Ngày kết thúc không được trước ngày bắt đầu thực hiện.",
        ),
        *(
            [(given, comment, "comment", f"{completion_note(item)}: {UNDER_FULL}")]
            if share is not None and share < 100
            else []
        ),
    )
    with step(item, "complete", user, comment) as current:
        item.actual_end_on = ended_on
        current.changes["actual_end_on"] = [None, ended_on.isoformat()]
        current.changes["disbursed_share"] = [None, None if share is None else str(share)]
