"""Text helpers for accent-insensitive Vietnamese matching."""

import unicodedata

import sqlalchemy as sa

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


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
    """
    from sqlalchemy import and_

    words = fold(query).split()[:10]  # bounded: ten words are plenty for a search box
    if not words:
        return None
    return and_(*(column.contains(word, autoescape=True) for word in words))


def trigram_index(table: str, column: str = "search_text") -> sa.Index:
    """The text search index of a folded column (issue 15): on PostgreSQL a GIN index of
    pg_trgm trigrams, which serves search_condition's `LIKE '%word%'` as it is; on SQLite
    an empty partial index (`WHERE 0`) that only keeps the models and the migrations alike
    (SQLite searches the column by a scan)."""
    return sa.Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )
