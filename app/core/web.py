"""Small helpers that keep views thin: one service call, one commit, or the form again."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, after_this_request, flash, redirect, render_template, request

from app.core.errors import DomainError, FieldError, flash_form_errors
from app.extensions import db


def run_form_service(form, service: Callable):
    """Call the service; on a FieldError roll back and attach the message to the field.

    Returns the service's result, or None when the form must be shown again.
    Other DomainErrors propagate to the error handler (403/409 page, rolled back).
    """
    try:
        return service()
    except FieldError as error:
        db.session.rollback()
        error.attach_to(form)
        return None


def render_invalid(template: str, form, **context):
    """The form again with its errors next to each field, HTTP 422."""
    flash_form_errors(form)
    return render_template(template, form=form, **context), 422


def form_page(
    form,
    template: str,
    *,
    save: Callable,
    success: str | Callable,
    redirect_to: str | Callable,
    **context,
):
    """The whole life of a form page: show it, or validate → service → commit → flash →
    redirect, or show it again with its errors next to each field (HTTP 422).

    `save()` calls one service; `success` and `redirect_to` are a message / URL, or a
    function of what `save()` returned. A FieldError from the service is shown next to its
    field, rolled back; any other DomainError becomes its 403/409 page.
    """
    if form.validate_on_submit():
        try:
            result = save()
        except FieldError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            flash(success(result) if callable(success) else success, "success")
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    if form.is_submitted():
        return render_invalid(template, form, **context)
    return render_template(template, form=form, **context)


def record_form_page(
    record,
    form,
    template: str,
    *,
    create: Callable,
    update: Callable,
    data: Callable,
    created: str | Callable,
    updated: str | Callable,
    redirect_to: str | Callable,
    **context,
):
    """The form of a domain's record, new (`record` is None) or changed, through
    form_page(). The services follow the convention (docs/architecture.md):
    `create(data=data(form), user=…)` or `update(record, data=data(form), user=…,
    version=…)` with the version the form was rendered with, so a stale form is a 409.
    `created` / `updated`: the message (or a function of the saved record)."""
    from flask_login import current_user

    if record is not None and request.method == "GET":
        form.version.data = record.version

    def save():
        if record is None:
            return create(data=data(form), user=current_user)
        version = form.version_number()
        return update(record, data=data(form), user=current_user, version=version)

    success = created if record is None else updated
    return form_page(form, template, save=save, success=success, redirect_to=redirect_to, **context)


def form_action(
    form,
    *,
    save: Callable,
    success: str | Callable,
    back: str,
    invalid: str | None = None,
):
    """A small form posted from a record's own page (archive, a file, a status): validate →
    service → commit → flash → back to that page; when invalid, the reasons (or `invalid`)
    are flashed and the page is shown again with 303, nothing saved.

    A FieldError from the service is flashed and rolled back; any other DomainError becomes
    its 403/409 page.
    """
    if form.validate_on_submit():
        try:
            result = save()
        except FieldError as error:
            db.session.rollback()
            reasons = list(error.errors.values())
        else:
            db.session.commit()
            flash(success(result) if callable(success) else success, "success")
            return redirect(back)
    else:
        reasons = [invalid] if invalid else [m for ms in form.errors.values() for m in ms]
    for reason in reasons or ["Dữ liệu không hợp lệ."]:
        flash(reason, "danger")
    return redirect(back), 303


def archive_action(
    record,
    service: Callable,
    *,
    success: str,
    back: str,
    invalid: str = "Vui lòng ghi lý do lưu trữ.",
):
    """Archive `record` from its own page: `service(record, reason=…, user=…, version=…)`
    with the reason and version of the posted ArchiveForm, through form_action().
    `invalid`: the message when the reason is missing."""
    from flask_login import current_user

    from app.core.forms import ArchiveForm

    form = ArchiveForm()
    return form_action(
        form,
        save=lambda: service(
            record,
            reason=(form.reason.data or "").strip(),
            user=current_user,
            version=form.version_number(),
        ),
        success=success,
        back=back,
        invalid=invalid,
    )


def text_of(field) -> str | None:
    """A text field's value, stripped; None when empty."""
    return (field.data or "").strip() or None


NOT_DATA = ("csrf_token", "version")  # sent with every form, not the service's data


def form_values(form, *names) -> dict:
    """The form's data by field name (all fields but the CSRF token and the version, or
    only `names`), text stripped: what a service takes by keyword."""
    fields = [form[name] for name in names] if names else form
    return {
        field.name: field.data.strip() if isinstance(field.data, str) else field.data
        for field in fields
        if field.name not in NOT_DATA
    }


def get_or_404(model, ident):
    """The record, or the 404 page (ids from the URL are never trusted to exist)."""
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to, never another site (open-redirect guard).

    Refused: anything not starting with a single slash, control characters (CR/LF would
    break the Location header; browsers drop tabs and newlines inside a URL), backslashes
    (browsers read them as slashes), a scheme or a host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if any(char < " " or char in "\x7f\\" for char in target):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


STALE_STEP = "Bước này đã được thực hiện hoặc không còn phù hợp với trạng thái hiện tại của hồ sơ."


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def step_check(check: Callable, record_url: str):
    """`check()` (a workflow's require) before a step's form is shown or posted; returns
    its result. A GET of a step the record's state no longer allows (409: the browser's
    Back to a step already done) goes to the record's page with a message instead of a
    stale form or an error page; a POST of it still answers 409, and a user who may not
    act still gets 403. The form is never kept by the browser's cache (no-store), so Back
    asks the server again."""
    try:
        checked = check()
    except DomainError as refusal:
        if request.method == "GET" and type(refusal) is DomainError:
            flash(STALE_STEP, "warning")
            abort(redirect(record_url))
        raise
    after_this_request(_no_store)
    return checked
