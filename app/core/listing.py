"""Helpers for server-side lists: page number, sorting and query-string links.

The pager (`paginate`) does a constant amount of work at any depth and any size:
- the count stops at `LIST_COUNT_LIMIT` + 1 rows (`SELECT count(*) FROM (SELECT 1 … LIMIT
  n)`): past it the page says "hơn 10.000" instead of the exact number;
- "Sau ›" and "‹ Trước" are keyset links (`?page=N&sau=<id of the last row>`, `truoc=<id
  of the first row>`): the next page is the rows after that row in the list's own order,
  found through the order's index instead of an OFFSET that reads every row before it;
- numbered page links (plain OFFSET) go as far as the counted rows; a deeper `?page=N`
  shows the last numbered page with a note (reachable by "Sau ›", a filter or the
  reversed sort).
A list whose order a keyset cannot follow (a sort on another table's column, an
expression) keeps OFFSET links, so every list still pages.
A text search (app.core.text.search_condition) is counted only up to SEARCH_COUNT_LIMIT
(1,000: "hơn 1.000"); on SQLite its count reads the FTS5 matches joined (streamed until
the LIMIT), and when it has more matches than that, the page follows the order's index
and tests each row against the matches instead of sorting them all (issue 15).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa
from flask import current_app, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import lazyload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from app.core import text
from app.extensions import db

MAX_ID = 2**31 - 1  # ids and page numbers beyond this are nobody's (and overflow SQL)
AFTER, BEFORE = "sau", "truoc"  # the keyset links' query parameters


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


class Page:
    """One page of a list, with what the pager macro shows (`_macros/lists.html`)."""

    def __init__(self, items, page: int, per_page: int, total: int, more: bool, **links):
        self.items = items
        self.page, self.per_page = page, per_page
        self.total = total  # exact, or the count limit when `more`
        self.more = more  # more rows than counted ("hơn 10.000")
        self.has_prev: bool = links.get("has_prev", page > 1)
        self.has_next: bool = links.get("has_next", more or page * per_page < total)
        self.prev_url: str | None = links.get("prev_url")
        self.next_url: str | None = links.get("next_url")
        self.notice: str | None = links.get("notice")
        self.numbered = math.ceil(total / per_page) if per_page else 0  # OFFSET-linked pages

    @property
    def pages(self) -> int:
        """The pages known: every page when counted, else as far as this one."""
        return max(self.numbered, self.page) if self.items or self.page > 1 else self.numbered

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def linked(self, number: int) -> bool:
        """Whether a numbered link can take the reader to that page (OFFSET bound)."""
        return number <= self.numbered

    def iter_pages(
        self, *, left_edge=1, left_current=2, right_current=2, right_edge=1
    ) -> Iterator[int | None]:
        """Page numbers for the pager, `None` for a gap (as Flask-SQLAlchemy's)."""
        last = self.pages
        shown = [n for n in range(1, min(left_edge, last) + 1)]
        shown += range(max(1, self.page - left_current), min(last, self.page + right_current) + 1)
        if not self.more:
            shown += range(max(1, last - right_edge + 1), last + 1)
        previous = 0
        for number in sorted(set(shown)):
            if number > previous + 1:
                yield None
            yield number
            previous = number


def _count(select, limit: int) -> tuple[int, bool]:
    """The list's rows counted up to `limit` (+1 to know there are more): no ORDER BY, no
    eager loads, and only a constant selected when the rows are plain (no DISTINCT or GROUP
    BY, whose count depends on the columns). A text search is read joined on SQLite (the
    FTS5 matches streamed until the LIMIT, instead of their whole list built first)."""
    inner = select.order_by(None).options(lazyload("*"))
    if not inner._distinct and not inner._group_by_clauses:
        inner = inner.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    inner = text.with_search_form(inner, text.JOINED, _dialect())
    counted = db.session.execute(
        sa.select(sa.func.count()).select_from(inner.limit(limit + 1).subquery())
    ).scalar_one()
    return min(counted, limit), counted > limit


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _count_limit(select) -> int:
    """LIST_COUNT_LIMIT, or SEARCH_COUNT_LIMIT (lower) for a text search: the rows of a
    search past a thousand are shown as "hơn 1.000" (issue 15: a search counted to 10,001
    read 10,001 rows of the table, about 20 ms at national scale on SQLite)."""
    limit = current_app.config["LIST_COUNT_LIMIT"]
    if text.has_text_search(select):
        limit = min(limit, current_app.config["SEARCH_COUNT_LIMIT"])
    return limit


class _Keyset:
    """The list's ORDER BY as (column, descending) pairs ending on a primary key, when every
    column is of the key's table, so a row's place in the order is known from its id."""

    def __init__(self, select):
        self.valid = False
        self.order: list[tuple[sa.Column, bool]] = []
        for clause in select._order_by_clauses:
            if isinstance(clause, UnaryExpression) and clause.modifier in (
                operators.asc_op,
                operators.desc_op,
            ):
                column, descending = clause.element, clause.modifier is operators.desc_op
            elif isinstance(clause, sa.Column):
                column, descending = clause, False
            else:
                return
            if not isinstance(column, sa.Column) or column.table is None:
                return
            self.order.append((column, descending))
        if not self.order:
            return
        key = self.order[-1][0]
        self.table, self.key = key.table, key
        self.valid = key.primary_key and all(c.table is key.table for c, _d in self.order)
        self.nulls_large = db.session.get_bind().dialect.name == "postgresql"

    @property
    def indexed(self) -> bool:
        """Whether the order's first column leads an index (or is the key or unique), so
        the database can read the rows in the list's order without sorting them all."""
        if not self.valid:
            return False
        column = self.order[0][0]
        if column.primary_key or column.unique:
            return True
        return any(
            [c.name for c in index.columns][:1] == [column.name]
            and index.dialect_options["sqlite"]["where"] is None
            for index in column.table.indexes
        )

    def id_of(self, item) -> int | None:
        try:
            mapper = sa.inspect(item).mapper
            return getattr(item, mapper.get_property_by_column(self.key).key)
        except (sa.exc.NoInspectionAvailable, sa.orm.exc.UnmappedColumnError, AttributeError):
            return None

    def _value(self, column, row_id: int):
        return sa.select(column).where(self.key == row_id).scalar_subquery()

    def after(self, row_id: int, backwards: bool = False):
        """Rows strictly after the row `row_id` in the order (before it when backwards):
        lexicographic over the columns, with NULLs where this database sorts them."""
        either = []
        for index, (column, descending) in enumerate(self.order):
            descending = descending != backwards
            nulls_first = descending == self.nulls_large
            value = self._value(column, row_id)
            greater = column < value if descending else column > value
            if column.nullable:
                if nulls_first:
                    beyond = sa.or_(sa.and_(value.is_(None), column.is_not(None)), greater)
                else:
                    beyond = sa.or_(sa.and_(value.is_not(None), column.is_(None)), greater)
            else:
                beyond = greater
            same = [self._equal(c, row_id) for c, _d in self.order[:index]]
            either.append(sa.and_(*same, beyond))
        return sa.or_(*either)

    def _equal(self, column, row_id: int):
        value = self._value(column, row_id)
        if not column.nullable:
            return column == value
        return sa.or_(column == value, sa.and_(column.is_(None), value.is_(None)))

    def reversed(self, select):
        """The order backwards (NULLs move to the other end on both databases)."""
        return select.order_by(None).order_by(*(c.asc() if d else c.desc() for c, d in self.order))


def _rows(select, limit: int, offset: int = 0) -> list:
    return list(db.session.execute(select.limit(limit).offset(offset)).unique().scalars())


def paginate(select, per_page: int | None = None) -> Page:
    """A page of the select from the query string (page number or keyset link); never 404s
    on a bad page number or link. See the module's docstring."""
    size = per_page or current_app.config["PAGE_SIZE"]
    total, more = _count(select, _count_limit(select))
    numbered = max(1, math.ceil(total / size))
    number = page_number()
    keyset = _Keyset(select)
    if more and keyset.indexed:
        # Many matches (past the count's limit): following the order's index finds a page
        # of them after a few rows, where starting from the matches sorts them all
        # (SQLite's text search: 18,000 matches, 55 ms -> 10 ms at national scale).
        select = text.with_search_form(select, text.WALKED, _dialect())
    after, before = arg_int(AFTER), arg_int(BEFORE)
    links: dict = {}
    if keyset.valid and (after or before):
        if after:
            number = max(number, 2)
            rows = _rows(select.where(keyset.after(after)), size + 1)
            links["has_next"], items = len(rows) > size, rows[:size]
        else:
            rows = _rows(keyset.reversed(select).where(keyset.after(before, True)), size + 1)
            items = rows[:size][::-1]
            links["has_prev"], links["has_next"] = len(rows) > size, True
            if not links["has_prev"]:
                number = 1
    else:
        if number > numbered:
            if more:
                links["notice"] = (
                    f"Chỉ mở được theo số trang đến trang {numbered:,}".replace(",", ".")
                    + ". Hãy dùng nút «Sau ›», lọc hoặc đổi thứ tự sắp xếp để xem tiếp."
                )
            number = numbered  # past the end (an old bookmark) or too deep: the last page
        items = _rows(select, size, (number - 1) * size)
    page = Page(items, number, size, total, more, **links)
    if keyset.valid and items:
        first, last = keyset.id_of(items[0]), keyset.id_of(items[-1])
        if page.has_next and last is not None:
            page.next_url = url_with(page=number + 1, **{AFTER: last, BEFORE: None})
        if page.has_prev and first is not None and number > 2:
            page.prev_url = url_with(page=number - 1, **{BEFORE: first, AFTER: None})
    if page.has_prev and page.prev_url is None:
        page.prev_url = url_with(page=number - 1, **{AFTER: None, BEFORE: None})
    if page.has_next and page.next_url is None and page.linked(number + 1):
        page.next_url = url_with(page=number + 1, **{AFTER: None, BEFORE: None})
    page.has_next = page.next_url is not None
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


# --- Options of a long filter (the donors of the aid list) ---------------------------------

_OPTIONS: dict[str, tuple[tuple, Markup]] = {}  # name -> (the rows, rendered options)


def cached_options(
    name: str, rows: Iterable[tuple], label: Callable[[tuple], str], selected=None
) -> Markup:
    """`<option>`s of a long select, rendered once per content of its rows: the rows are
    read on every page (one cheap query) and compared with those last rendered, and the
    HTML is rebuilt only when they differ, so it is never stale whoever changed them. The
    chosen value is marked here."""
    rows = tuple(tuple(row) for row in rows)
    cached = _OPTIONS.get(name)
    if cached is None or cached[0] != rows:
        option = Markup('<option value="{}">{}</option>')
        html = Markup("").join(option.format(row[0], label(row)) for row in rows)
        cached = _OPTIONS[name] = (rows, html)
    html = cached[1]
    if selected not in (None, ""):
        marker = Markup('<option value="{}">').format(selected)
        html = html.replace(marker, Markup('<option value="{}" selected>').format(selected), 1)
    return html
