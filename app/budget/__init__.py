"""Yearly budget for people-to-people diplomacy: proposals, allocations, spending and
finance's check (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
