"""The procedure's steps and the follow-up records: one form page each (core/step.html),
and the small forms on the item's page that correct a follow-up row.

Each form's fields carry the names of its service's arguments, so the tables below say
only which form feeds which service (and the few fields a service names otherwise).
"""

from flask import abort, request
from flask_login import current_user

from app.aid import checklist, services, workflow
from app.aid.forms import (
    AmendForm,
    AppraiseForm,
    ApproveForm,
    CentralDecisionForm,
    CentralRefusalForm,
    CommentForm,
    CompleteForm,
    DecisionForm,
    DisbursementForm,
    DocumentReceivedForm,
    FollowUpForm,
    InspectionForm,
    PlannedDisbursementForm,
    RefuseForm,
    ReportForm,
    RequestOpinionsForm,
    ResubmitForm,
    StartForm,
    SubmitUpForm,
)
from app.aid.models import AidItem, Disbursement, Inspection, PlannedDisbursement
from app.aid.services import queries
from app.aid.views import bp, detail_url
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.forms import choices
from app.core.permissions import requires
from app.core.web import (
    archive_action,
    form_action,
    form_page,
    form_values,
    get_or_404,
    step_check,
)


def _renamed(**names):
    """The form's values, some under the service's own name (e.g. comment -> reason)."""
    return lambda form: {names.get(key, key): value for key, value in form_values(form).items()}


AS_NAMED = _renamed()
REASON_IN_COMMENT = _renamed(comment="reason")
REASON_IN_CONTENT = _renamed(content="reason")


def _amendment(form: AmendForm) -> dict:
    decision = form_values(form, "number", "signed_on", "signer", "content", "file")
    return {**decision, "new_values": form.new_values()}


# A decision step's form carries its signed document (optional), filed with the decision.
decided = services.with_decision_file

# Transition -> (form, service[, the service's arguments from the form, when the form
# names one otherwise]). The transition table decides who may take it and when.
STEPS = {
    "return": (CommentForm, services.return_dossier, REASON_IN_COMMENT),
    "resubmit": (ResubmitForm, services.resubmit),
    "request_opinions": (RequestOpinionsForm, services.request_opinions),
    "appraise": (AppraiseForm, services.appraise),
    "approve": (ApproveForm, decided(services.approve)),
    "refuse": (RefuseForm, decided(services.refuse), REASON_IN_CONTENT),
    "start": (StartForm, services.start),
    "suspend": (CommentForm, services.suspend, REASON_IN_COMMENT),
    "resume": (CommentForm, services.resume),
    "complete": (CompleteForm, services.complete),
    "revoke": (DecisionForm, decided(services.revoke), REASON_IN_CONTENT),
    "amend": (AmendForm, decided(services.amend), _amendment),
    # Aid beyond the province's competence (the table offers these instead of approve).
    "submit_up": (SubmitUpForm, services.submit_up),
    "central_decision": (CentralDecisionForm, decided(services.record_central_decision)),
    "central_refusal": (
        CentralRefusalForm,
        decided(services.record_central_refusal),
        REASON_IN_CONTENT,
    ),
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
    if isinstance(form, CompleteForm) and request.method == "GET":
        form.ended_on.data = today_vn()


def _row(table: dict, key: str) -> tuple:
    """The table's row for a key taken from the URL, or the 404 page."""
    if key not in table:
        abort(404)
    return table[key]


def _action_page(item: AidItem, key: str, form_class, service, arguments=AS_NAMED, **context):
    """The form of one step or record: checked (403 / 409) before it is even shown."""
    checked = step_check(lambda: workflow.require(item, key, current_user), detail_url(item))
    form = form_class()
    _prepare(item, form)
    label = checked.action.label
    if key == "complete":  # completion states the share disbursed
        context.setdefault("record_note", services.completion_note(item))
    if key == "appraise":  # warns (never refuses) about required documents not received
        context.setdefault("record_note", checklist.missing_note(item))
    return form_page(
        form,
        context.pop("template", "core/step.html"),
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
    extra = {}
    if form_class is DisbursementForm:  # the confirmation and reason only when asked
        extra = {"template": "aid/disbursement.html", "correction": item.is_completed}
    return _action_page(
        item,
        entry,
        form_class,
        service,
        success=f"Đã lưu: {label.lower()}.",
        submit_label="Lưu",
        **extra,
    )


# --- The disbursement schedule (planned disbursements by year) ----------------------------


def _plan_page(item: AidItem, row: PlannedDisbursement | None):
    """Add a year to the schedule, or correct one (with the version the page showed)."""
    checked = step_check(
        lambda: workflow.require(item, "planned_disbursement", current_user), detail_url(item)
    )
    form = PlannedDisbursementForm(obj=row)
    title = "Thêm năm kế hoạch giải ngân" if row is None else f"Sửa kế hoạch năm {row.year}"
    if row is not None and request.method == "GET":
        form.version.data = row.version

    def save():
        if row is None:
            return services.add_planned_disbursement(item, **form_values(form), user=current_user)
        return services.update_planned_disbursement(
            row, **form_values(form), user=current_user, version=form.version_number()
        )

    return form_page(
        form,
        "core/step.html",
        save=save,
        success="Đã lưu kế hoạch giải ngân." if row is None else "Đã sửa kế hoạch giải ngân.",
        redirect_to=detail_url(item),
        action=checked.action,
        title=title,
        record=item,
        record_name=item.name,
        record_note=f"Tiền tệ của khoản viện trợ: {item.currency}",
        record_url=detail_url(item),
        submit_label="Lưu",
    )


@bp.route("/<int:item_id>/ke-hoach-giai-ngan/moi", methods=["GET", "POST"])
@requires(rules.manage_aid)
def plan_new(item_id: int):
    return _plan_page(get_or_404(AidItem, item_id), None)


@bp.route("/ke-hoach-giai-ngan/<int:plan_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_aid)
def plan_edit(plan_id: int):
    row = get_or_404(PlannedDisbursement, plan_id)
    return _plan_page(get_or_404(AidItem, row.aid_item_id), row)


@bp.route("/ke-hoach-giai-ngan/<int:plan_id>/luu-tru", methods=["POST"])
@requires(rules.manage_aid)
def plan_archive(plan_id: int):
    row = get_or_404(PlannedDisbursement, plan_id)
    return archive_action(
        row,
        services.archive_planned_disbursement,
        success=f"Đã lưu trữ kế hoạch giải ngân năm {row.year}.",
        back=detail_url(row.aid_item_id),
        invalid="Vui lòng ghi lý do lưu trữ dòng kế hoạch.",
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


@bp.route("/<int:item_id>/ho-so/<document>", methods=["POST"])
@requires(rules.manage_aid)
def document_received(item_id: int, document: str):
    """Tick (or untick) a document of the checklist as received, from the item's page."""
    item = get_or_404(AidItem, item_id)
    form = DocumentReceivedForm()
    return form_action(
        form,
        save=lambda: services.mark_document(
            item, document, form.received.data, user=current_user, version=form.version_number()
        ),
        success="Đã cập nhật thành phần hồ sơ.",
        back=detail_url(item),
    )
