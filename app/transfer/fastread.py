"""Reading a workbook's cell values with calamine (python-calamine, a Rust reader), as
openpyxl reads them (docs/performance.md, "Import of the registry workbook").

openpyxl spends ~60 % of a large import parsing cells in Python; calamine reads the same
values about twenty times faster. It is used only where it reads every value as openpyxl
would, as found by the package's scan (app.transfer.bounds, which also keeps every bound
and finds the formulas and merged cells): every worksheet scanned, plain (no `_x000D_`
escape, error or ISO-date cell, phonetic run, carriage return, or number written with a
point or exponent but whole, or with 16 digits or more), every cell with a reference, no
formula without its cached value, and at most MAX_DENSE_CELLS cells in a sheet's
rectangle (calamine holds a sheet's rectangle whole, one sheet at a time, where openpyxl
streams rows).
Otherwise, or when calamine fails on the file, the reader uses openpyxl.

Its values are then made openpyxl's: an empty cell None, a whole number an int, a date a
datetime at midnight.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from app.transfer.bounds import SheetScan

# Cells of a sheet's rectangle (last row x last column) calamine may hold: ~32 bytes a
# cell besides the text, so at most ~64 MB. The 10,000-item benchmark workbook's largest
# sheet has 400,000 (50,000 disbursements); 100,000 rows of 20 columns fit.
MAX_DENSE_CELLS = 2_000_000


def suits(scans: dict[str, SheetScan]) -> bool:
    """Whether calamine reads these worksheets as openpyxl would (see the module's text)."""
    dense = max((scan.last_row * scan.last_column for scan in scans.values()), default=0)
    return (
        bool(scans)
        and dense <= MAX_DENSE_CELLS
        and all(
            scan.plain and not scan.uncached and scan.referenced == scan.cells
            for scan in scans.values()
        )
    )


class Book:
    """An open workbook; `sheet(title)` loads one worksheet whole (any exception: calamine
    cannot read it)."""

    def __init__(self, data: bytes, titles: Sequence[str]):
        import io

        from python_calamine import CalamineWorkbook, SheetTypeEnum

        self.book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        found = [(sheet.name, sheet.typ) for sheet in self.book.sheets_metadata]
        if found != [(title, SheetTypeEnum.WorkSheet) for title in titles]:
            raise ValueError(f"calamine found other sheets: {found}")

    def sheet(self, title: str) -> Iterator[tuple[int, list[Any]]]:
        sheet = self.book.get_sheet_by_name(title)
        return _rows(sheet)

    def close(self) -> None:
        self.book.close()


def _rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row, values from column A) as openpyxl gives them. calamine's rows start at
    row 1 but at the first column holding a cell."""
    start = sheet.start
    pad = [None] * (start[1] if start else 0)
    for number, row in enumerate(sheet.iter_rows(), start=1):
        values = pad.copy()
        append = values.append
        for value in row:
            kind = type(value)
            if kind is str:
                append(value or None)
            elif kind is float:
                append(int(value) if value.is_integer() else value)
            elif kind is date:
                append(datetime(value.year, value.month, value.day))
            else:  # bool, datetime, time, timedelta: as openpyxl
                append(value)
        yield number, values
