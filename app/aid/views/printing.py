"""The printable dossier of an aid item: what a clerk files on paper."""

from flask import render_template

from app.aid import workflow
from app.aid.models import AidItem
from app.aid.services import queries
from app.aid.views import bp, detail_url
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.permissions import requires
from app.core.web import get_or_404


@bp.route("/<int:item_id>/in")
@requires(rules.read_registry)
def print_dossier(item_id: int):
    """Identification, donors, sectors, communes, values, steps, opinions, decisions,
    disbursements and the files' list; the same reads as the item's page (bounded)."""
    item = get_or_404(AidItem, item_id)
    return render_template(
        "aid/print.html",
        item=item,
        flow=workflow.AID_WORKFLOW,
        back_url=detail_url(item),
        today=today_vn(),
        **queries.item_records(item),
    )
