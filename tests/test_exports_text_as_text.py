"""Exports write text as text (OWASP "CSV injection"): a text beginning like a formula comes
out inert from every list and statistics export, through the one writer of app.core.export."""

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from app.aid.models import AidDonor, AidItem, AidSector
from app.aid.states import S as AidS
from app.core.export import csv_bytes, csv_value, write_cell, xlsx_bytes
from app.delegations.models import Delegation, DelegationMember
from app.delegations.states import APPROVED
from app.orgs.models import Organization

PAYLOADS = ('=HYPERLINK("http://x")', "+1", "-2abc", "@SUM(A1)")
Y = 2024


def xlsx_cells(body: bytes) -> dict:
    """{value: [cells]} of every cell of every sheet."""
    found: dict = {}
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                found.setdefault(cell.value, []).append(cell)
    return found


def assert_inert_xlsx(body: bytes) -> None:
    cells = xlsx_cells(body)
    for payload in PAYLOADS:
        assert payload in cells, payload
        for cell in cells[payload]:
            assert cell.data_type == "s" and cell.quotePrefix, (payload, cell.coordinate)
    styles = zipfile.ZipFile(io.BytesIO(body)).read("xl/styles.xml").decode()
    assert re.search(r'<xf [^>]*quotePrefix="1"', styles)


def csv_fields(body: bytes) -> set[str]:
    rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    return {field for row in rows for field in row}


def assert_inert_csv(bodies: list[bytes]) -> None:
    fields = set().union(*(csv_fields(body) for body in bodies))
    for payload in PAYLOADS:
        assert "'" + payload in fields and payload not in fields, payload


# --- The writer -----------------------------------------------------------------------------


def test_writer_keeps_numbers_numbers_and_empty_empty(tmp_path):
    body = xlsx_bytes(
        "T",
        ["a", "b", "c", "d", "e"],
        [
            [-5, Decimal("-2.50"), None, "", "#N/A"],
            ["\tx", "\rx", "Hà Nội - 2", "a=b", date(Y, 1, 2)],
        ],
    )
    sheet = load_workbook(io.BytesIO(body)).active
    negative, decimal, empty, blank, error_like = sheet[2]
    assert (negative.value, negative.data_type, negative.quotePrefix) == (-5, "n", False)
    assert (decimal.value, decimal.data_type, decimal.number_format) == (-2.5, "n", "#,##0.00")
    assert empty.value is None and blank.value is None
    assert (error_like.value, error_like.data_type) == ("#N/A", "s")  # not an error cell
    tab, cr, inner_dash, inner_equals, day = sheet[3]
    assert tab.quotePrefix and cr.quotePrefix and tab.data_type == cr.data_type == "s"
    assert not inner_dash.quotePrefix and not inner_equals.quotePrefix
    assert day.is_date and day.number_format == "dd/mm/yyyy"

    rows = list(
        csv.reader(
            io.StringIO(
                csv_bytes(["h"] * 4, [[-5, Decimal("-2.5"), None, "\tx"]]).decode("utf-8-sig")
            )
        )
    )
    assert rows[1] == ["-5", "-2,5", "", "'\tx"]
    assert csv_value("Đoàn - Lào") == "Đoàn - Lào" and csv_value("") == ""


def test_write_cell_on_a_normal_sheet_survives_a_save():
    workbook = Workbook()
    write_cell(workbook.active["A1"], "=1+1")
    write_cell(workbook.active["A2"], "=1+1\x01")  # a control character XLSX cannot hold
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(buffer).active
    assert sheet["A1"].value == "=1+1" and sheet["A1"].data_type == "s" and sheet["A1"].quotePrefix
    assert sheet["A2"].value == "=1+1" and sheet["A2"].quotePrefix


# --- Every export ---------------------------------------------------------------------------


@pytest.fixture
def records(db, user):
    """Organisations, aid items (approved in Y), delegations and members named by PAYLOADS."""
    agency_id = user("foreign_affairs.officer").agency_id
    host = None
    for index, text in enumerate(PAYLOADS):
        org = Organization(code=f"INJ{index}", name=text, kind="ngo", country="US")
        org.representative = text
        db.session.add(org)
        db.session.flush()
        item = AidItem(
            code=f"INJ-{index}",
            name=text,
            owner_name=text,
            modality="phi_du_an",
            value=1000,
            currency="VND",
            value_vnd=1000,
            status=AidS.DA_PHE_DUYET.value,
            decision_number=f"{index}/QĐ-UBND",
            decision_date=date(Y, 3, 1),
            search_text=f"inj-{index}",
            main_donor_id=org.id,
        )
        db.session.add(item)
        db.session.flush()
        db.session.add(AidDonor(aid_item_id=item.id, organization_id=org.id, position=0))
        db.session.add(AidSector(aid_item_id=item.id, sector="khac"))
        delegation = Delegation(
            code=f"INJ-D{index}",
            direction="vao",
            title=text,
            purpose="khao_sat",
            status=APPROVED,
            sending_party=text,
            country="LA",
            start_on=date(Y, 5, 1),
            end_on=date(Y, 5, 2),
            author_agency_id=agency_id,
        )
        db.session.add(delegation)
        db.session.flush()
        host = host or delegation
        db.session.add(
            DelegationMember(
                delegation_id=host.id,
                full_name=text,
                position=text,
                nationality="LA",
                passport_number=f"P{index}",
            )
        )
    db.session.commit()
    return {"delegation": host.id, "year": Y}


LIST_EXPORTS = ["/to-chuc/xuat", "/vien-tro/xuat", "/doan/xuat", "/doan/{delegation}/thanh-vien"]


@pytest.mark.parametrize("url", LIST_EXPORTS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_list_exports_write_formula_like_text_as_text(login, records, url, fmt):
    web = login("foreign_affairs.officer")
    response = web.get(f"{url.format(**records)}.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        assert_inert_xlsx(response.data)
    else:
        assert_inert_csv([response.data])


def test_statistics_workbook_and_csv_write_formula_like_text_as_text(login, records):
    web = login("leadership.viewer")
    workbook = web.get(f"/thong-ke/{Y}/bao-cao.xlsx")
    assert workbook.status_code == 200
    assert_inert_xlsx(workbook.data)
    archive = zipfile.ZipFile(io.BytesIO(web.get(f"/thong-ke/{Y}/bao-cao.zip").data))
    assert_inert_csv([archive.read(name) for name in archive.namelist()])
    table = web.get(f"/thong-ke/{Y}/bang/vien_tro_nha_tai_tro.csv")
    assert table.status_code == 200
    assert_inert_csv([table.data])


def test_statistics_cli_writes_formula_like_text_as_text(app, records, tmp_path):
    runner = app.test_cli_runner()
    base = ["report", "annual", "--year", str(Y)]
    workbook = tmp_path / "bao-cao.xlsx"
    assert runner.invoke(args=[*base, "--format", "xlsx", "--output", str(workbook)]).exit_code == 0
    assert_inert_xlsx(workbook.read_bytes())
    folder = tmp_path / "csv"
    assert runner.invoke(args=[*base, "--format", "csv", "--output", str(folder)]).exit_code == 0
    assert_inert_csv([path.read_bytes() for path in folder.iterdir()])
