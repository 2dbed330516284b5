"""Pages of the notifications domain: the list, marking one read (then its record), all."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import permissions as rules
from app.core.listing import paginate
from app.core.permissions import requires
from app.extensions import db
from app.notifications import services
from app.notifications.states import NotificationKind

bp = Blueprint("notifications", __name__, url_prefix="/thong-bao")


def _filters() -> services.NotificationFilters:
    kind = request.args.get("kind", "")
    return services.NotificationFilters(
        unread=request.args.get("unread") == "1",
        kind=kind if kind in NotificationKind.labels() else "",
    )


@bp.route("/")
@requires(rules.signed_in)
def index():
    filters = _filters()
    page = paginate(services.notifications_query(filters, user=current_user))
    return render_template(
        "notifications/index.html",
        page=page,
        read=services.read_ids(page.items, current_user),
        filters=filters,
        kinds=NotificationKind.choices(),
    )


@bp.route("/<int:notification_id>/doc", methods=["POST"])
@requires(rules.signed_in)
def open_one(notification_id: int):
    """Mark read, then go to the record it is about (another agency's: 404)."""
    notification = services.get_visible(notification_id, current_user)
    if notification is None:
        abort(404)
    services.mark_read(notification, user=current_user)
    db.session.commit()
    if notification.link:
        return redirect(request.script_root + notification.link)
    return redirect(url_for("notifications.index"))


@bp.route("/doc-tat-ca", methods=["POST"])
@requires(rules.signed_in)
def read_all():
    count = services.mark_all_read(user=current_user)
    db.session.commit()
    flash(f"Đã đánh dấu {count} thông báo là đã đọc.", "success")
    return redirect(url_for("notifications.index"))
