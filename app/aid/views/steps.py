"""The procedure's steps and the follow-up records: one form page each (core/step.html),
and the small forms on the item's page that correct a follow-up row.

Each form's fields carry the names of its service's arguments, so the tables below say
only which form feeds which service (and the few fields a service names otherwise).
"""

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
from app.aid.views import bp, detail_url
from app.core import permissions as rules
from app.core.forms import choices
from app.core.permissions import requires
from app.core.web import archive_action, form_action, form_page, form_values, get_or_404


def _renamed(**names):
    """The form's values, some under the service's own name (e.g. comment -> reason)."""
    return lambda form: {names.get(key, key): value for key, value in form_values(form).items()}


AS_NAMED = _renamed()
REASON_IN_COMMENT = _renamed(comment="reason")
REASON_IN_CONTENT = _renamed(content="reason")


def _amendment(form: AmendForm) -> dict:
    decision = form_values(form, "number", "signed_on", "signer", "content")
    return {**decision, "new_values": form.new_values()}


# Transition -> (form, service[, the service's arguments from the form, when the form
# names one otherwise]). The transition table decides who may take it and when.
STEPS = {
    "return": (CommentForm, services.return_dossier, REASON_IN_COMMENT),
    "resubmit": (ResubmitForm, services.resubmit),
    "request_opinions": (RequestOpinionsForm, services.request_opinions),
    "appraise": (AppraiseForm, services.appraise),
    "approve": (ApproveForm, services.approve),
    "refuse": (RefuseForm, services.refuse, REASON_IN_CONTENT),
    "start": (StartForm, services.start),
    "suspend": (CommentForm, services.suspend, REASON_IN_COMMENT),
    "resume": (CommentForm, services.resume),
    "complete": (CommentForm, services.complete),
    "revoke": (DecisionForm, services.revoke, REASON_IN_CONTENT),
    "amend": (AmendForm, services.amend, _amendment),
}
# URL slug -> (workflow entry, form, service).
RECORDS = {
    "giai-ngan": ("disbursement", DisbursementForm, services.add_disbursement),
    "bao-cao": ("report", ReportForm, services.add_report),
    "kiem-tra": ("inspection", InspectionForm, services.add_inspection),
}


def _prepare(item: AidItem, form) -> None:
    """Choices read from the database, and defaults taken from the item."""
    if isinstance(form, RequestOpinionsForm):
        agencies = queries.consultable_agencies(current_user)
        form.agency_ids.choices = choices((a.id, a.name) for a in agencies)
        if request.method == "GET":
            form.agency_ids.data = [a.id for a in agencies if queries.ticked_by_default(a)]
    if isinstance(form, DisbursementForm) and request.method == "GET":
        form.currency.data, form.rate_vnd.data = item.currency, item.rate_vnd
        form.rate_usd.data = item.rate_usd


def _row(table: dict, key: str) -> tuple:
    """The table's row for a key taken from the URL, or the 404 page."""
    if key not in table:
        abort(404)
    return table[key]


def _action_page(item: AidItem, key: str, form_class, service, arguments=AS_NAMED, **context):
    """The form of one step or record: checked (403 / 409) before it is even shown."""
    checked = workflow.require(item, key, current_user)
    form = form_class()
    _prepare(item, form)
    label = checked.action.label
    return form_page(
        form,
        "core/step.html",
        save=lambda: service(item, **arguments(form), user=current_user),
        success=context.pop("success", f"Đã thực hiện: {label}."),
        redirect_to=detail_url(item),
        action=checked.action,
        record=item,
        record_name=item.name,
        record_url=detail_url(item),
        **context,
    )


@bp.route("/<int:item_id>/buoc/<action>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def step(item_id: int, action: str):
    item = get_or_404(AidItem, item_id)
    return _action_page(item, action, *_row(STEPS, action))


@bp.route("/<int:item_id>/ghi-nhan/<kind>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def record(item_id: int, kind: str):
    item = get_or_404(AidItem, item_id)
    entry, form_class, service = _row(RECORDS, kind)
    label = workflow.ACTIONS[entry].label
    return _action_page(
        item, entry, form_class, service, success=f"Đã lưu: {label.lower()}.", submit_label="Lưu"
    )


@bp.route("/giai-ngan/<int:disbursement_id>/huy", methods=["POST"])
@requires(rules.manage_aid)
def disbursement_archive(disbursement_id: int):
    disbursement = get_or_404(Disbursement, disbursement_id)
    return archive_action(
        disbursement,
        services.archive_disbursement,
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
            inspection, **form_values(form), user=current_user, version=form.version_number()
        ),
        success="Đã cập nhật tình hình khắc phục.",
        back=detail_url(inspection.aid_item_id),
        invalid="Tình hình khắc phục không hợp lệ.",
    )
