"""Training courses for people-to-people diplomacy staff and their trainees (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
