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
