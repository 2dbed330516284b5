"""Aid items' pages: the list and its exports, the dossier form, the item's page, the
procedure's steps and follow-up records, opinions and the inbox.

Each view parses the request, checks the rule, calls one service and commits once through
app.core.web (form_page for a form page, form_action for a small form on the item's page).
"""

from flask import Blueprint, url_for

bp = Blueprint("aid", __name__, url_prefix="/vien-tro")


def detail_url(item_or_id) -> str:
    return url_for("aid.detail", item_id=getattr(item_or_id, "id", item_or_id))


from app.aid.views import history, items, notices, printing, steps  # noqa: E402, F401 - the routes, registered on bp
