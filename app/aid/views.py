"""Aid items: list and exports, dossier form, detail, procedure steps, follow-up, inbox."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.aid import exports, services, workflow
from app.aid.forms import (
    AidItemForm,
    AmendForm,
    AnswerOpinionForm,
    AppraiseForm,
    ApproveForm,
    AttachmentForm,
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
from app.aid.models import (
    AidItem,
    AidReport,
    AidStatus,
    Decision,
    Disbursement,
    Inspection,
    Modality,
    Opinion,
    Sector,
    WorkflowStep,
)
from app.auth.models import Agency
from app.core import attachments
from app.core import permissions as rules
from app.core.countries import country_choices
from app.core.dates import today_vn
from app.core.errors import DomainError
from app.core.forms import ArchiveForm, choices
from app.core.listing import apply_sort, arg_int, arg_year, paginate
from app.core.models import Commune
from app.core.permissions import ATTACHMENT_READERS, requires
from app.core.views import INBOX_PROVIDERS
from app.core.web import render_invalid, run_form_service
from app.extensions import db
from app.orgs.models import Organization

bp = Blueprint("aid", __name__, url_prefix="/vien-tro")

INBOX_PROVIDERS.append(services.inbox_counts)
# Opinions and reports are part of the registry every signed-in user may read.
ATTACHMENT_READERS["opinion"] = lambda user, _owner_id: rules.read_registry.allows(user)
ATTACHMENT_READERS["aid_report"] = lambda user, _owner_id: rules.read_registry.allows(user)
ATTACHMENT_READERS["aid_item"] = lambda user, _owner_id: rules.read_registry.allows(user)

SORTS = {
    "code": AidItem.code,
    "name": AidItem.name,
    "status": AidItem.status,
    "value": AidItem.value_vnd,
    "decision": AidItem.decision_date,
    "received": AidItem.dossier_received_on,
}


def _filters() -> services.ItemFilters:
    args = request.args
    status = args.get("status", "")
    modality = args.get("modality", "")
    sector = args.get("sector", "")
    return services.ItemFilters(
        q=args.get("q", "").strip(),
        status=status if status in AidStatus.labels() else "",
        year=arg_year(),
        donor=arg_int("donor"),
        country=args.get("country", "").strip().upper()[:2],
        sector=sector if sector in Sector.labels() else "",
        commune=args.get("commune", "").strip()[:5],
        modality=modality if modality in Modality.labels() else "",
        overdue=args.get("overdue") == "1",
        archived=args.get("archived") == "1",
    )


def _donor_pairs():
    return db.session.execute(
        db.select(Organization.id, Organization.code, Organization.name)
        .where(Organization.archived_at.is_(None))
        .order_by(Organization.code)
    ).all()


def _province_communes():
    """The province's communes first (the pickers' list), border communes flagged."""
    return db.session.execute(
        db.select(Commune.code, Commune.name, Commune.is_border)
        .where(Commune.province_code == current_app.config["PROVINCE_CODE"])
        .order_by(Commune.name_folded)
    ).all()


@bp.route("/")
@requires(rules.read_registry)
def index():
    filters = _filters()
    query, sort = apply_sort(services.items_query(filters), SORTS, "-received")
    page = paginate(query.order_by(AidItem.id.desc()))
    return render_template(
        "aid/list.html",
        page=page,
        filters=filters,
        sort=sort,
        statuses=AidStatus.choices(),
        modalities=Modality.choices(),
        sectors=Sector.choices(),
        donors=_donor_pairs(),
        countries=country_choices(),
        communes=_province_communes(),
        today=today_vn(),
    )


@bp.route("/xuat.<fmt>")
@requires(rules.read_registry)
def export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        return render_template(
            "errors/error.html",
            status=404,
            title="Không tìm thấy trang",
            message="Định dạng xuất không hỗ trợ.",
        ), 404
    query, _sort = apply_sort(services.items_query(_filters()), SORTS, "-received")
    return exports.send_items(query.order_by(AidItem.id.desc()), fmt)


# --- The dossier form ----------------------------------------------------------------------


def _prepare_item_form(form: AidItemForm) -> None:
    donors = _donor_pairs()
    form.main_donor_id.choices = choices(
        [(0, "— Chọn nhà tài trợ —")] + [(d.id, f"{d.code} – {d.name}") for d in donors]
    )
    form.co_donor_ids.choices = choices((d.id, f"{d.code} – {d.name}") for d in donors)
    form.communes.choices = choices(
        (c.code, f"{c.name}{' (biên giới)' if c.is_border else ''}") for c in _province_communes()
    )


def _item_input(form: AidItemForm) -> services.ItemInput:
    fields = {
        name: getattr(form, name).data for name in services.ITEM_FIELDS if hasattr(form, name)
    }
    for text_field in (
        "name_en",
        "owner_name",
        "governing_agency",
        "objectives",
        "description",
        "beneficiaries",
        "legacy_location",
    ):
        fields[text_field] = (fields[text_field] or "").strip() or None
    fields["name"] = fields["name"].strip()
    if fields["counterpart_vnd"] is not None:
        fields["counterpart_vnd"] = int(fields["counterpart_vnd"])
    donor_ids = [form.main_donor_id.data] if form.main_donor_id.data else []
    donor_ids += [d for d in (form.co_donor_ids.data or [])]
    return services.ItemInput(
        fields=fields,
        donor_ids=donor_ids,
        sectors=form.sector_pairs(),
        commune_codes=list(form.communes.data or []),
    )


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_aid)
def new():
    form = AidItemForm()
    _prepare_item_form(form)
    if request.method == "GET":
        form.dossier_received_on.data = today_vn()
    if form.validate_on_submit():
        item = run_form_service(form, lambda: services.create_item(_item_input(form), current_user))
        if item:
            db.session.commit()
            flash(f"Đã tiếp nhận hồ sơ khoản viện trợ {item.code}.", "success")
            return redirect(url_for("aid.detail", item_id=item.id))
    if form.is_submitted():
        return render_invalid("aid/form.html", form, item=None)
    return render_template("aid/form.html", form=form, item=None)


@bp.route("/<int:item_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_aid)
def edit(item_id: int):
    item = db.get_or_404(AidItem, item_id)
    if item.status not in services.EDITABLE_STATES:
        raise DomainError(
            "Khoản viện trợ đã có quyết định; mọi thay đổi phải ghi qua quyết định điều chỉnh."
        )
    form = AidItemForm(obj=item)
    _prepare_item_form(form)
    if request.method == "GET":
        form.version.data = item.version
        form.main_donor_id.data = item.main_donor_id
        form.co_donor_ids.data = [d.organization_id for d in item.donors[1:]]
        form.communes.data = [loc.commune_code for loc in item.locations]
        for row, sector in zip(form.sectors, item.sectors, strict=False):
            row.sector.data = sector.sector
            row.share.data = sector.share
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.update_item(
                item, _item_input(form), form.version_number(), current_user
            ),
        )
        if saved:
            db.session.commit()
            flash("Đã lưu thay đổi.", "success")
            return redirect(url_for("aid.detail", item_id=item.id))
    if form.is_submitted():
        return render_invalid("aid/form.html", form, item=item)
    return render_template("aid/form.html", form=form, item=item)


@bp.route("/<int:item_id>/luu-tru", methods=["POST"])
@requires(rules.manage_aid)
def archive(item_id: int):
    item = db.get_or_404(AidItem, item_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash("Vui lòng ghi lý do lưu trữ.", "danger")
        return redirect(url_for("aid.detail", item_id=item.id)), 303
    services.archive_item(item, form.reason.data.strip(), _int(form.version.data), current_user)
    db.session.commit()
    flash(f"Đã lưu trữ khoản viện trợ {item.code}.", "success")
    return redirect(url_for("aid.detail", item_id=item.id))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Detail -------------------------------------------------------------------------------


@bp.route("/<int:item_id>")
@requires(rules.read_registry)
def detail(item_id: int):
    item = db.get_or_404(AidItem, item_id)
    actions, blocked = workflow.available_actions(item, current_user)

    def rows(model, order):
        return db.session.scalars(
            db.select(model).where(model.aid_item_id == item.id).order_by(*order)
        ).all()

    opinion_ids = [o.id for o in item.opinions]
    report_list = rows(AidReport, [AidReport.received_on])
    files = {
        "opinion": attachments.by_owner("opinion", opinion_ids),
        "aid_report": attachments.by_owner("aid_report", [r.id for r in report_list]),
        "aid_item": attachments.by_owner("aid_item", [item.id]).get(item.id, []),
    }
    return render_template(
        "aid/detail.html",
        item=item,
        today=today_vn(),
        steps=rows(WorkflowStep, [WorkflowStep.at, WorkflowStep.id]),
        decisions=rows(Decision, [Decision.signed_on, Decision.id]),
        disbursements=rows(Disbursement, [Disbursement.disbursed_on, Disbursement.id]),
        reports=report_list,
        inspections=rows(Inspection, [Inspection.inspected_on, Inspection.id]),
        totals=services.disbursement_totals(item),
        files=files,
        actions=actions,
        blocked_actions=blocked,
        can_follow_up=rules.manage_aid.allows(current_user)
        and item.status in services.FOLLOW_UP_STATES
        and not item.is_archived,
        can_edit=rules.manage_aid.allows(current_user)
        and item.status in services.EDITABLE_STATES
        and not item.is_archived,
        archive_form=ArchiveForm(version=item.version),
        attachment_form=AttachmentForm(),
        follow_up_form=FollowUpForm(),
    )


# --- Procedure steps ----------------------------------------------------------------------


def _consultable_agencies():
    return db.session.scalars(
        db.select(Agency)
        .where(
            Agency.active.is_(True),
            Agency.kind.in_(("finance", "police", "foreign_affairs", "other", "leadership")),
        )
        .order_by(Agency.kind, Agency.name)
    ).all()


def _amend_values(form: AmendForm) -> dict:
    values = {}
    for key in services.AMENDABLE:
        data = getattr(form, key).data
        if key == "currency":
            data = (data or "").strip().upper() or None
        if data is not None and data != "":
            values[key] = int(data) if key == "counterpart_vnd" else data
    return values


# action -> (form class, call(item, form)); the transition table decides if it is allowed.
STEP_HANDLERS = {
    "return": (
        CommentForm,
        lambda item, f: services.return_dossier(item, current_user, (f.comment.data or "").strip()),
    ),
    "resubmit": (
        ResubmitForm,
        lambda item, f: services.resubmit(item, current_user, f.comment.data, f.received_on.data),
    ),
    "request_opinions": (
        RequestOpinionsForm,
        lambda item, f: services.request_opinions(
            item, current_user, f.agency_ids.data or [], f.note.data, f.requested_on.data
        ),
    ),
    "appraise": (
        AppraiseForm,
        lambda item, f: services.appraise(
            item, current_user, f.form_key.data, f.appraised_on.data, f.conclusion.data.strip()
        ),
    ),
    "approve": (
        ApproveForm,
        lambda item, f: services.approve(
            item,
            current_user,
            f.number.data,
            f.signed_on.data,
            (f.signer.data or "").strip(),
            f.content.data,
            f.approved_value.data,
        ),
    ),
    "refuse": (
        RefuseForm,
        lambda item, f: services.refuse(
            item, current_user, f.content.data.strip(), f.number.data, f.signed_on.data
        ),
    ),
    "start": (
        StartForm,
        lambda item, f: services.start(item, current_user, f.started_on.data, f.comment.data),
    ),
    "suspend": (
        CommentForm,
        lambda item, f: services.suspend(item, current_user, (f.comment.data or "").strip()),
    ),
    "resume": (CommentForm, lambda item, f: services.resume(item, current_user, f.comment.data)),
    "complete": (
        CommentForm,
        lambda item, f: services.complete(item, current_user, f.comment.data),
    ),
    "revoke": (
        DecisionForm,
        lambda item, f: services.revoke(
            item,
            current_user,
            f.number.data,
            f.signed_on.data,
            f.signer.data,
            (f.content.data or "").strip(),
        ),
    ),
    "amend": (
        AmendForm,
        lambda item, f: services.amend(
            item,
            current_user,
            f.number.data,
            f.signed_on.data,
            f.signer.data,
            f.content.data,
            _amend_values(f),
        ),
    ),
}


@bp.route("/<int:item_id>/buoc/<action>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def step(item_id: int, action: str):
    item = db.get_or_404(AidItem, item_id)
    if action not in STEP_HANDLERS:
        return render_template(
            "errors/error.html",
            status=404,
            title="Không tìm thấy trang",
            message="Thao tác không tồn tại.",
        ), 404
    transition = workflow.transition_for(item, action)  # 409 when not allowed in this state
    form_class, handler = STEP_HANDLERS[action]
    form = form_class()
    if action == "request_opinions":
        agencies = _consultable_agencies()
        form.agency_ids.choices = choices((a.id, a.name) for a in agencies)
        if request.method == "GET":
            form.agency_ids.data = [
                a.id for a in agencies if a.kind in ("finance", "police", "foreign_affairs")
            ]
    if request.method == "GET" and action == "approve":
        form.signer.data = "Chủ tịch UBND tỉnh"
    context = {"item": item, "action": transition.action}
    if form.validate_on_submit():
        done = run_form_service(form, lambda: handler(item, form) or True)
        if done:
            db.session.commit()
            flash(f"Đã thực hiện: {transition.action.label}.", "success")
            return redirect(url_for("aid.detail", item_id=item.id))
    if form.is_submitted():
        return render_invalid("aid/step.html", form, **context)
    return render_template("aid/step.html", form=form, **context)


@bp.route("/y-kien/<int:opinion_id>", methods=["GET", "POST"])
@requires(rules.answer_opinion)
def answer(opinion_id: int):
    opinion = db.get_or_404(Opinion, opinion_id)
    rules.answer_opinion.require(current_user, opinion)
    form = AnswerOpinionForm()
    if request.method == "GET":
        form.version.data = opinion.version
    if form.validate_on_submit():
        done = run_form_service(
            form,
            lambda: services.answer_opinion(
                opinion,
                current_user,
                form.verdict.data,
                form.answer.data.strip(),
                (form.document_number.data or "").strip(),
                form.answered_on.data,
                request.files.get("file"),
                form.version_number(),
            ),
        )
        if done:
            db.session.commit()
            flash("Đã gửi ý kiến góp ý.", "success")
            return redirect(url_for("aid.inbox"))
    if form.is_submitted():
        return render_invalid("aid/answer.html", form, opinion=opinion)
    return render_template("aid/answer.html", form=form, opinion=opinion)


# --- Follow-up ----------------------------------------------------------------------------

RECORD_FORMS = {
    "giai-ngan": (
        DisbursementForm,
        "Ghi nhận giải ngân / tiếp nhận",
        lambda item, f: services.add_disbursement(
            item,
            current_user,
            f.disbursed_on.data,
            f.amount.data,
            f.currency.data,
            f.rate_vnd.data,
            f.rate_usd.data,
            (f.source.data or "").strip(),
            f.verified.data,
        ),
    ),
    "bao-cao": (
        ReportForm,
        "Ghi nhận báo cáo",
        lambda item, f: services.add_report(
            item,
            current_user,
            f.kind.data,
            f.period_start.data,
            f.period_end.data,
            f.received_on.data,
            f.summary.data,
            request.files.get("file"),
        ),
    ),
    "kiem-tra": (
        InspectionForm,
        "Ghi nhận kiểm tra, giám sát",
        lambda item, f: services.add_inspection(
            item,
            current_user,
            f.inspected_on.data,
            f.team.data.strip(),
            f.findings.data,
            f.recommendations.data,
            f.follow_up.data,
        ),
    ),
}


@bp.route("/<int:item_id>/ghi-nhan/<kind>", methods=["GET", "POST"])
@requires(rules.manage_aid)
def record(item_id: int, kind: str):
    item = db.get_or_404(AidItem, item_id)
    if kind not in RECORD_FORMS:
        return render_template(
            "errors/error.html",
            status=404,
            title="Không tìm thấy trang",
            message="Loại ghi nhận không tồn tại.",
        ), 404
    form_class, title, handler = RECORD_FORMS[kind]
    form = form_class()
    if request.method == "GET" and hasattr(form, "currency"):
        form.currency.data = item.currency
        form.rate_vnd.data = item.rate_vnd
        form.rate_usd.data = item.rate_usd
    if form.validate_on_submit():
        done = run_form_service(form, lambda: handler(item, form) or True)
        if done:
            db.session.commit()
            flash(f"Đã lưu: {title.lower()}.", "success")
            return redirect(url_for("aid.detail", item_id=item.id))
    if form.is_submitted():
        return render_invalid("aid/record.html", form, item=item, title=title)
    return render_template("aid/record.html", form=form, item=item, title=title)


@bp.route("/<int:item_id>/tep", methods=["POST"])
@requires(rules.manage_aid)
def attach(item_id: int):
    item = db.get_or_404(AidItem, item_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        stored = run_form_service(
            form,
            lambda: services.attach_file(
                item, current_user, request.files.get("file"), (form.note.data or "").strip()
            ),
        )
        if stored:
            db.session.commit()
            flash(f"Đã đính kèm tệp {stored.filename}.", "success")
            return redirect(url_for("aid.detail", item_id=item.id))
    for error in form.file.errors or form.form_errors or ["Tệp không hợp lệ."]:
        flash(error, "danger")
    return redirect(url_for("aid.detail", item_id=item.id)), 303


@bp.route("/giai-ngan/<int:disbursement_id>/huy", methods=["POST"])
@requires(rules.manage_aid)
def disbursement_archive(disbursement_id: int):
    disbursement = db.get_or_404(Disbursement, disbursement_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash("Vui lòng ghi lý do hủy dòng giải ngân.", "danger")
        return redirect(url_for("aid.detail", item_id=disbursement.aid_item_id)), 303
    services.archive_disbursement(disbursement, current_user, form.reason.data.strip())
    db.session.commit()
    flash("Đã hủy dòng giải ngân (vẫn lưu trong lịch sử).", "success")
    return redirect(url_for("aid.detail", item_id=disbursement.aid_item_id))


@bp.route("/kiem-tra/<int:inspection_id>/khac-phuc", methods=["POST"])
@requires(rules.manage_aid)
def inspection_follow_up(inspection_id: int):
    inspection = db.get_or_404(Inspection, inspection_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash("Tình hình khắc phục không hợp lệ.", "danger")
        return redirect(url_for("aid.detail", item_id=inspection.aid_item_id)), 303
    services.update_inspection_follow_up(
        inspection, current_user, form.follow_up.data, _int(form.version.data)
    )
    db.session.commit()
    flash("Đã cập nhật tình hình khắc phục.", "success")
    return redirect(url_for("aid.detail", item_id=inspection.aid_item_id))


# --- Inbox --------------------------------------------------------------------------------


@bp.route("/viec-can-xu-ly")
@requires(rules.read_registry)
def inbox():
    today = today_vn()
    is_planning = rules.manage_aid.allows(current_user)
    return render_template(
        "aid/inbox.html",
        today=today,
        dossiers=services.planning_inbox(today) if is_planning else [],
        opinions=services.opinions_for_agency(current_user.agency_id)
        if rules.answer_opinion.allows(current_user)
        else [],
        alerts=services.alerts(today) if is_planning else None,
    )
