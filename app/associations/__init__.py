"""Friendship associations: profiles, membership of the Union, and their activity log (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
