"""Pages of the documents domain: draft a document from its record (the .docx comes back at
once), mark a drafted document sent, and the administrators' templates page."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.permissions import requires
from app.core.web import form_page, get_or_404, render_invalid, run_form_service
from app.documents import contexts, render, services
from app.documents.forms import SentForm, TemplateUploadForm
from app.documents.models import GeneratedDocument
from app.documents.states import (
    AID_ITEM,
    DELEGATION,
    OWNER_OF,
    PLAN_REPORT,
    YEAR,
    DocumentKind,
    OwnerType,
)
from app.extensions import db

bp = Blueprint("documents", __name__, url_prefix="/van-ban")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _kind_or_404(kind: str) -> DocumentKind:
    if kind not in DocumentKind.labels():
        abort(404)
    return DocumentKind(kind)


def visible_record(owner_type: str, owner_id: int):
    """The record, or 404 (a delegation draft of another agency does not exist here); a plan
    report the user may not read is a 403, as on its own page."""
    record = services.load_record(owner_type, owner_id)
    if record is None:
        abort(404)
    if owner_type == DELEGATION and not rules.read_delegations.allows(current_user, record):
        abort(404)
    if owner_type == PLAN_REPORT:
        rules.read_plan_reports.require(current_user, record)  # 403, as on the report's page
    if owner_type == YEAR:
        from app.stats.services import is_valid_year

        if not is_valid_year(owner_id):
            abort(404)
    return record


def record_url(owner_type: str, owner_id: int) -> str:
    if owner_type == AID_ITEM:
        return url_for("aid.detail", item_id=owner_id)
    if owner_type == DELEGATION:
        return url_for("delegations.detail", delegation_id=owner_id)
    if owner_type == PLAN_REPORT:
        return url_for("planreport.detail", report_id=owner_id)
    return url_for("stats.year", year=owner_id)


@bp.route("/soan/<kind>/<int:owner_id>", methods=["POST"])
@requires(rules.signed_in)  # the kind's own rule is checked with the record (403)
def generate(kind: str, owner_id: int):
    kind = _kind_or_404(kind)
    record = visible_record(OWNER_OF[kind], owner_id)
    draft = services.generate(kind, record, user=current_user)
    db.session.commit()
    return send_file(
        io.BytesIO(draft.data), mimetype=DOCX, as_attachment=True, download_name=draft.filename
    )


@bp.route("/<int:document_id>/da-gui", methods=["GET", "POST"])
@requires(rules.signed_in)  # the kind's own rule is checked with the record (403)
def sent(document_id: int):
    document = get_or_404(GeneratedDocument, document_id)
    record = visible_record(document.owner_type, document.owner_id)
    services.RULES[DocumentKind(document.kind)].require(current_user, record)
    services.require_unsent(document)  # 409 once sent
    form = SentForm()
    if request.method == "GET":
        form.version.data = document.version
        form.sent_on.data = today_vn()
    back = record_url(document.owner_type, document.owner_id)
    return form_page(
        form,
        "documents/sent.html",
        save=lambda: services.mark_sent(
            document,
            form.sent_on.data,
            (form.document_number.data or "").strip(),
            user=current_user,
            version=form.version_number(),
        ),
        success=f"Đã ghi nhận gửi “{document.kind_label}”; tệp đã lưu vào hồ sơ.",
        redirect_to=back,
        document=document,
        owner_label=OwnerType(document.owner_type).label,
        record=record,
        back=back,
    )


# --- Templates (administrators) -------------------------------------------------------------


@bp.route("/mau")
@requires(rules.manage_document_templates)
def templates():
    rows = [(kind, services.active_template(kind)) for kind in DocumentKind]
    return render_template("documents/templates.html", rows=rows)


@bp.route("/mau/<kind>", methods=["GET", "POST"])
@requires(rules.manage_document_templates)
def template_kind(kind: str):
    kind = _kind_or_404(kind)
    form = TemplateUploadForm()
    context = {
        "kind": kind,
        "versions": services.template_versions(kind),
        "variables": sorted(contexts.variables(kind)),
    }
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.upload_template(
                kind, form.file.data, (form.note.data or "").strip(), user=current_user
            ),
        )
        if saved is not None:
            db.session.commit()
            flash(f"Đã tải lên mẫu phiên bản {saved.version}; mẫu này được dùng từ nay.", "success")
            return redirect(url_for("documents.template_kind", kind=kind.value))
    if form.is_submitted():
        return render_invalid("documents/template_kind.html", form, **context)
    return render_template("documents/template_kind.html", form=form, **context)


@bp.route("/mau/<kind>/dung", methods=["POST"])
@requires(rules.manage_document_templates)
def template_activate(kind: str):
    kind = _kind_or_404(kind)
    version = request.form.get("version", type=int)
    if version is None or version < 0:
        abort(400)
    services.activate_template(kind, version, user=current_user)
    db.session.commit()
    flash("Đã đổi mẫu được dùng.", "success")
    return redirect(url_for("documents.template_kind", kind=kind.value))


@bp.route("/mau/<kind>/mac-dinh.docx")
@requires(rules.manage_document_templates)
def template_default(kind: str):
    kind = _kind_or_404(kind)
    return send_file(
        io.BytesIO(render.default_template(kind.value)),
        mimetype=DOCX,
        as_attachment=True,
        download_name=f"{kind.value}_mac_dinh.docx",
    )
