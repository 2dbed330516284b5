"""Exports that stream (issue 15, item 4): the aid list is read by one query per table
(its children per batch of items), written with one style per kind of value into a
spooled file (app.core.xlsx; the CSV too), in memory that does not grow with the
rows; a list longer than EXPORT_JOB_ROWS becomes a background job whose file is the same."""

import csv
import gc
import io
import re
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid import exports as aid_exports
from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, AidStatus, Modality, Sector
from app.core.export import csv_bytes, xlsx_bytes
from app.core.models import Commune
from app.demo_records import build_workbook
from app.orgs.models import Organization
from app.transfer.importer import import_workbook


def statements(db, func) -> list[str]:
    seen = []
    engine = db.session.get_bind().engine

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return seen


def add_items(db, count: int, start: int = 0) -> None:
    """Items with two donors, two sectors (one with a share) and two communes each."""
    communes = db.session.scalars(sa.select(Commune.code).order_by(Commune.code).limit(2)).all()
    donors = []
    for code in ("EXA", "EXB"):
        org = db.session.scalar(sa.select(Organization).where(Organization.code == code))
        if org is None:
            org = Organization(code=code, name=f"Tổ chức {code}", kind="ngo", country="US")
            db.session.add(org)
            db.session.flush()
        donors.append(org)
    for i in range(start, start + count):
        item = AidItem(
            code=f"EX{i:05d}",
            name=f"Khoản {i}",
            modality="phi_du_an",
            value=Decimal("1000.50"),
            currency="USD",
            rate_vnd=Decimal("25000"),
            value_vnd=25_012_500,
            status="tiep_nhan",
            search_text=f"ex{i:05d}",
            main_donor_id=donors[0].id,
            dossier_received_on=date(2025, 1, 1 + i % 28),
        )
        db.session.add(item)
        db.session.flush()
        for position, donor in enumerate(donors):
            db.session.add(
                AidDonor(aid_item_id=item.id, organization_id=donor.id, position=position)
            )
        db.session.add(AidSector(aid_item_id=item.id, sector="y_te", share=Decimal("60.00")))
        db.session.add(AidSector(aid_item_id=item.id, sector="khac", share=Decimal("40.00")))
        for commune in communes:
            db.session.add(AidLocation(aid_item_id=item.id, commune_code=commune))
    db.session.commit()


def test_the_aid_list_export_reads_a_constant_number_of_queries(login, db):
    web = login("planning.officer")
    web.get("/vien-tro/")  # the session's user and the former names are read once before

    def export_statements(fmt):
        found = []

        def run():
            response = web.get(f"/vien-tro/xuat.{fmt}?q=ex")
            assert response.status_code == 200
            found.append(response.data)

        return statements(db, run), found[0]

    add_items(db, 1)
    one = {fmt: export_statements(fmt) for fmt in ("xlsx", "csv")}
    add_items(db, 49, start=1)
    fifty = {fmt: export_statements(fmt) for fmt in ("xlsx", "csv")}
    for fmt in ("xlsx", "csv"):
        assert len(fifty[fmt][0]) == len(one[fmt][0]), (fmt, fifty[fmt][0])
    rows = list(csv.reader(io.StringIO(fifty["csv"][1].decode("utf-8-sig"))))
    assert len(rows) == 51
    header, first = rows[0], rows[1]
    assert first[header.index("Nhà tài trợ")] == "Tổ chức EXA; Tổ chức EXB"
    assert first[header.index("Lĩnh vực")] == "Y tế (60%); Khác (40%)"
    assert first[header.index("Địa bàn")].count(";") == 1
    workbook = load_workbook(io.BytesIO(fifty["xlsx"][1]))
    assert workbook.active.max_row == 51


# --- The rows are today's -------------------------------------------------------------------


def reference_row(item: AidItem) -> list:
    """The export's row as it was written before issue 15 (ORM object and its children)."""

    def sectors(item):
        return "; ".join(
            f"{Sector(s.sector).label} ({s.share.normalize():f}%)"
            if s.share is not None
            else Sector(s.sector).label
            for s in item.sectors
        )

    return [
        item.code,
        item.name,
        Modality(item.modality).label,
        "; ".join(d.organization.name for d in item.donors),
        sectors(item),
        "; ".join(loc.commune.name for loc in item.locations),
        item.owner_name,
        item.dossier_received_on,
        AidStatus(item.status).label,
        item.decision_number,
        item.decision_date,
        item.value,
        item.currency,
        item.rate_vnd,
        item.rate_usd,
        item.value_vnd,
        item.counterpart_vnd,
        item.start_on,
        item.end_on,
        item.donor_managed_value,
        item.recipient_managed_value,
        item.management_modality_label,
        item.financial_mechanism_label,
        item.central_reason_label,
        item.submitted_up_on,
        item.submitted_up_number,
        item.submitted_up_to,
        item.decision_authority,
    ]


@pytest.fixture
def demo_items(app_ctx, db, user):
    report = import_workbook(build_workbook(), "demo.xlsx", user("admin"))
    assert report.ok, report.errors[:3]
    db.session.commit()


def test_the_rows_are_those_of_the_former_export(demo_items, db, monkeypatch):
    monkeypatch.setattr(aid_exports, "BATCH", 7)  # batches split the children too
    query = sa.select(AidItem).where(AidItem.archived_at.is_(None))
    query = query.order_by(AidItem.dossier_received_on.desc(), AidItem.id.desc())
    expected = [reference_row(item) for item in db.session.scalars(query)]
    db.session.expunge_all()
    rows = list(aid_exports.item_rows(query))
    assert len(rows) == len(expected) > 20
    assert rows == expected
    assert any(row[3] and row[4] and row[5] for row in rows)  # donors, sectors and communes
    assert xlsx_bytes("T", aid_exports.HEADERS, rows) and csv_bytes(aid_exports.HEADERS, rows)


# --- Memory ----------------------------------------------------------------------------------


def synthetic_rows(count: int):
    for i in range(count):
        yield [
            f"VT-{i:06d}",
            f"Khoản viện trợ số {i} cho xã vùng cao",
            "=SUM(A1)" if i % 97 == 0 else "Dự án",
            date(2024, 1, 1 + i % 28),
            i * 1000,
            Decimal("1234.56"),
            None,
            True,
        ]


def traced_peak(write) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_writing_four_times_the_rows_takes_about_the_same_memory(fmt, tmp_path):
    from app.core.export import csv_chunks
    from app.core.xlsx import write_table

    headers = [f"Cột {i}" for i in range(8)]

    def write(count):
        with (tmp_path / f"out.{fmt}").open("wb") as file:
            if fmt == "xlsx":
                write_table(file, "T", headers, synthetic_rows(count))
            else:
                for chunk in csv_chunks(headers, synthetic_rows(count)):
                    file.write(chunk)

    small, large = traced_peak(lambda: write(5_000)), traced_peak(lambda: write(20_000))
    print(f"{fmt}: peak traced MiB", round(small / 2**20, 2), round(large / 2**20, 2))
    assert large < small * 1.5 + 2**20


def test_the_aid_rows_take_memory_by_batch_not_by_list(app_ctx, db, monkeypatch):
    monkeypatch.setattr(aid_exports, "BATCH", 50)
    query = sa.select(AidItem).order_by(AidItem.code)

    def consume():
        for _row in aid_exports.item_rows(query):
            pass

    add_items(db, 100)
    consume()  # once before: what is read once per process (labels, compiled statements)
    small = traced_peak(consume)
    add_items(db, 300, start=100)
    large = traced_peak(consume)
    print("aid rows: peak traced KiB", small // 1024, large // 1024)
    assert large < small * 1.5


# --- A long list as a background job ---------------------------------------------------------


def cell_values(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    ("url", "name"), [("/vien-tro/xuat", "khoan-vien-tro"), ("/doan/xuat", "doan")]
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_long_list_is_exported_by_a_job_with_the_same_file(
    app, login, db, make_delegation, url, name, fmt
):
    add_items(db, 5)
    for number in range(4):
        make_delegation(f"EXD-{number}", stage="submitted", start=date(2026, 6, 1 + number))
    web = login("foreign_affairs.officer")
    direct = web.get(f"{url}.{fmt}?sort=code")
    assert direct.status_code == 200
    body = direct.data  # read now: a streamed CSV is read while its request is current
    app.config["EXPORT_JOB_ROWS"] = 2
    try:
        asked = web.get(f"{url}.{fmt}?sort=code")
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    assert len(body.splitlines() if fmt == "csv" else cell_values(body)) > 3
    assert asked.status_code == 303
    page_url = asked.headers["Location"]
    assert re.search(r"/du-lieu/danh-sach/[0-9a-f]{32}$", page_url)
    page = web.get(page_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="export-ready"' in text and "trong nền" in text
    download = web.get(page_url + "/tep")
    assert download.status_code == 200
    assert f"filename={name}-" in download.headers["Content-Disposition"]
    if fmt == "csv":
        assert download.data == body
    else:
        assert cell_values(download.data) == cell_values(body)
    # Someone else's job is not theirs to see.
    other = login("police.officer")
    assert other.get(page_url).status_code == 404
    assert other.get(page_url + "/tep").status_code == 404


def test_the_transfer_page_lists_only_its_own_jobs(app, login, db):
    add_items(db, 3)
    web = login("planning.officer")
    app.config["EXPORT_JOB_ROWS"] = 1
    try:
        asked = web.get("/vien-tro/xuat.csv")
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    assert asked.status_code == 303
    job_id = asked.headers["Location"].rsplit("/", 1)[1]
    assert web.get(f"/du-lieu/viec/{job_id}").status_code == 404  # not a transfer job
    assert job_id not in web.get("/du-lieu/").get_data(as_text=True)


def test_the_registry_workbook_is_the_same_whatever_the_batch(demo_items, monkeypatch):
    from app.transfer import exporter

    def sheets(body: bytes) -> dict:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}

    whole = sheets(exporter.export_workbook())
    monkeypatch.setattr(exporter, "BATCH", 3)
    batched = sheets(exporter.export_workbook())
    assert batched == whole
    assert len(whole["VienTro"]) > 20 and any(row[2] for row in whole["VienTro"][1:])
