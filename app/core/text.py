"""Text helpers for accent-insensitive Vietnamese matching, and the indexed text search."""

import unicodedata

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
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
    the column (docs/decisions.md).
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
        sqlite = sa.and_(*(_contains(column, word) for word in words))
    else:
        key = next(iter(table.primary_key))
        matched = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table(fts))
            .where(sa.literal_column(fts).op("MATCH")(fts_query(long_words)))
        )
        sqlite = sa.and_(key.in_(matched), *(_contains(column, word) for word in short_words))
    return _TextSearch(sqlite, postgresql)


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
    """The search as the dialect reads it best: `sqlite` on SQLite (through the FTS5 table
    where there is one), `other` elsewhere (PostgreSQL). Both are ordinary clauses, so
    statement caching and bound parameters work as for any other condition."""

    type = sa.types.NullType()  # a Boolean would be compared `= 1` on SQLite
    inherit_cache = True
    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("other", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, sqlite, other):
        # In parentheses, so that a NOT or an OR around the search reads it whole.
        self.sqlite = sa.sql.elements.Grouping(sqlite)
        self.other = sa.sql.elements.Grouping(other)

    @property
    def _from_objects(self):
        return self.other._from_objects  # the searched table, for a SELECT's FROM


@compiles(_TextSearch)
def _compile_text_search(element, compiler, **kw):
    chosen = element.sqlite if compiler.dialect.name == "sqlite" else element.other
    return compiler.process(chosen, **kw)


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
