"""The procedure's steps and the follow-up records: one form page each (core/step.html),
and the small forms on the item's page that correct a follow-up row."""

from flask import abort, request
from flask_login import current_user

from app.aid import services, workflow
from app.aid.forms import (
    AmendForm,
    AppraiseForm,
    ApproveForm,
    CommentForm,
    DecisionForm,
    DisbursementForm,
    FollowUpForm,
    InspectionForm,
    RefuseForm,
    ReportForm,
    RequestOpinionsForm,
    ResubmitForm,
    StartForm,
)
from app.aid.models import AidItem, Disbursement, Inspection
from app.aid.services import queries
from app.aid.views import bp, detail_url, text_of
from app.core import permissions as rules
from app.core.forms import ArchiveForm, choices
from app.core.permissions import requires
from app.core.web import form_action, form_page, get_or_404


def _amend_values(form: AmendForm) -> dict:
    values = {}
    for key in services.AMENDABLE:
        data = getattr(form, key).data
        if key == "currency":
            data = (data or "").strip().upper() or None
        if data is not None and data != "":
            values[key] = int(data) if key == "counterpart_vnd" else data
    return values


def _decision(f) -> dict:
    return {"number": f.number.data, "signed_on": f.signed_on.data}


# action -> (form class, save(item, form)); the transition table decides if it is allowed.
STEPS = {
    "return": (
        CommentForm,
        lambda item, f: services.return_dossier(item, reason=text_of(f.comment), user=current_user),
    ),
    "resubmit": (
        ResubmitForm,
        lambda item, f: services.resubmit(
            item, comment=f.comment.data, received_on=f.received_on.data, user=current_user
        ),
    ),
    "request_opinions": (
        RequestOpinionsForm,
        lambda item, f: services.request_opinions(
            item,
            agency_ids=f.agency_ids.data or [],
            note=f.note.data,
            requested_on=f.requested_on.data,
            user=current_user,
        ),
    ),
    "appraise": (
        AppraiseForm,
        lambda item, f: services.appraise(
            item,
            form_key=f.form_key.data,
            appraised_on=f.appraised_on.data,
            conclusion=text_of(f.conclusion),
            user=current_user,
        ),
    ),
    "approve": (
        ApproveForm,
        lambda item, f: services.approve(
            item,
            **_decision(f),
            signer=text_of(f.signer),
            content=f.content.data,
            approved_value=f.approved_value.data,
            user=current_user,
        ),
    ),
    "refuse": (
        RefuseForm,
        lambda item, f: services.refuse(
            item, reason=text_of(f.content), **_decision(f), user=current_user
        ),
    ),
    "start": (
        StartForm,
        lambda item, f: services.start(
            item, started_on=f.started_on.data, comment=f.comment.data, user=current_user
        ),
    ),
    "suspend": (
        CommentForm,
        lambda item, f: services.suspend(item, reason=text_of(f.comment), user=current_user),
    ),
    "resume": (
        CommentForm,
        lambda item, f: services.resume(item, comment=f.comment.data, user=current_user),
    ),
    "complete": (
        CommentForm,
        lambda item, f: services.complete(item, comment=f.comment.data, user=current_user),
    ),
    "revoke": (
        DecisionForm,
        lambda item, f: services.revoke(
            item, **_decision(f), signer=f.signer.data, reason=text_of(f.content), user=current_user
        ),
    ),
    "amend": (
        AmendForm,
        lambda item, f: services.amend(
            item,
            **_decision(f),
            signer=f.signer.data,
            content=f.content.data,
            new_values=_amend_values(f),
            user=current_user,
        ),
    ),
}

# URL slug -> (workflow entry, form class, save(item, form)).
RECORDS = {
    "giai-ngan": (
        "disbursement",
        DisbursementForm,
        lambda item, f: services.add_disbursement(
            item,
            disbursed_on=f.disbursed_on.data,
            amount=f.amount.data,
            currency=f.currency.data,
            rate_vnd=f.rate_vnd.data,
            rate_usd=f.rate_usd.data,
            source=text_of(f.source),
            verified=f.verified.data,
            user=current_user,
        ),
    ),
    "bao-cao": (
        "report",
        ReportForm,
        lambda item, f: services.add_report(
            item,
            kind=f.kind.data,
            period_start=f.period_start.data,
            period_end=f.period_end.data,
            received_on=f.received_on.data,
            summary=f.summary.data,
            file=request.files.get("file"),
            user=current_user,
        ),
    ),
    "kiem-tra": (
        "inspection",
        InspectionForm,
        lambda item, f: services.add_inspection(
            item,
            inspected_on=f.inspected_on.data,
            team=text_of(f.team),
            findings=f.findings.data,
            recommendations=f.recommendations.data,
            follow_up=f.follow_up.data,
            user=current_user,
        ),
    ),
}


def _step_page(item: AidItem, form, action, save, success: str, **context):
    return form_page(
        form,
        "core/step.html",
        save=lambda: save(item, form),
        success=success,
        redirect_to=detail_url(item),
        action=action,
        record=item,
        record_name=item.name,
        record_url=detail_url(item),
        **context,
    )


@bp.route("/<int:item_id>/buoc/<action>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def step(item_id: int, action: str):
    item = get_or_404(AidItem, item_id)
    if action not in STEPS:
        abort(404)
    transition = workflow.transition_for(item, action)  # 409 when not allowed in this state
    form_class, save = STEPS[action]
    form = form_class()
    if action == "request_opinions":
        agencies = queries.consultable_agencies()
        form.agency_ids.choices = choices((a.id, a.name) for a in agencies)
        if request.method == "GET":
            form.agency_ids.data = [a.id for a in agencies if a.kind in queries.CONSULTED_KINDS]
    if request.method == "GET" and action == "approve":
        form.signer.data = "Chủ tịch UBND tỉnh"
    label = transition.action.label
    return _step_page(item, form, transition.action, save, f"Đã thực hiện: {label}.")


@bp.route("/<int:item_id>/ghi-nhan/<kind>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def record(item_id: int, kind: str):
    item = get_or_404(AidItem, item_id)
    if kind not in RECORDS:
        abort(404)
    entry, form_class, save = RECORDS[kind]
    workflow.require(item, entry, current_user)  # 409 unless approved and not archived
    form = form_class()
    if request.method == "GET" and hasattr(form, "currency"):
        form.currency.data = item.currency
        form.rate_vnd.data = item.rate_vnd
        form.rate_usd.data = item.rate_usd
    action = workflow.ACTIONS[entry]
    return _step_page(
        item, form, action, save, f"Đã lưu: {action.label.lower()}.", submit_label="Lưu"
    )


@bp.route("/giai-ngan/<int:disbursement_id>/huy", methods=["POST"])
@requires(rules.manage_aid)
def disbursement_archive(disbursement_id: int):
    disbursement = get_or_404(Disbursement, disbursement_id)
    form = ArchiveForm()
    return form_action(
        form,
        save=lambda: services.archive_disbursement(
            disbursement,
            reason=text_of(form.reason),
            user=current_user,
            version=form.version_number(),
        ),
        success="Đã hủy dòng giải ngân (vẫn lưu trong lịch sử).",
        back=detail_url(disbursement.aid_item_id),
        invalid="Vui lòng ghi lý do hủy dòng giải ngân.",
    )


@bp.route("/kiem-tra/<int:inspection_id>/khac-phuc", methods=["POST"])
@requires(rules.manage_aid)
def inspection_follow_up(inspection_id: int):
    inspection = get_or_404(Inspection, inspection_id)
    form = FollowUpForm()
    return form_action(
        form,
        save=lambda: services.update_inspection_follow_up(
            inspection,
            follow_up=form.follow_up.data,
            user=current_user,
            version=form.version_number(),
        ),
        success="Đã cập nhật tình hình khắc phục.",
        back=detail_url(inspection.aid_item_id),
        invalid="Tình hình khắc phục không hợp lệ.",
    )
