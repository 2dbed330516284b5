"""The member pages of a delegation: add, correct (with the version the form showed),
remove, and a whole list from a file."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import permissions as rules
from app.core.permissions import requires
from app.core.web import form_page, get_or_404, text_of
from app.delegations import exports, services
from app.delegations.forms import MemberForm, MemberRemoveForm, UploadForm
from app.delegations.models import DelegationMember
from app.delegations.views import (
    audited_page,
    bp,
    detail_url,
    get_editable,
)
from app.extensions import db


def _member_values(form: MemberForm) -> dict:
    """The form's values; a form without the personal data fields gives None for them (the
    service then keeps the stored values)."""
    return {
        "full_name": form.full_name.data.strip(),
        "sex": form.sex.data or None,
        "birth_date": form.birth_date.data if form.birth_date else None,
        "nationality": form.nationality.data,
        "passport_number": text_of(form.passport_number) if form.passport_number else None,
        "passport_type": form.passport_type.data or None,
        "passport_expiry": form.passport_expiry.data,
        "position": text_of(form.position),
        "organization_name": text_of(form.organization_name),
        "is_head": form.is_head.data,
    }


def _saved_message(delegation, saved: DelegationMember, added: bool, revision: int) -> str:
    done = f"Đã thêm {saved.full_name} vào danh sách đoàn." if added else "Đã lưu thành viên."
    done += services.look_again_note(delegation, revision)
    if warning := services.passport_warning(delegation, saved.passport_expiry):
        return f"{done} {warning}"
    return done


def _after_add(member: DelegationMember) -> str:
    if request.form.get("again"):
        return url_for("delegations.member_new", delegation_id=member.delegation_id)
    return url_for("delegations.detail", delegation_id=member.delegation_id)


def _member_page(delegation, member: DelegationMember | None):
    """The member form: a new member of the delegation, or a correction of one with the
    version the form showed. Who may not see the personal data neither sees nor changes
    it; a correction that shows it is audited."""
    form = MemberForm(obj=member)
    revision = delegation.revision
    context = {"d": delegation, "member": member}
    # The passport's warning (not a refusal) next to its field: of the stored expiry, or
    # of the one just typed when the form comes back.
    stored = member.passport_expiry if member is not None else None
    expiry = form.passport_expiry.data if form.is_submitted() else stored
    context["passport_warning"] = services.passport_warning(
        delegation, expiry if isinstance(expiry, date) else None
    )
    if member is not None and not rules.see_personal_data.allows(current_user, delegation):
        del form.birth_date
        del form.passport_number
    elif member is not None and request.method == "GET":
        services.shows_personal_data(
            delegation, user=current_user, where="sửa thành viên", members=[member]
        )
        return audited_page("delegations/member_form.html", form=form, **context)

    def save():
        values = _member_values(form)
        if member is None:
            return services.add_member(delegation, values=values, user=current_user)
        version = form.version_number()
        return services.update_member(member, values=values, user=current_user, version=version)

    return form_page(
        form,
        "delegations/member_form.html",
        save=save,
        success=lambda saved: _saved_message(delegation, saved, member is None, revision),
        redirect_to=_after_add if member is None else detail_url(delegation),
        **context,
    )


@bp.route("/<int:delegation_id>/thanh-vien/moi", methods=["GET", "POST"])
@requires(rules.create_delegation)
def member_new(delegation_id: int):
    return _member_page(get_editable(delegation_id), None)


@bp.route("/thanh-vien/<int:member_id>", methods=["GET", "POST"])
@requires(rules.create_delegation)
def member_edit(member_id: int):
    member = get_or_404(DelegationMember, member_id)
    return _member_page(get_editable(member.delegation_id), member)


@bp.route("/thanh-vien/<int:member_id>/xoa", methods=["GET", "POST"])
@requires(rules.create_delegation)
def member_remove(member_id: int):
    """Confirm taking a member off the list, with the reason (the member is archived)."""
    member = get_or_404(DelegationMember, member_id)
    delegation = get_editable(member.delegation_id)
    if member.is_archived:
        abort(404)
    form = MemberRemoveForm()
    revision = delegation.revision
    if request.method == "GET":
        form.version.data = member.version
    return form_page(
        form,
        "delegations/member_remove.html",
        save=lambda: services.remove_member(
            member, reason=text_of(form.reason), user=current_user, version=form.version_number()
        ),
        success=lambda _saved: (
            f"Đã xóa {member.full_name} khỏi danh sách đoàn."
            + services.look_again_note(delegation, revision)
        ),
        redirect_to=detail_url(delegation),
        d=delegation,
        member=member,
    )


@bp.route("/<int:delegation_id>/thanh-vien/tai-len", methods=["GET", "POST"])
@requires(rules.create_delegation)
def members_upload(delegation_id: int):
    delegation = get_editable(delegation_id)
    form = UploadForm()
    revision = delegation.revision
    errors = []
    if form.validate_on_submit():
        rows, file_errors = exports.read_member_rows(request.files.get("file"))
        errors = services.add_members_from_rows(
            delegation,
            rows=rows,
            user=current_user,
            labels=exports.MEMBER_LABELS,
            file_errors=file_errors,
        )
        if not errors:
            db.session.commit()
            done = f"Đã thêm {len(rows)} thành viên từ tệp."
            flash(done + services.look_again_note(delegation, revision), "success")
            for _row, values in rows:
                if warning := services.passport_warning(delegation, values.get("passport_expiry")):
                    flash(f"{values.get('full_name')}: {warning}", "warning")
            return redirect(detail_url(delegation))
        db.session.rollback()
    page = render_template("delegations/upload.html", form=form, d=delegation, errors=errors)
    return (page, 422) if form.is_submitted() else page
