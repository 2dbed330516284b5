"""The delegation pages, one blueprint: `pages` (list, request form, detail, print,
working views), `review` (the review's steps and records), `members` (the member list)."""

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from app.core import permissions as rules
from app.core.web import get_or_404, step_check
from app.delegations import workflow
from app.delegations.models import Delegation
from app.extensions import db

bp = Blueprint("delegations", __name__, url_prefix="/doan")


def get_visible(delegation_id: int) -> Delegation:
    """The delegation, or 404 (also for a draft of another agency: it does not exist here)."""
    delegation = get_or_404(Delegation, delegation_id)
    if not rules.read_delegations.allows(current_user, delegation):
        abort(404)
    return delegation


def get_editable(delegation_id: int) -> Delegation:
    """The delegation, if the user may change its request or members now (else 403 / 409;
    a GET once it may no longer be changed goes back to its page)."""
    delegation = get_visible(delegation_id)
    step_check(lambda: workflow.require(delegation, "edit", current_user), detail_url(delegation))
    return delegation


def detail_url(delegation: Delegation) -> str:
    return url_for("delegations.detail", delegation_id=delegation.id)


def audited_page(template: str, **context) -> str:
    """Render, then commit the audit entry of the personal data the page shows (committing
    first would expire every row the template is about to read)."""
    page = render_template(template, **context)
    db.session.commit()
    return page


# The pages register their routes on `bp` when imported.
from app.delegations.views import (  # noqa: E402, F401
    history,
    members,
    pages,
    printing,
    review,
)
