"""Active mobilisation of aid: contacts with donors, proposals sent to them and their
outcome (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
