"""Bounds on what an uploaded .xlsx makes openpyxl hold in memory, checked by streaming the
package's parts before openpyxl parses them (docs/performance.md, "Uploads with bounded
cost").

openpyxl in read-only mode streams a worksheet row by row, but it builds each row in full
before returning it, reads the shared strings into one list (about 170 bytes a string),
and parses every other XML part it opens (content types, workbook, relationships, styles,
properties, chart sheets) as a whole tree (20 to 25 times the part's size). A zip bomb of
well under 1 MB made each of these take gigabytes. So, with the parts found as openpyxl
finds them (the content types, then the workbook's relationships):
- the shared strings: at most `max_strings` strings, none longer than MAX_ELEMENT_BYTES;
- every other XML part but the worksheets: OTHER_PARTS_MAX_BYTES in all (a registry
  workbook's are a few kilobytes); parts that are not XML (pictures, printer settings)
  are never parsed and not counted;
- every worksheet (`scan_sheet`; openpyxl parses a sheet whole to find its size when it
  lacks a <dimension>): no more rows than Excel's MAX_ROWS, no row of more than
  MAX_CELLS_PER_ROW cells, no cell longer than MAX_ELEMENT_BYTES. The same pass finds the
  formulas without a cached value and the merged cells, for the reader, and what the fast
  reader (app.transfer.fastread) needs to know: the last row and column a cell names and
  whether the part holds anything that reader would read otherwise than openpyxl.
Each part's inflated size is bounded before this (files.check_upload,
IMPORT_MAX_INFLATED_MB).
"""

import re
import zipfile
from dataclasses import dataclass, field

from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.utils import column_index_from_string
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_THEME, SHARED_STRINGS
from openpyxl.xml.functions import fromstring  # as openpyxl parses (defusedxml if present)

MB = 1024 * 1024
MAX_ROWS = 1_048_576  # Excel's rows
MAX_CELLS_PER_ROW = 16_384  # Excel's columns (A to XFD)
# One cell's or shared string's XML. Excel holds at most 32,767 characters in a cell: under
# 200 KB of XML even with escaped characters and formatting runs.
MAX_ELEMENT_BYTES = MB
OTHER_PARTS_MAX_BYTES = 4 * MB
CHUNK = MB
# Shared strings per data row allowed by IMPORT_MAX_ROWS: a row has a few texts of its own
# (code, names, numbers of papers, address, contacts, notes; values repeated in other rows
# are stored once). openpyxl holds about 170 bytes a string: 1,000,000 of them by default.
STRINGS_PER_ROW = 10

_NS = r"(?:[A-Za-z_][\w.-]*:)?"
_ROW_START_RE = re.compile(rb"<" + _NS.encode() + rb"row[\s>/]")
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_END_RE = re.compile(rb"</(?:\w+:)?c>")
_CACHED_RE = re.compile(rb"<(?:\w+:)?v>[^<]")
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<")
# Cell references (`r="AB12"`), for the last row and column of a sheet.
_CELL_REF_RE = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=[\"']([A-Z]{1,3})(\d{1,7})[\"']")
# What calamine reads otherwise than openpyxl (app.transfer.fastread): `_x000D_` escapes
# (openpyxl keeps them), error and ISO-date cells, phonetic runs, a carriage return (an XML
# parser reads CR LF as LF), and numbers written with a point or an exponent but whole, or
# with more digits than a float keeps (openpyxl reads "5" as int, "5.0" as float).
_OTHERWISE_RE = (
    re.compile(rb"_x[0-9A-Fa-f]{4}_"),
    re.compile(rb"t=[\"'][de][\"']"),
    re.compile(rb"rPh[\s>/]"),
    re.compile(rb"\r"),
    re.compile(rb"v>\s*[-+]?(?:\d{16}|\d*\.0*\s*<|[\d.]+[eE])"),
)


class PartTooLarge(Exception):
    """The file would cost too much to read; the message (Vietnamese) says why."""


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB".replace(".", ",")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


# --- Streaming a part in pieces --------------------------------------------------------------


class _Element:
    """An element counted and bounded while streaming (a cell <c>, a shared string <si>)."""

    def __init__(self, name: bytes):
        self.name = name
        self.start = re.compile(rb"<" + _NS.encode() + name + rb"[\s>/]")
        self.end = re.compile(rb"</" + _NS.encode() + name + rb">")

    def last_open(self, data: bytes) -> int:
        """Where the last such element starts in data if it is not closed there, else -1."""
        start = max(
            (data.rfind(b"<" + self.name + sep) for sep in (b" ", b">", b"/", b"\t", b"\n", b"\r")),
            default=-1,
        )
        prefixed = data.rfind(b":" + self.name)  # <x:c ...> in files with a prefix
        while prefixed > start:
            tag = data.rfind(b"<", 0, prefixed)
            if tag >= 0 and self.start.match(data, tag):
                start = tag
                break
            prefixed = data.rfind(b":" + self.name, 0, prefixed)
        if start < 0:
            return -1
        closing = data.find(b">", start)
        if closing >= 0 and (data[closing - 1 : closing] == b"/" or self.end.search(data, closing)):
            return -1
        return start


CELL = _Element(b"c")
SHARED_STRING = _Element(b"si")


def _pieces(stream, element: _Element, what: str):
    """The part's bytes in pieces cut before an unfinished `element` (or else before the last
    tag), so that no such element and no tag is split between two pieces. An unfinished
    element longer than MAX_ELEMENT_BYTES raises PartTooLarge: nothing accumulates beyond
    one element and one chunk."""
    pending = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            yield pending
            return
        data = pending + chunk
        cut = element.last_open(data)
        if cut < 0:
            cut = max(data.rfind(b"<"), 0)
        done, pending = data[:cut], data[cut:]
        if len(pending) > MAX_ELEMENT_BYTES:
            raise PartTooLarge(
                f"{what} có một ô hoặc chuỗi văn bản dài hơn {_megabytes(MAX_ELEMENT_BYTES)} "
                "(một ô Excel chứa tối đa 32.767 ký tự): tệp không được đọc."
            )
        yield done


# --- A worksheet ------------------------------------------------------------------------------


@dataclass
class SheetScan:
    """What scan_sheet found in a worksheet's XML."""

    uncached: bool = False  # a formula may lack its cached value
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    title: str = ""
    cells: int = 0  # <c> elements
    referenced: int = 0  # of which with a reference (r="B7")
    last_row: int = 0  # the largest row and column a reference names
    last_column: int = 0
    plain: bool = True  # nothing _OTHERWISE_RE finds


def _otherwise(xml: bytes) -> bool:
    return any(pattern.search(xml) for pattern in _OTHERWISE_RE)


def scan_sheet(stream, what: str) -> SheetScan:
    """Formulas without a cached value, merged ranges and the facts of SheetScan of a
    worksheet's XML; PartTooLarge for more rows or a wider row than Excel allows, or a cell
    too long. `what` names the sheet in the message."""
    scan = SheetScan()
    uncached, merged = False, scan.merged
    letters: set[bytes] = set()
    rows = cells = 0  # rows so far, cells in the current row
    for piece in _pieces(stream, CELL, what):
        parts = _ROW_START_RE.split(piece)
        rows += len(parts) - 1
        if rows > MAX_ROWS:
            raise PartTooLarge(
                f"{what} có hơn {_thousands(MAX_ROWS)} dòng (số dòng tối đa của Excel): "
                "tệp không được đọc."
            )
        for number, part in enumerate(parts):
            if number:
                cells = 0
            found = len(CELL.start.findall(part))
            cells += found
            scan.cells += found
            if cells > MAX_CELLS_PER_ROW:
                raise PartTooLarge(
                    f"{what} có dòng hơn {_thousands(MAX_CELLS_PER_ROW)} ô (số cột tối đa "
                    "của Excel): tệp không được đọc."
                )
        uncached = uncached or _has_uncached_formula(piece)
        merged += _merged_ranges(piece)
        references = _CELL_REF_RE.findall(piece)
        if references:
            scan.referenced += len(references)
            letters.update(column for column, _ in references)
            scan.last_row = max(scan.last_row, max(int(row) for _, row in references))
        scan.plain = scan.plain and not _otherwise(piece)
    scan.uncached = uncached
    scan.last_column = max((column_index_from_string(c.decode()) for c in letters), default=0)
    return scan


def _has_uncached_formula(xml: bytes) -> bool:
    """Whether a formula in the XML may lack its cached value: a quick scan that spares the
    second reading for files saved by Excel (a false alarm only costs time)."""
    for match in _FORMULA_RE.finditer(xml):
        end = _CELL_END_RE.search(xml, match.end())
        if not _CACHED_RE.search(xml, match.end(), end.start() if end else len(xml)):
            return True
    return False


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    ranges = []
    for match in _MERGE_RE.finditer(xml):
        col1, row1, col2, row2 = (g.decode() if g else None for g in match.groups())
        min_col, min_row = column_index_from_string(col1), int(row1)
        max_col = column_index_from_string(col2) if col2 else min_col
        max_row = int(row2) if row2 else min_row
        ranges.append((min_col, min_row, max_col, max_row))
    return ranges


# --- The package --------------------------------------------------------------------------------


def check_package(archive: zipfile.ZipFile, name: str, max_rows: int) -> dict[str, SheetScan]:
    """Every worksheet's scan (see scan_sheet) by its part's path, in the workbook's order;
    PartTooLarge when opening the workbook would hold too much (see the module's text);
    other exceptions when the package is damaged."""
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    _check_small(sizes, ARC_CONTENT_TYPES, name)
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    workbook = _find_workbook_part(manifest).PartName[1:]
    rels = get_rels_path(workbook)
    _check_small(sizes, workbook, name)
    _check_small(sizes, rels, name)
    sheets = _worksheets(archive, workbook, rels)
    for whole in (ARC_CONTENT_TYPES, workbook, rels):
        sheets.pop(whole, None)
    streamed = {part for part in sheets if part in sizes}
    strings = manifest.find(SHARED_STRINGS)
    strings = strings.PartName[1:] if strings is not None else None
    if strings in sizes:
        streamed.add(strings)
    other = sum(
        size
        for part, size in sizes.items()
        if part not in streamed and (part == ARC_THEME or _is_xml(archive, part))
    )
    if other > OTHER_PARTS_MAX_BYTES:
        raise PartTooLarge(_other_parts_message(name, other))
    plain_strings = True
    if strings in sizes:
        with archive.open(strings) as stream:
            plain_strings = _check_strings(stream, name, STRINGS_PER_ROW * max_rows)
    scans = {}
    for part, title in sheets.items():
        if part in sizes and part != strings:
            with archive.open(part) as stream:
                scans[part] = scan = scan_sheet(stream, f"Tệp '{name}', trang {title}")
            scan.title = title
            scan.plain = scan.plain and plain_strings
    return scans


def _check_small(sizes: dict[str, int], part: str, name: str) -> None:
    if sizes.get(part, 0) > OTHER_PARTS_MAX_BYTES:
        raise PartTooLarge(_other_parts_message(name, sizes[part]))


def _other_parts_message(name: str, size: int) -> str:
    return (
        f"Tệp '{name}' có phần định dạng và thông tin phụ (kiểu ô, tên vùng, liên kết...) "
        f"giải nén ra {_megabytes(size)}, vượt giới hạn {_megabytes(OTHER_PARTS_MAX_BYTES)}: "
        "tệp không được đọc. Hãy chép dữ liệu (chỉ giá trị) sang một tệp mới rồi tải lên."
    )


def _worksheets(archive: zipfile.ZipFile, workbook: str, rels: str) -> dict[str, str]:
    """The parts openpyxl streams as worksheets, with their sheet's name: the targets of
    the workbook's sheets but the chart sheets (those, like everything else, are parsed
    whole)."""
    if rels not in archive.namelist():
        return {}
    relations = {
        rel.id: rel for rel in get_dependents(archive, rels) if rel.TargetMode != "External"
    }
    sheets, charts = {}, set()
    for element in fromstring(archive.read(workbook)).iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        ids = [value for key, value in element.attrib.items() if key.endswith("}id")]
        rel = relations.get(ids[0]) if ids else None
        if rel is None:
            continue
        if "chartsheet" in (rel.Type or ""):
            charts.add(rel.target)
        else:
            sheets[rel.target] = element.get("name") or rel.target
    return {part: title for part, title in sheets.items() if part not in charts}


def _is_xml(archive: zipfile.ZipFile, part: str) -> bool:
    with archive.open(part) as stream:
        return bool(_XML_START.match(stream.read(64)))


def _check_strings(stream, name: str, max_strings: int) -> bool:
    """Whether the shared strings are plain (see _OTHERWISE_RE); PartTooLarge for too many."""
    count, plain = 0, True
    for piece in _pieces(stream, SHARED_STRING, f"Tệp '{name}'"):
        plain = plain and not _otherwise(piece)
        count += len(SHARED_STRING.start.findall(piece))
        if count > max_strings:
            raise PartTooLarge(
                f"Tệp '{name}' có hơn {_thousands(max_strings)} chuỗi văn bản khác nhau "
                f"({STRINGS_PER_ROW} cho mỗi dòng IMPORT_MAX_ROWS cho phép): tệp không được "
                "đọc. Hãy chia dữ liệu thành nhiều tệp nhỏ hơn."
            )
    return plain
