"""The plan's periodic report: figures by plan item and each agency's text, consolidated by
foreign affairs (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
