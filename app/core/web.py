"""Small helpers that keep views thin: one service call, one commit, or the form again."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import render_template

from app.core.errors import FieldError, flash_form_errors
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


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to, never another site (open-redirect guard)."""
    is_local = target and target.startswith("/") and not target.startswith("//")
    return target if is_local and not urlsplit(target).netloc else default
