"""The fast paths of the import (issue 15, item 7): workbooks read with calamine give what
openpyxl gives (app.transfer.fastread), files calamine would read otherwise still go
through openpyxl, and on PostgreSQL new rows are COPYed with the ids and defaults an
INSERT gives them (app.core.inserts)."""

import io
import zipfile
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.inserts import copies, insert_rows
from app.demo_records import build_workbook
from app.transfer import bounds, fastread, files
from app.transfer.files import read_workbook
from tests.test_transfer_reader import patch_zip


def scans(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return bounds.check_package(archive, "registry.xlsx", 1000)


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def openpyxl_rows(data: bytes, title: str) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return without_empty_tail([trimmed(row) for row in files._values(book[title])])
    finally:
        book.close()


def fast_rows(data: bytes, title: str) -> list[tuple]:
    book = fastread.Book(data, [title])
    try:
        return without_empty_tail([trimmed(row) for _, row in book.sheet(title)])
    finally:
        book.close()


def without_empty_tail(rows: list[tuple]) -> list[tuple]:
    """calamine stops at the last row holding a value, openpyxl at the last row written;
    empty rows are skipped anyway (sheets.SheetReader)."""
    while rows and not rows[-1]:
        rows.pop()
    return rows


def trimmed(row) -> tuple:
    """A row without its trailing empty cells (the readers pad rows differently); an empty
    text is an empty cell for the reader (cells.as_text, sheets._filled)."""
    values = [None if value == "" else value for value in row]
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def both_readings(data: bytes, monkeypatch, **options):
    fast = read_workbook(data, "registry.xlsx", **options)
    with monkeypatch.context() as patch:
        patch.setattr(fastread, "suits", lambda scans: False)
        slow = read_workbook(data, "registry.xlsx", **options)
    return fast, slow


def assert_same(fast, slow) -> None:
    assert [str(issue) for issue in fast.errors] == [str(issue) for issue in slow.errors]
    assert [str(issue) for issue in fast.warnings] == [str(issue) for issue in slow.warnings]
    assert fast.columns == slow.columns
    assert fast.sheets.keys() == slow.sheets.keys()
    for key, rows in slow.sheets.items():
        assert len(fast.sheets[key]) == len(rows), key
        for mine, theirs in zip(fast.sheets[key], rows, strict=True):
            assert mine.excel_row == theirs.excel_row and mine.invalid == theirs.invalid
            assert dict(mine.values) == dict(theirs.values), (key, mine.excel_row)
            for name, value in theirs.values.items():  # same types too (Decimal("5") not "5.0")
                assert repr(mine.values[name]) == repr(value), (key, name)


def test_calamine_reads_every_kind_of_cell_as_openpyxl():
    book = Workbook()
    sheet = book.active
    sheet.title = "Values"
    sheet["C3"] = "  text with spaces  "
    sheet["D3"] = 'Tiếng Việt & <xml> "quotes"\nline two'
    sheet["E3"] = 5
    sheet["F3"] = 5.5
    sheet["G3"] = -0.1
    sheet["H3"] = 12345678901234
    sheet["I3"] = True
    sheet["J3"] = False
    sheet["K3"] = datetime(2024, 1, 2)
    sheet["L3"] = datetime(2024, 1, 2, 3, 4, 5)
    sheet["M3"] = date(2024, 2, 29)
    sheet["N3"] = time(6, 30)
    sheet["O3"] = timedelta(hours=30)
    sheet["P3"] = 45000
    sheet["P3"].number_format = "dd/mm/yyyy"
    sheet["Q3"] = 45000.5
    sheet["Q3"].number_format = "dd/mm/yyyy hh:mm"
    sheet["R3"] = 45000
    sheet["R3"].number_format = '#,##0 "đ"'
    sheet["S3"] = 1.5e-7
    sheet["B6"] = "after a gap"
    sheet["A7"] = ""
    data = saved(book)
    rows = openpyxl_rows(data, "Values")
    assert rows[2][2:5] == ("  text with spaces  ", 'Tiếng Việt & <xml> "quotes"\nline two', 5)
    assert fast_rows(data, "Values") == rows
    assert [type(v) for v in fast_rows(data, "Values")[2][4:8]] == [int, float, float, int]


def test_a_registry_workbook_reads_the_same_through_both_readers(monkeypatch, app):
    data = build_workbook(
        organizations=8, items=40, disbursements=60, delegations=20, members=40, seed=7
    )
    with app.app_context():
        fast, slow = both_readings(data, monkeypatch)
    assert sum(len(rows) for rows in slow.sheets.values()) > 150
    assert_same(fast, slow)


def test_errors_and_warnings_read_the_same_through_both_readers(monkeypatch):
    book = Workbook()
    sheet = book.active
    sheet.title = "Vien Tro"
    sheet.append(["BẢNG TỔNG HỢP"])
    sheet.append(["ma", "ten", "gia_tri", "tien_te", "cot_la", "ngay_bat_dau", "hinh_thuc"])
    sheet.append(["VT1", "A", "1.234,5", "USD", "x", "31/02/2024", "du_an"])
    sheet.append(["VT1", None, -5, "XYZ", None, datetime(2024, 1, 1), "khong_ro"])
    sheet.append([None] * 7)
    sheet.append(["VT2", "B", 10.25, "VND", None, "2024-01-01", "du_an"])
    book.create_sheet("Ghi chu").append(["not a registry sheet"])
    fast, slow = both_readings(saved(book), monkeypatch)
    assert slow.errors and slow.warnings
    assert_same(fast, slow)


@pytest.mark.parametrize(
    ("xml_change", "what"),
    [
        (lambda xml: xml.replace("<t>Oxfam</t>", "<t>Ox_x000D_fam</t>"), "an _x000D_ escape"),
        (lambda xml: xml.replace('t="n"><v>7</v>', 't="e"><v>#N/A</v>'), "an error cell"),
        (lambda xml: xml.replace("<v>7</v>", "<v>7.0</v>"), "a whole number with a point"),
        (lambda xml: xml.replace("<v>7</v>", "<v>12345678901234567</v>"), "17 digits"),
        (lambda xml: xml.replace("<t>Oxfam</t>", "<t>Ox\r\nfam</t>"), "a carriage return"),
        (lambda xml: xml.replace(' r="A2"', ""), "a cell without a reference"),
    ],
)
def test_what_calamine_would_read_otherwise_goes_through_openpyxl(monkeypatch, xml_change, what):
    book = Workbook()
    sheet = book.active
    sheet.title = "ToChuc"
    sheet.append(["ma", "ten", "loai", "quoc_gia", "so_giay"])
    sheet.append(["TC1", "Oxfam", "ngo", "GB", 7])
    data = patch_zip(saved(book), "xl/worksheets/sheet1.xml", xml_change)
    assert data != saved(book), what
    monkeypatch.setattr(fastread, "Book", None)  # calamine is not used
    result = read_workbook(data, "registry.xlsx")
    assert result.sheets["ToChuc"], [str(e) for e in result.errors]


def test_a_sheet_calamine_would_hold_too_large_goes_through_openpyxl(monkeypatch):
    book = Workbook()
    sheet = book.active
    sheet.title = "ToChuc"
    sheet.append(["ma", "ten", "loai", "quoc_gia"])
    sheet.append(["TC1", "Oxfam", "ngo", "GB"])
    sheet["AZ1"] = "ghi chú"  # 52 columns
    other = book.create_sheet("Doan")  # as large: calamine holds one sheet at a time
    other.append(["ma", "ten"])
    other["AZ2"] = "ghi chú"
    data = saved(book)
    monkeypatch.setattr(fastread, "MAX_DENSE_CELLS", 52 * 2 - 1)
    monkeypatch.setattr(fastread, "Book", None)
    assert read_workbook(data, "registry.xlsx").sheets["ToChuc"]
    monkeypatch.undo()
    monkeypatch.setattr(fastread, "MAX_DENSE_CELLS", 52 * 2)
    opened = []
    book_class = fastread.Book
    monkeypatch.setattr(fastread, "Book", lambda *a: opened.append(1) or book_class(*a))
    assert read_workbook(data, "registry.xlsx").sheets["ToChuc"] and opened
    assert fastread.suits(scans(data))


def test_when_calamine_fails_midway_openpyxl_reads_the_whole_file_again(monkeypatch):
    book = Workbook()
    first = book.active
    first.title = "Rác"  # a warning, which must not be given twice
    first.append(["x"])
    for title in ("ToChuc", "Doan"):
        book.create_sheet(title).append(["ma", "ten"])
    data = saved(book)
    expected = read_workbook(data, "registry.xlsx")
    sheet = fastread.Book.sheet

    def fails_on_doan(self, title):
        if title == "Doan":
            raise ValueError("calamine could not read it")
        return sheet(self, title)

    monkeypatch.setattr(fastread.Book, "sheet", fails_on_doan)
    result = read_workbook(data, "registry.xlsx")
    assert [str(w) for w in result.warnings] == [str(w) for w in expected.warnings]
    assert [str(e) for e in result.errors] == [str(e) for e in expected.errors]
    assert len(result.warnings) == 1


def test_new_rows_get_ids_in_their_order_and_the_columns_defaults(app_ctx, db):
    """insert_rows: one COPY on PostgreSQL (no statement per row), an executemany elsewhere;
    the same rows either way."""
    from app.orgs.models import Organization

    table = Organization.__table__
    rows = [
        {"code": f"CP{n}", "name": f"Org {n}", "kind": "ngo", "country": "GB"}
        for n in range(1, 2500)
    ]
    statements = []
    engine = db.session.get_bind()
    db.session.connection()  # the connection's own set-up is not counted

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        ids = insert_rows(table, rows, ids=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(ids) == len(rows) and ids == sorted(ids)
    # PostgreSQL: the sequence's name and its ids, then one COPY (not an execute);
    # elsewhere an executemany per 2,000 rows (in a few statements: SQLite's bounds)
    if copies():
        assert len(statements) == 2, statements
    else:
        assert len(statements) < 10, statements
    stored = db.session.execute(
        sa.select(table).where(table.c.code.like("CP%")).order_by(table.c.id)
    ).mappings()
    stored = list(stored)
    assert [(r["id"], r["code"]) for r in stored] == [
        (i, row["code"]) for i, row in zip(ids, rows, strict=True)
    ]
    assert all(r["created_at"] is not None and r["version"] == 1 for r in stored)
    assert insert_rows(table, []) == []


def test_a_rows_values_get_reads_as_a_mapping():
    """RowValues.get, called millions of times in an import, answers as Mapping.get."""
    from app.transfer.issues import RowValues

    values = RowValues({"ma": 0, "ten": 1})
    values["ten"] = "Oxfam"
    assert values.get("ten") == "Oxfam" and values.get("ma") is None
    assert values.get("ma", "x") is None  # present but empty: its value, not the default
    assert values.get("loai") is None and values.get("loai", "x") == "x"
