"""Official documents (DOCX) drafted from records, with replaceable templates (issue 14)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages (none yet)."""
