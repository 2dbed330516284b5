"""An aid item's history page: who changed what, when, in the item and its parts."""

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import lazyload

from app.aid.history import history_query
from app.aid.models import AidItem
from app.aid.views import bp
from app.core import permissions as rules
from app.core.history import describe
from app.core.listing import paginate
from app.core.permissions import requires
from app.extensions import db

PER_PAGE = 50


@bp.route("/<int:item_id>/lich-su")
@requires(rules.read_registry)
def history(item_id: int):
    """Who may read the item may read its history (an item's parts hold no personal
    data)."""
    # The item's own row only: its donors, sectors, places and opinions are not shown.
    item = db.first_or_404(sa.select(AidItem).options(lazyload("*")).where(AidItem.id == item_id))
    page = paginate(history_query(item), per_page=PER_PAGE)
    return render_template(
        "aid/history.html", item=item, page=page, rows=describe(page.items, personal=False).rows
    )
