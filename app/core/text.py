"""Text helpers for accent-insensitive Vietnamese matching."""

import unicodedata

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
