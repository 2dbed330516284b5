"""Helpers for server-side lists: page number, sorting and query-string links."""

from flask import current_app, request, url_for

from app.extensions import db

MAX_ID = 2**31 - 1  # ids and page numbers beyond this are nobody's (and overflow SQL)


def arg_int(name: str, low: int = 1, high: int = MAX_ID) -> int | None:
    """An integer query parameter within [low, high], or None (a bad or absurd value)."""
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def arg_year(name: str = "year") -> int | None:
    """A plausible year (1900-2100) from the query string, or None."""
    return arg_int(name, 1900, 2100)


def page_number() -> int:
    return arg_int("page", 1, 10**6) or 1


def paginate(select, per_page: int | None = None):
    """db.paginate with the page from the query string; never 404s on a bad page number."""
    size = per_page or current_app.config["PAGE_SIZE"]
    page = db.paginate(select, page=page_number(), per_page=size, error_out=False, count=True)
    if page.pages and page.page > page.pages:  # past the end (an old bookmark): the last page
        page = db.paginate(select, page=page.pages, per_page=size, error_out=False, count=True)
    return page


def apply_sort(select, allowed: dict, default: str):
    """Sort by ?sort=key or ?sort=-key among the allowed {key: column} pairs."""
    key = request.args.get("sort", default)
    if key.lstrip("-") not in allowed:
        key = default
    column = allowed[key.lstrip("-")]
    return select.order_by(column.desc() if key.startswith("-") else column.asc()), key


def url_with(**changes) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)
