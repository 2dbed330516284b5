"""A streaming XLSX writer for large tables (issue 15, item 4).

openpyxl's write-only mode builds a cell object per value and serialises it through lxml:
about 9 µs a cell, 26 s for the 2.8 million cells of the national aid list even with one
shared style per number format. This writer produces the same SpreadsheetML directly
(inline strings, one shared style per kind of value, the header frozen and bold) into a
zip member as rows arrive, so memory does not grow with the rows and a cell costs about
a microsecond. The rules of `app.core.export.write_cell` hold: text is always a string cell
(never a formula nor an error code), with Excel's quote prefix when it begins like a
formula; characters XLSX cannot hold are dropped; numbers stay numbers; None and "" give no
cell. openpyxl and LibreOffice Calc read the files (tests/test_xlsx_office.py converts
them through LibreOffice and compares every value); Microsoft Excel is not available here.
"""

import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from app.core.export import FORMULA_PREFIXES, ILLEGAL_CHARACTERS_RE

# cellXfs of styles.xml, by position.
NORMAL, BOLD, DATE, MONEY, DECIMAL, QUOTED, BOLD_QUOTED = range(7)
# The list exports' formats (app.core.export.default_number_format): dates, whole amounts,
# decimals. PLAIN_STYLES gives dates their format only (the registry workbook).
LIST_STYLES = {date: DATE, datetime: DATE, int: MONEY, Decimal: DECIMAL}
PLAIN_STYLES = {date: DATE, datetime: DATE}
_EPOCH = date(1899, 12, 30).toordinal()
_ILLEGAL = ILLEGAL_CHARACTERS_RE.search
_ESCAPES = {"\r": "&#13;"}
_SPECIAL = re.compile(r"[&<>\r]")
_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>\
</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>\
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str, style: int, ref: str) -> str:
    """A string cell (inline), quote-prefixed when it begins like a formula."""
    if value.startswith(FORMULA_PREFIXES):
        style = BOLD_QUOTED if style == BOLD else QUOTED
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    s = f' s="{style}"' if style else ""
    if _SPECIAL.search(value):
        value = escape(value, _ESCAPES)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{value}</t></is></c>'


class _Sheet:
    def __init__(self, title: str, headers: Sequence[str], widths: Sequence[float] | None):
        self.title = title
        self.headers = list(headers)
        self.widths = widths or [max(12, min(45, len(h) + 4)) for h in self.headers]


class XlsxWriter:
    """Sheets written one after the other into `target` (a seekable binary file)."""

    def __init__(self, target, compresslevel: int = 1):
        self.zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.sheets: list[str] = []

    def sheet(
        self,
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence],
        *,
        styles: dict = LIST_STYLES,
        widths: Sequence[float] | None = None,
        chunk_rows: int = 500,
    ) -> int:
        """Write one sheet (header row bold and frozen); returns the number of data rows."""
        title = _unique_title(sheet_title(title), self.sheets)
        self.sheets.append(title)
        spec = _Sheet(title, headers, widths)
        letters = [column_letter(i) for i in range(1, max(len(spec.headers), 1) + 1)]
        count = 0
        name = f"xl/worksheets/sheet{len(self.sheets)}.xml"
        with self.zip.open(name, "w", force_zip64=True) as out:
            out.write(_sheet_head(spec).encode())
            header = "".join(_text(h, BOLD, f"{letters[i]}1") for i, h in enumerate(spec.headers))
            out.write(f'<row r="1">{header}</row>'.encode())
            pieces: list[str] = []
            for row in rows:
                count += 1
                pieces.append(_row(row, count + 1, letters, styles))
                if len(pieces) >= chunk_rows:
                    out.write("".join(pieces).encode())
                    pieces.clear()
            out.write("".join(pieces).encode())
            out.write(b"</sheetData></worksheet>")
        return count

    def close(self) -> None:
        if not self.sheets:  # a workbook has at least one sheet
            self.sheet("Sheet", [], [])
        sheets = self.sheets
        entries = "".join(
            f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, t in enumerate(sheets, start=1)
        )
        self.zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} {_REL_NS}>'
            f"<bookViews><workbookView/></bookViews><sheets>{entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_DOC_RELS}/styles" '
        rels += 'Target="styles.xml"/>'
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_PKG_RELS}">{rels}</Relationships>',
        )
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{_MAIN}.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        self.zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns='
            '"http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_MAIN}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_MAIN}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self.zip.close()


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\, not
    beginning or ending with an apostrophe (Excel's rules for sheet names: it offers to
    repair a file that breaks them; LibreOffice renamed "Danh sách: …" to "Sheet1")."""
    title = _FORBIDDEN_IN_TITLE.sub("-", title).strip("'")[:31].strip("'")
    return title or "Sheet"


def _unique_title(title: str, taken: list[str]) -> str:
    candidate, number = title, 1
    while candidate.lower() in (t.lower() for t in taken):
        number += 1
        candidate = f"{title[:28]}{number}"
    return candidate


def _sheet_head(spec: _Sheet) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(spec.widths, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS} {_REL_NS}>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
        'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )


def _number(value, style: int, ref: str) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def _row(values: Sequence, number: int, letters: list[str], styles: dict) -> str:
    """One row's XML; the common kinds of value inline (this runs for every cell)."""
    if len(values) > len(letters):
        letters.extend(column_letter(i) for i in range(len(letters) + 1, len(values) + 1))
    n = str(number)
    cells = [f'<row r="{n}">']
    append = cells.append
    for index, value in enumerate(values):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            if not value:
                continue
            if _ILLEGAL(value):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if not value:
                    continue
            append(_text(value, NORMAL, letters[index] + n))
        elif kind is date:
            style = styles.get(date, DATE)
            append(f'<c r="{letters[index]}{n}" s="{style}"><v>{_days(value)}</v></c>')
        elif kind is int:
            append(_number(value, styles.get(int, NORMAL), letters[index] + n))
        elif (cell := _cell(value, letters[index] + n, styles)) is not None:
            append(cell)
    append("</row>")
    return "".join(cells)


def _cell(value, ref: str, styles: dict) -> str | None:
    kind = type(value)
    if kind not in _EXACT:
        value = _convert(value)
        kind = type(value)
    if kind is str:
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return _text(value, NORMAL, ref) if value else None
    if kind is int:
        return _number(value, styles.get(int, NORMAL), ref)
    if kind is Decimal:
        return _number(repr(float(value)), styles.get(Decimal, NORMAL), ref)
    if kind is date:
        return _number(_days(value), styles.get(date, DATE), ref)
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is float:
        finite = math.isfinite(value)
        return _number(repr(value), styles.get(float, NORMAL), ref) if finite else None
    if kind is datetime:
        return _number(repr(_serial(value)), styles.get(datetime, DATE), ref)
    return None


_EXACT = frozenset((str, int, Decimal, date, bool, float, datetime))


def _convert(value):
    """Enum members and other subclasses as their plain type; anything else as text."""
    for kind in (str, bool, int, datetime, date, float, Decimal):
        if isinstance(value, kind):
            if kind is datetime:
                return datetime.combine(value.date(), value.timetz())
            if kind is date:
                return date(value.year, value.month, value.day)
            return kind(value)
    return str(value)


def _days(day: date) -> int:
    """Excel's serial number of a day (its 1900 leap-year bug kept, as openpyxl does)."""
    days = day.toordinal() - _EPOCH
    return days - 1 if 0 < days <= 60 else days


def _serial(moment: datetime) -> float:
    """Excel's serial number of a naive datetime (days since 30/12/1899 and the fraction)."""
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return _days(moment.date()) + seconds / 86400


def write_table(
    target,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    styles: dict = LIST_STYLES,
    progress: Callable[[int], None] | None = None,
) -> int:
    """One sheet of `rows` into `target`; returns the number of rows written."""
    writer = XlsxWriter(target)
    if progress is not None:
        rows = _counted(rows, progress)
    count = writer.sheet(title, headers, rows, styles=styles)
    writer.close()
    return count


def _counted(rows, progress, every: int = 1000):
    for count, row in enumerate(rows, start=1):
        if count % every == 0:
            progress(count)
        yield row
