"""Text helpers for accent-insensitive Vietnamese matching, and the indexed text search."""

import unicodedata

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.visitors import InternalTraversal

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})

MAX_WORDS = 10  # a search box's words beyond ten are ignored
MIN_GRAM = 3  # a word needs three characters to give a trigram

# The folded columns with an FTS5 trigram table on SQLite (migration d3a5c7e9f1b2): an
# external-content table `<table>_fts` over the column, kept in step by triggers. On
# PostgreSQL the same columns have a pg_trgm GIN index (`trigram_index`).
FTS_TABLES = {
    ("aid_item", "search_text"): "aid_item_fts",
    ("delegation", "search_text"): "delegation_fts",
    ("organization", "search_text"): "organization_fts",
    ("delegation_member", "name_folded"): "delegation_member_fts",
}
# The tables SQLite creates for an FTS5 table with external content (no `_content`).
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ -> d) and collapse whitespace.

    "Đắk  Tô " -> "dak to"; None -> "".
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def fold_key(text: str | None) -> str:
    """fold() without spaces and underscores, for matching sheet/header names.

    "Viện trợ", "Vien Tro", "VienTro" and "vien_tro" all give "vientro".
    """
    return fold(text).replace(" ", "").replace("_", "")


def search_condition(column, query: str | None):
    """The one list search: every word of `query` (folded) appears in the folded column.

    "dak to truong" finds "Trường học Đắk Tô". None when the query has no words, so
    callers can write `if (cond := search_condition(...)) is not None: q = q.where(cond)`.

    The same rows as `column LIKE '%word%'` for every word, read through the column's text
    index where it has one (issue 15). On SQLite the FTS5 trigram table of FTS_TABLES:
    `id IN (SELECT rowid FROM <table>_fts WHERE <table>_fts MATCH '"word" …')`. On
    PostgreSQL the LIKEs themselves, which the pg_trgm GIN index serves. Words shorter than
    three characters give no trigram: they only filter the rows the longer words found
    (on PostgreSQL as `strpos(column, word) > 0`, which the planner cannot send to the GIN
    index as a read of the whole index); a query of short words only is a plain scan of
    the column (docs/decisions.md). On SQLite the condition can be read in three forms
    with the same rows (DRIVEN by default; `with_search_form` for the pager's count and its
    pages of many matches, app.core.listing).
    """
    words = fold(query).split()[:MAX_WORDS]
    if not words:
        return None
    long_words = [word for word in words if len(word) >= MIN_GRAM]
    short_words = [word for word in words if len(word) < MIN_GRAM]
    postgresql = sa.and_(
        *(_contains(column, word) for word in long_words),
        *(sa.func.strpos(column, word) > 0 for word in short_words),
    )
    fts, table = _fts_table(column)
    if fts is None or not long_words:
        like = sa.and_(*(_contains(column, word) for word in words))
        return _TextSearch(postgresql, like, like, like)
    key = next(iter(table.primary_key))
    shorts = [_contains(column, word) for word in short_words]
    match = sa.literal_column(fts).op("MATCH")(sa.bindparam(None, fts_query(long_words)))
    matched = sa.select(sa.literal_column("rowid")).select_from(sa.table(fts)).where(match)
    return _TextSearch(
        postgresql,
        sa.and_(key.in_(matched), *shorts),
        # `id + 0` is no longer the key, so SQLite cannot drive the query from the list of
        # matches: it follows another index (the list's order) and tests each row's id.
        sa.and_((key + sa.literal_column("0")).in_(matched), *shorts),
        sa.and_(key == _fts_clause(fts).c.rowid, match, *shorts),
        fts_from=_fts_clause(fts),
    )


# How SQLite reads the FTS5 matches (text.with_search_form; listing chooses, issue 15):
DRIVEN = "driven"  # `id IN (matches)`: from the matches, by primary key (the default)
WALKED = "walked"  # `id + 0 IN (matches)`: along another index, each row's id tested
JOINED = "joined"  # `FROM t, t_fts WHERE t.id = t_fts.rowid AND t_fts MATCH …`: streamed,
# so a LIMIT stops reading the matches (an IN list is built whole first). Only where the
# search is one of the WHERE's top-level conditions (under a NOT or an OR it would not mean
# the same), and never on PostgreSQL (the FTS5 table is SQLite's).
_FTS_CLAUSES: dict[str, sa.TableClause] = {}


def _fts_clause(fts: str) -> sa.TableClause:
    """One TableClause per FTS5 table (the FROM of the joined form), shared by statements."""
    if fts not in _FTS_CLAUSES:
        _FTS_CLAUSES[fts] = sa.table(fts, sa.column("rowid"))
    return _FTS_CLAUSES[fts]


def fts_query(words: list[str]) -> str:
    """An FTS5 query that asks for every word as a literal string: each word is a quoted
    phrase (a `"` doubled), so `*`, `-`, `(`, `NEAR`, `AND`, `OR` are text, never operators.
    With the trigram tokenizer a phrase matches wherever its characters appear in a row."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _contains(column, word: str):
    return column.contains(word, autoescape=True)


def _fts_table(column) -> tuple[str | None, sa.Table | None]:
    """The FTS5 table of a plain table column (an ORM attribute or a Core column) and the
    column's table, or (None, None): an expression, an alias, a column without one."""
    column = getattr(column, "expression", column)
    table = getattr(column, "table", None)
    if not isinstance(column, sa.Column) or not isinstance(table, sa.Table):
        return None, None
    fts = FTS_TABLES.get((table.name, column.name))
    return (fts, table) if fts else (None, None)


class _TextSearch(sa.sql.expression.ColumnElement):
    """The search as the dialect reads it best: `other` on PostgreSQL, on SQLite one of
    three clauses with the same rows (`form`: DRIVEN, WALKED or JOINED; the same LIKEs in
    all three for a column without an FTS5 table). All are ordinary clauses, and the form
    is part of the cache key, so statement caching and bound parameters work as for any
    other condition."""

    type = sa.types.NullType()  # a Boolean would be compared `= 1` on SQLite
    inherit_cache = True
    _traverse_internals = [
        ("other", InternalTraversal.dp_clauseelement),
        ("driven", InternalTraversal.dp_clauseelement),
        ("walked", InternalTraversal.dp_clauseelement),
        ("joined", InternalTraversal.dp_clauseelement),
        ("form", InternalTraversal.dp_string),
    ]

    def __init__(self, other, driven, walked, joined, fts_from=None, form=DRIVEN):
        # In parentheses, so that a NOT or an OR around the search reads it whole.
        self.other = sa.sql.elements.Grouping(other)
        self.driven = sa.sql.elements.Grouping(driven)
        self.walked = sa.sql.elements.Grouping(walked)
        self.joined = sa.sql.elements.Grouping(joined)
        self.fts_from, self.form = fts_from, form

    @property
    def uses_fts(self) -> bool:
        return self.fts_from is not None

    def as_form(self, form: str) -> "_TextSearch":
        copy = self._clone()
        copy.form = form if self.uses_fts else DRIVEN
        return copy

    @property
    def _from_objects(self):
        # The searched table, for a SELECT's FROM (and the FTS5 table in the joined form).
        joined = self.form == JOINED and self.uses_fts
        return [*self.other._from_objects, self.fts_from] if joined else self.other._from_objects


@compiles(_TextSearch)
def _compile_text_search(element, compiler, **kw):
    if compiler.dialect.name != "sqlite":
        chosen = element.other
    else:
        chosen = {WALKED: element.walked, JOINED: element.joined}.get(element.form, element.driven)
    return compiler.process(chosen, **kw)


def _searches(clauses, top_level_only: bool):
    """The text searches in these WHERE clauses: all of them, or only those that are
    conditions of the top-level AND (not inside a NOT, an OR or a subquery)."""
    for clause in clauses:
        if top_level_only:
            if isinstance(clause, sa.sql.elements.BooleanClauseList):
                if clause.operator is operators.and_:
                    yield from _searches(clause.clauses, True)
            elif isinstance(clause, _TextSearch):
                yield clause
        else:
            yield from (e for e in visitors.iterate(clause) if isinstance(e, _TextSearch))


def has_text_search(select) -> bool:
    """Whether a select's WHERE searches text (search_condition), anywhere in it."""
    return next(_searches(select._where_criteria, False), None) is not None


def with_search_form(select, form: str, dialect_name: str):
    """The select with its text searches read in `form` on SQLite (DRIVEN, WALKED or
    JOINED; the rows are the same). JOINED applies only to a single FTS5 search among
    the WHERE's top-level conditions, and only on SQLite; otherwise the select is kept."""
    if dialect_name != "sqlite":
        return select
    if form == JOINED:
        chosen = [s for s in _searches(select._where_criteria, True) if s.uses_fts]
        if len(chosen) != 1:
            return select
    else:
        chosen = [s for s in _searches(select._where_criteria, False) if s.uses_fts]
    if not chosen:
        return select

    def replace(element):
        if isinstance(element, _TextSearch) and any(element is s for s in chosen):
            return element.as_form(form)
        return None

    copy = select._generate()
    copy._where_criteria = tuple(
        visitors.replacement_traverse(clause, {}, replace) for clause in select._where_criteria
    )
    return copy


def fts_schema_tables() -> set[str]:
    """The names of the FTS5 tables and their shadow tables (SQLite only): schema objects
    the models do not declare."""
    names = set(FTS_TABLES.values())
    return names | {name + suffix for name in names for suffix in FTS_SHADOW_SUFFIXES}


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: everything but the FTS5 tables found in the database
    (else `flask db check` fails on SQLite and `flask db migrate` writes their drop).
    migrations/env.py and tests/test_cli_and_config.py use it."""
    found_only_in_database = type_ == "table" and reflected and compare_to is None
    return not (found_only_in_database and name in fts_schema_tables())


def trigram_index(table: str, column: str = "search_text") -> sa.Index:
    """The text search index of a folded column (issue 15): on PostgreSQL a GIN index of
    pg_trgm trigrams, which serves search_condition's `LIKE '%word%'` as it is; on SQLite
    an empty partial index (`WHERE 0`) that only keeps the models and the migrations alike
    (SQLite searches through the column's FTS5 table, FTS_TABLES)."""
    return sa.Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )
