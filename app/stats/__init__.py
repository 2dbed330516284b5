"""Annual statistics: pure pandas rules (report), loaders, page, downloads and CLI."""

from app.stats import revisions  # noqa: F401  (its tables belong to the metadata)
