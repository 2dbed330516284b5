"""Notifications for a user's agency: badge, page, read/unread, e-mail digest (issue 14)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
