"""The registry's XLSX files open in LibreOffice Calc with every sheet and every value.

app.core.xlsx writes SpreadsheetML by hand (issue 15, item 4); openpyxl reading the files is
not enough: an office suite is stricter about sheet names, styles and the package. Each
file is converted by LibreOffice (headless) back to XLSX and read again: the sheets, their
names and their values must be the same as in the file we wrote. CI installs LibreOffice
and sets REQUIRE_OFFICE=1, so these tests cannot be skipped there.
"""

import io
import os
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid import exports as aid_exports
from app.aid.models import AidItem
from app.core.export import xlsx_bytes
from app.core.xlsx import sheet_title
from app.demo_records import build_workbook
from app.transfer import exporter
from app.transfer.importer import import_workbook

SOFFICE = shutil.which("soffice")

if not SOFFICE and os.environ.get("REQUIRE_OFFICE"):
    raise pytest.UsageError("REQUIRE_OFFICE is set but soffice is missing")
pytestmark = pytest.mark.skipif(
    not SOFFICE, reason="LibreOffice not installed (apt-get install libreoffice-calc-nogui)"
)


def through_libreoffice(body: bytes, tmp_path) -> bytes:
    """The file as LibreOffice Calc reads it and saves it again as XLSX."""
    source = tmp_path / "in" / "book.xlsx"
    source.parent.mkdir(parents=True)
    source.write_bytes(body)
    out = tmp_path / "out"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (out / "book.xlsx").read_bytes()


def sheets(body: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return {
        ws.title: [
            [None if value == "" else value for value in row]
            for row in ws.iter_rows(values_only=True)
            if any(value not in (None, "") for value in row)
        ]
        for ws in book
    }


def without_trailing_blanks(table: dict[str, list[list]]) -> dict[str, list[list]]:
    def trim(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return row

    return {name: [trim(row) for row in rows] for name, rows in table.items()}


def test_awkward_values_and_an_invalid_sheet_name_survive_libreoffice(tmp_path):
    rows = [
        ["=SUM(A1:A2)", 1_234_567, Decimal("12.5"), date(2026, 12, 3), "Trường mầm non xã Hà Nam"],
        ["+84 123", -5, Decimal("0.25"), datetime(2026, 1, 2), "a & b < c > d"],
        ["@home", 0, Decimal("3"), date(1900, 3, 1), "dòng 1\ndòng 2"],
        ["-x", None, None, None, " khoảng trắng đầu"],
        ["xấu\x01ký tự", 7, None, None, "∑ Đoàn vào 😀"],
    ]
    body = xlsx_bytes("Danh sách: viện trợ [2026]", ["Mã", "Giá trị", "Tỷ lệ", "Ngày", "Tên"], rows)
    written = without_trailing_blanks(sheets(body))
    assert list(written) == ["Danh sách- viện trợ -2026-"]
    reread = without_trailing_blanks(sheets(through_libreoffice(body, tmp_path)))
    assert reread == written
    table = reread["Danh sách- viện trợ -2026-"]
    assert table[1][0] == "=SUM(A1:A2)"  # text, not a formula
    assert table[2][0] == "+84 123" and table[3][0] == "@home" and table[4][0] == "-x"
    assert table[5][0] == "xấuký tự"  # the control character is dropped
    assert table[1][3] == datetime(2026, 12, 3)


@pytest.fixture
def demo_items(app_ctx, db, user):
    report = import_workbook(build_workbook(), "demo.xlsx", user("admin"))
    assert report.ok, report.errors[:3]
    db.session.commit()


def test_the_registry_workbook_and_the_aid_list_open_in_libreoffice(demo_items, tmp_path):
    workbook = exporter.export_workbook()
    written = sheets(workbook)
    assert len(written) >= 5 and sum(len(rows) for rows in written.values()) > 50
    reread = sheets(through_libreoffice(workbook, tmp_path / "registry"))
    assert without_trailing_blanks(reread) == without_trailing_blanks(written)

    query = sa.select(AidItem).where(AidItem.archived_at.is_(None)).order_by(AidItem.id)
    body = xlsx_bytes(aid_exports.SHEET, aid_exports.HEADERS, aid_exports.item_rows(query))
    written = sheets(body)
    assert len(written[aid_exports.SHEET]) > 20
    reread = sheets(through_libreoffice(body, tmp_path / "list"))
    assert without_trailing_blanks(reread) == without_trailing_blanks(written)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Danh sách: viện trợ", "Danh sách- viện trợ"),
        ("a/b\\c?d*e[f]", "a-b-c-d-e-f-"),
        ("'trích'", "trích"),
        ("", "Sheet"),
        ("x" * 40, "x" * 31),
    ],
)
def test_sheet_titles_follow_excel_rules(title, expected):
    assert sheet_title(title) == expected


def test_the_statistics_workbook_opens_in_libreoffice(demo_items, login, tmp_path):
    """The small workbooks stay on openpyxl: the year's statistics, fetched as a user does."""
    response = login("leadership.viewer").get("/thong-ke/2025/bao-cao.xlsx")
    assert response.status_code == 200
    written = sheets(response.data)
    assert len(written) >= 3 and any(len(rows) > 3 for rows in written.values())
    reread = sheets(through_libreoffice(response.data, tmp_path))
    assert without_trailing_blanks(reread) == without_trailing_blanks(written)
