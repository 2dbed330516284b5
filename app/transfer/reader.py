"""Read a registry workbook (.xlsx or one-sheet .csv) and validate its rows.

Pure Python + openpyxl, no database: `read_workbook` parses every sheet of
spec/interchange.md and checks the rules a single sheet can check; `validate_cross_sheet`
adds the checks between sheets and against the codes the caller already holds (filled from
the database). Every problem is collected, none stops the reading, and every message is
Vietnamese and names the sheet, the Excel row and the column label.

The work is split by job: files (opening an upload with bounded cost), sheets (header
row, columns, rows), cells (one value), rules (one row), crosscheck (between sheets);
issues holds the results. This module keeps the names callers import.
"""

import openpyxl  # noqa: F401 - tests patch reader.openpyxl.load_workbook

from app.transfer.cells import cell_parser, code_lookup
from app.transfer.crosscheck import validate_cross_sheet
from app.transfer.files import MAX_BYTES, MAX_INFLATION, check_upload, limits, read_workbook
from app.transfer.issues import CellError, Issue, ReadResult, Row
from app.transfer.rules import conditional_requirements
from app.transfer.sheets import HEADER_SEARCH_ROWS, match_sheet

__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_BYTES",
    "MAX_INFLATION",
    "CellError",
    "Issue",
    "ReadResult",
    "Row",
    "cell_parser",
    "check_upload",
    "code_lookup",
    "conditional_requirements",
    "limits",
    "match_sheet",
    "read_workbook",
    "validate_cross_sheet",
]
