"""Notifications for a user's agency: badge, page, read/unread, e-mail digest (issue 14).

`producers` turns audited events into notifications (an audit listener), `deadlines` is
the daily pass over due dates, `digest` the e-mail; `services` holds the queries and
writes, `views` the page (/thong-bao).
"""

from flask import g
from flask_login import current_user


def init_app(app) -> None:
    """Listen to the audit log, add `flask notify`, and give templates the badge's count.
    Idempotent (tests build several apps in one process)."""
    from app.notifications import producers
    from app.notifications.cli import notify_cli

    producers.register()
    if "notify" not in app.cli.commands:
        app.cli.add_command(notify_cli)
    app.context_processor(_badge)


def unread_notifications() -> int:
    """The signed-in user's unread count: one COUNT query per request, asked only by the
    template that shows the badge (0 when signed out)."""
    if not current_user.is_authenticated:
        return 0
    if "notifications_unread" not in g:
        from app.notifications.services import unread_count

        g.notifications_unread = unread_count(current_user)
    return g.notifications_unread


def _badge() -> dict:
    return {"unread_notifications": unread_notifications}
