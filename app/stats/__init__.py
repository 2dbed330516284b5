"""Annual statistics: pure pandas rules (report), loaders, page, downloads and CLI."""
