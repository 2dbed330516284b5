"""What reading a workbook produces: the rows, and the problems found, each located by
sheet, Excel row and column label (spec/interchange.md)."""

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from app.transfer.schema import SHEETS


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: sheet (spec name, or the file's name for an unknown sheet), Excel row
    (CSV line), column label, all None when they do not apply; message in Vietnamese."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(self.sheet)
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột «{self.column}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RowValues(MutableMapping):
    """A row's values as a mapping over its sheet's columns: one list per row beside an
    index shared by the sheet (key -> position), a fifth of the memory of a dict per row,
    which is what lets a 100,000-row sheet be checked and written in bounded memory."""

    __slots__ = ("_data", "_index")

    def __init__(self, index: dict[str, int]):
        self._index = index
        self._data: list[Any] = [None] * len(index)

    def __getitem__(self, key: str) -> Any:
        return self._data[self._index[key]]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[self._index[key]] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("a row's columns are fixed by its sheet")

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def get(self, key: str, default: Any = None) -> Any:
        """As Mapping.get, without its try/except per call (millions in an import)."""
        position = self._index.get(key)
        return default if position is None else self._data[position]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


NO_KEYS: frozenset[str] = frozenset()


@dataclass(slots=True)
class Row:
    """One data row. `values` holds a parsed value for every column present in the sheet
    (None for an empty cell, so that an update clears the field; False for an empty
    boolean unless the column is tristate); `invalid` the keys whose cell was wrong (their
    value is None and no further rule looks at them)."""

    sheet: str
    excel_row: int
    values: MutableMapping[str, Any]
    present: frozenset[str]
    invalid: frozenset[str] | set[str] = NO_KEYS  # a set of its own once a cell is wrong

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def mark_invalid(self, key: str) -> None:
        if self.invalid is NO_KEYS:
            self.invalid = set()
        self.invalid.add(key)


@dataclass
class ReadResult:
    sheets: dict[str, list[Row]] = field(default_factory=dict)  # sheet key -> rows
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # sheet key -> keys of the columns its header names (also for a sheet without rows)
    columns: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, sheet_key: str) -> set[str]:
        """The `ma` values of a keyed sheet in the file."""
        key_column = SHEETS[sheet_key].key_column
        return {code for row in self.sheets.get(sheet_key, ()) if (code := row.get(key_column))}

    def error(self, sheet, row, column, message) -> None:
        self.errors.append(Issue(sheet, row, column, message))

    def warn(self, sheet, row, column, message) -> None:
        self.warnings.append(Issue(sheet, row, column, message))


class CellError(ValueError):
    """A cell that cannot be read; the message is Vietnamese."""
