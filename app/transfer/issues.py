"""What reading a workbook produces: the rows, and the problems found, each located by
sheet, Excel row and column label (spec/interchange.md)."""

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


@dataclass(slots=True)
class Row:
    """One data row. `values` holds a parsed value for every column present in the sheet
    (None for an empty cell, so that an update clears the field; False for an empty
    boolean unless the column is tristate); `invalid` the keys whose cell was wrong (their
    value is None and no further rule looks at them)."""

    sheet: str
    excel_row: int
    values: dict[str, Any]
    present: frozenset[str]
    invalid: set[str] = field(default_factory=set)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


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
