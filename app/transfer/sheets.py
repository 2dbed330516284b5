"""Reading one sheet: find its header row, map the columns, parse and check each data row.

A sheet arrives as a Source (rows of raw cell values from an .xlsx sheet or a CSV file);
SheetReader fills the ReadResult. Data rows beyond `max_rows` stop the sheet with an error
naming the limit, so that a huge upload costs a bounded amount of work.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from app.transfer import schema
from app.transfer.cells import as_text, cell_parser
from app.transfer.issues import CellError, ReadResult, Row, RowValues
from app.transfer.rules import SheetRules
from app.transfer.schema import SHEETS, Column, Sheet, header_key

HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_ROWS = 100_000  # as config.IMPORT_MAX_ROWS, for reading outside an app
PROGRESS_EVERY = 5000  # data rows between two progress reports

# progress(sheet key, data rows read so far)
Progress = Callable[[str, int], None]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@dataclass
class Source:
    """One sheet of the file: its name and rows as (Excel row or CSV line, cell values).

    `formulas`, when given, yields the same rows read without cached values (formulas as
    "=..."), so that a formula cell without a cached value can be named. `merged` lists
    merged ranges as (min_col, min_row, max_col, max_row).
    """

    name: str
    rows: Iterable[tuple[int, Sequence[Any]]]
    formulas: Iterable[Sequence[Any]] | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _header_lookup(sheet: Sheet) -> dict[str, Column]:
    lookup = {}
    for column in sheet.columns:
        lookup[header_key(column.key)] = column
        lookup[header_key(column.label)] = column
    return lookup


_HEADER_LOOKUPS = {key: _header_lookup(sheet) for key, sheet in SHEETS.items()}
_SHEET_LOOKUP = {header_key(n): s for s in SHEETS.values() for n in (s.key, s.name)}
_AUX_SHEETS = frozenset(header_key(name) for name in schema.AUX_SHEETS)


def match_sheet(name: str) -> Sheet | None:
    """The spec sheet a file's sheet (or CSV file stem) names, ignoring case, diacritics,
    spaces and underscores; None for an unknown name."""
    return _SHEET_LOOKUP.get(header_key(name))


def header_matches(sheet: Sheet, cells: Sequence[Any]) -> int:
    lookup = _HEADER_LOOKUPS[sheet.key]
    return sum(1 for cell in cells if isinstance(cell, str) and header_key(cell) in lookup)


def _is_formula(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and "Formula" in type(value).__name__


class SheetReader:
    def __init__(
        self,
        sheet: Sheet,
        result: ReadResult,
        max_rows: int = DEFAULT_MAX_ROWS,
        progress: Progress | None = None,
    ):
        self.sheet = sheet
        self.result = result
        self.max_rows = max_rows
        self.progress = progress

    def read(self, source: Source) -> None:
        sheet, result = self.sheet, self.result
        rows = iter(source.rows)
        formulas = iter(source.formulas) if source.formulas is not None else None
        header = None
        blank = True
        for _ in range(HEADER_SEARCH_ROWS):
            item = next(rows, None)
            if item is None:
                break
            if formulas is not None:
                next(formulas, None)
            number, cells = item
            if any(_filled(c) for c in cells):
                blank = False
            if header_matches(sheet, cells) >= 2:
                header = (number, cells)
                break
        if header is None:
            if blank and not any(any(_filled(c) for c in cells) for _, cells in rows):
                result.warn(sheet.key, None, None, "Trang trống, bỏ qua.")
                return
            first = ", ".join(f"«{c.label}»" for c in sheet.required_columns[:3])
            result.error(
                sheet.key,
                None,
                None,
                f"Không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu: dòng tiêu "
                f"đề phải ghi tên ít nhất hai cột của trang, ví dụ {first}.",
            )
            return
        header_row, header_cells = header
        mapping = self._map_header(header_row, header_cells)
        present = frozenset(column.key for _, column in mapping)
        result.columns[sheet.key] = present
        for column in sheet.required_columns:
            if column.key not in present:
                result.error(sheet.key, None, column.label, "Thiếu cột bắt buộc.")
        spanning = [m for m in source.merged if m[3] > header_row and m[:2] != m[2:]]
        if spanning:
            for min_col, min_row, max_col, max_row in spanning:
                cells = f"{get_column_letter(min_col)}{min_row}:"
                cells += f"{get_column_letter(max_col)}{max_row}"
                result.error(
                    sheet.key,
                    max(min_row, header_row + 1),
                    None,
                    f"Vùng ô gộp {cells} nằm trong phần dữ liệu: hãy bỏ gộp ô và ghi giá trị "
                    "vào từng ô.",
                )
            result.sheets[sheet.key] = []
            return
        parsed = self._read_rows(rows, formulas, mapping, present)
        if parsed is None:  # over the row limit: the sheet's rows are dropped
            parsed = []
        result.sheets[sheet.key] = parsed

    def _map_header(self, header_row: int, cells: Sequence[Any]) -> list[tuple[int, Column]]:
        sheet, result = self.sheet, self.result
        lookup = _HEADER_LOOKUPS[sheet.key]
        mapping: list[tuple[int, Column]] = []
        seen: dict[str, int] = {}
        for index, cell in enumerate(cells):
            text = as_text(cell)
            if text is None:
                continue
            column = lookup.get(header_key(text))
            letter = get_column_letter(index + 1)
            if column is None:
                result.warn(sheet.key, header_row, text, f"Cột {letter} không thuộc trang, bỏ qua.")
                continue
            if column.key in seen:
                first = get_column_letter(seen[column.key] + 1)
                result.error(
                    sheet.key,
                    header_row,
                    column.label,
                    f"Cột ghi hai lần (cột {first} và cột {letter}); chỉ dùng cột {first}.",
                )
                continue
            seen[column.key] = index
            mapping.append((index, column))
        return mapping

    def _read_rows(
        self,
        rows: Iterator[tuple[int, Sequence[Any]]],
        formulas: Iterator[Sequence[Any]] | None,
        mapping: list[tuple[int, Column]],
        present: frozenset[str],
    ) -> list[Row] | None:
        sheet, result = self.sheet, self.result
        cells = [(index, column, cell_parser(column)) for index, column in mapping]
        rules = SheetRules(sheet, result, present)
        parsed: list[Row] = []
        index = {column.key: position for position, (_, column, _) in enumerate(cells)}
        for number, raw_row in rows:
            formula_row = next(formulas, ()) if formulas is not None else ()
            width = len(raw_row)
            raws = [raw_row[i] if i < width else None for i, _, _ in cells]
            stale = self._stale_formulas(formula_row, cells, raws) if formula_row else ()
            if not stale and not any(_filled(raw) for raw in raws):
                continue
            if len(parsed) >= self.max_rows:
                result.error(
                    sheet.key,
                    number,
                    None,
                    f"Trang có hơn {_thousands(self.max_rows)} dòng dữ liệu, vượt giới hạn "
                    f"{_thousands(self.max_rows)} dòng mỗi trang (IMPORT_MAX_ROWS): hãy chia "
                    "thành nhiều tệp.",
                )
                return None
            if self.progress is not None and len(parsed) % PROGRESS_EVERY == 0 and parsed:
                self.progress(sheet.key, len(parsed))
            row = Row(sheet.key, number, RowValues(index), present)
            values = row.values
            for (_, column, parse), raw in zip(cells, raws, strict=True):
                if column.key in stale:
                    row.mark_invalid(column.key)
                    values[column.key] = None
                    result.error(
                        sheet.key,
                        number,
                        column.label,
                        "Ô chứa công thức chưa có giá trị tính sẵn: hãy mở tệp bằng Excel, "
                        "tính lại và lưu, hoặc thay công thức bằng giá trị.",
                    )
                    continue
                try:
                    values[column.key] = parse(raw)
                except CellError as exc:
                    row.mark_invalid(column.key)
                    values[column.key] = None
                    result.error(sheet.key, number, column.label, str(exc))
            rules.check(row)
            parsed.append(row)
        return parsed

    @staticmethod
    def _stale_formulas(formula_row: Sequence[Any], cells, raws: list[Any]) -> set[str]:
        """Keys of cells holding a formula whose cached value is missing."""
        stale = set()
        width = len(formula_row)
        for (index, column, _), raw in zip(cells, raws, strict=True):
            if raw is None and index < width and _is_formula(formula_row[index]):
                stale.add(column.key)
        return stale


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class Reader:
    """Sends each sheet of the file that names a spec sheet to a SheetReader."""

    def __init__(
        self,
        result: ReadResult,
        max_rows: int = DEFAULT_MAX_ROWS,
        progress: Progress | None = None,
    ):
        self.result = result
        self.max_rows = max_rows
        self.progress = progress
        self.seen: dict[str, str] = {}  # sheet key -> the file's name for it

    def sheet_for(self, name: str) -> Sheet | None:
        """The spec sheet for a file's sheet name, or None (warned) to skip it."""
        sheet = match_sheet(name)
        if sheet is None:
            if header_key(name) not in _AUX_SHEETS:
                self.result.warn(name, None, None, "Trang không thuộc sổ đăng ký, bỏ qua.")
            return None
        if sheet.key in self.seen:
            self.result.error(
                sheet.key,
                None,
                None,
                f"Trang '{name}' trùng với trang '{self.seen[sheet.key]}'; chỉ đọc trang đầu.",
            )
            return None
        self.seen[sheet.key] = name
        return sheet

    def read(self, sheet: Sheet, source: Source) -> None:
        SheetReader(sheet, self.result, self.max_rows, self.progress).read(source)


class SingleSheetReader(Reader):
    """Reads the file's first sheet as `sheet`, whatever its name (an uploaded list)."""

    def __init__(self, result: ReadResult, sheet: Sheet, **options):
        super().__init__(result, **options)
        self.sheet = sheet

    def sheet_for(self, name: str) -> Sheet | None:
        if self.seen:
            return None
        self.seen[self.sheet.key] = name
        return self.sheet
