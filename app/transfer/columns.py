"""The kinds of cells and the Column and Sheet classes the registry workbook's sheets are
described with (app.transfer.schema and app.transfer.schema_diplomacy)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.core.text import fold_key

# --- Column kinds -------------------------------------------------------------------------

TEXT = "text"
DATE = "date"
DECIMAL = "decimal"
BOOL = "bool"
CODE = "code"  # one key of `choices` (key or label accepted)
CODES = "codes"  # `;` list of keys of `choices`
COUNTRY = "country"  # ISO 3166-1 alpha-2, or a Vietnamese/English name
COUNTRIES = "countries"  # `;` list of countries
CURRENCY = "currency"  # ISO 4217
REF = "ref"  # one code of a record in another sheet or the registry (`ref` names which)
REFS = "refs"  # `;` list of such codes
SECTORS = "sectors"  # `;` list of `key` or `key:share`

KINDS = frozenset(
    {TEXT, DATE, DECIMAL, BOOL, CODE, CODES, COUNTRY, COUNTRIES, CURRENCY, REF, REFS, SECTORS}
)
LIST_KINDS = frozenset({CODES, COUNTRIES, REFS, SECTORS})
LIST_SEPARATOR = ";"

# What a REF/REFS column points at: a sheet key, or a registry list the file cannot hold.
COMMUNES = "communes"

RATE_LIMIT = Decimal(10**9)  # VND per unit: far above any currency, below the column's size


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool = False
    choices: Mapping[str, str] | None = None  # CODE/CODES: {key: Vietnamese label}
    ref: str | None = None  # REF/REFS: a sheet key ("ToChuc") or COMMUNES
    note: str = ""  # the value, in Vietnamese, for the template's instructions
    # Further accepted spellings {text: key} (CODE/CODES), e.g. the spec's shorter label.
    aliases: Mapping[str, str] | None = None
    max_length: int | None = None  # TEXT/REF/REFS items: the database column's length
    normalize: Callable[[str], str] | None = None  # TEXT: applied after stripping
    min_value: Decimal | None = None  # DECIMAL: lower bound
    min_exclusive: bool = False  # DECIMAL: the bound itself is refused (> instead of >=)
    max_value: Decimal | None = None  # DECIMAL: values must stay below (default MONEY_LIMIT)
    whole: bool = False  # DECIMAL: a whole number (years, counts, whole đồng)
    tristate: bool = False  # BOOL: an empty cell is None ("not said"), not False
    # A column the registry adds for a field the spec does not list (export, then import).
    extra: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind in (CODE, CODES) and not self.choices:
            raise ValueError(f"column {self.key!r} needs choices")
        if self.kind in (REF, REFS) and not self.ref:
            raise ValueError(f"column {self.key!r} needs ref")

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    key_column: str | None = None  # unique code matching rows to records ("ma")
    # (start, end) date columns: end may not be before start.
    date_ranges: tuple[tuple[str, str], ...] = ()
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_key = {c.key: c for c in self.columns}
        if len(by_key) != len(self.columns):
            raise ValueError(f"sheet {self.key}: duplicate column key")
        names: dict[str, str] = {}
        for column in self.columns:
            for name in (column.key, column.label):
                folded = header_key(name)
                if names.setdefault(folded, column.key) != column.key:
                    raise ValueError(f"sheet {self.key}: header {name!r} names two columns")
        object.__setattr__(self, "by_key", by_key)

    def column(self, key: str) -> Column:
        return self.by_key[key]

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


def header_key(text: object) -> str:
    """How header cells and sheet names are compared: fold_key, ignoring a "*" or "(*)"
    required-marker ("Mã tổ chức (*)" and "ma_to_chuc" give "matochuc")."""
    return fold_key(str(text).replace("(*)", "").replace("*", ""))
