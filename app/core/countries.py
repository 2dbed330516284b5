"""Country reference data from pycountry (ISO 3166) and Babel CLDR (Vietnamese names)."""

import re
from functools import lru_cache

import pycountry
from babel import Locale

from app.core.text import fold

VIETNAM = "VN"

# Everyday Vietnamese/English names CLDR and pycountry do not carry (folded keys).
_ALIASES = {
    "my": "US",
    "nuoc my": "US",
    "anh": "GB",
    "uk": "GB",
    "y": "IT",
    "italia": "IT",
    "russia": "RU",
    "vietnam": "VN",
    "hong kong": "HK",
    "hong kong trung quoc": "HK",
    "ma cao": "MO",
    "macau": "MO",
    "cong hoa sec": "CZ",
    "nam han": "KR",
    "bac trieu tien": "KP",
    "palestine": "PS",
    "vatican": "VA",
}


@lru_cache(maxsize=1)
def _vi_territories() -> dict[str, str]:
    return dict(Locale("vi").territories)


def _key(text: str | None) -> str:
    """fold() with punctuation turned into spaces ("Korea, Republic of" -> "korea republic of")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def country_name(alpha2: str | None) -> str:
    """Vietnamese name ("US" -> "Hoa Kỳ"), else pycountry's English name, else the code."""
    code = (alpha2 or "").strip().upper()
    if not code:
        return ""
    name = _vi_territories().get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is not None:
        return getattr(country, "common_name", None) or country.name
    return alpha2.strip()


@lru_cache(maxsize=1)
def _choices() -> tuple[tuple[str, str], ...]:
    pairs = [(c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries]
    pairs.sort(key=lambda pair: (pair[0] != VIETNAM, fold(pair[1]), pair[0]))
    return tuple(pairs)


def country_choices() -> list[tuple[str, str]]:
    """(alpha-2, Vietnamese name) for every country, Vietnam first, then by folded name."""
    return list(_choices())


@lru_cache(maxsize=1)
def _lookups() -> tuple[dict[str, str], dict[str, str]]:
    """(code lookup, name lookup), both keyed by _key()."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2 = country.alpha_2
        codes[_key(alpha2)] = alpha2
        codes[_key(country.alpha_3)] = alpha2
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(_key(value), alpha2)
        vi_name = _vi_territories().get(alpha2)
        if vi_name:
            names.setdefault(_key(vi_name), alpha2)
    for alias, alpha2 in _ALIASES.items():
        names.setdefault(alias, alpha2)
    return codes, names


def parse_country(value: str | None) -> str | None:
    """Alpha-2 for a code (alpha-2/alpha-3, any case) or an English/Vietnamese name, else None.

    Folded names clash with a few codes ("Áo"/AO, "Bỉ"/BI, "Nga"/NGA, "Mỹ"/MY): an input
    written in capitals is read as a code first ("NGA" -> "NG"), anything else as a name
    first ("Nga" -> "RU").
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    key = _key(text)
    if not key:
        return None
    codes, names = _lookups()
    if text.isascii() and text.isalpha() and text.isupper() and len(text) in (2, 3):
        return codes.get(key) or names.get(key)
    return names.get(key) or codes.get(key)
