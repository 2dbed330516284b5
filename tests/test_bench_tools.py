"""The national data generator and the benchmark's tools (issue 15), on a tiny set.

The generator fills every derived column as the registry's own functions would (search
texts, folded names, normalised passports), its titles are found by the list's search, its
bench accounts sign in, and scripts/bench's page timing works over real HTTP."""

import argparse
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from tests.conftest import CSRF_RE, DEMO_PASSWORD, _test_database_url, reset_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_catalog
import bench_pages
import bench_report_md
import generate_stats_data as generator

ACCOUNTS = 4  # as in the fixture's --accounts
ACTION_WORDS = {"Xây", "Nâng", "Sửa", "Trang", "Hỗ", "Cải", "Phát", "Tăng"}


@pytest.fixture(scope="module")
def tiny(tmp_root):
    """A fresh database filled by the generator with a tiny national set."""
    url = _test_database_url(tmp_root, "_bench")
    reset_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_root / "up"),
            "EXPORT_JOB_ROWS": 50,  # the 200 items' export becomes a background job
        }
    )
    sizes = {"items": 200, "disbursements": 1000, "delegations": 60, "organizations": 20}
    options = [f"--{name}={value}" for name, value in (sizes | {"accounts": ACCOUNTS}).items()]
    args = generator.make_parser().parse_args(options)
    assert generator.build(args, app=app) == 0
    yield app, url
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_search_texts_are_the_registrys(tiny):
    from app.aid.models import AidItem, item_search_text
    from app.core.text import fold
    from app.delegations.models import Delegation, DelegationMember, normalize_passport
    from app.orgs.models import Organization

    app, _ = tiny
    with app.app_context():
        items = _db.session.scalars(sa.select(AidItem)).all()
        assert len(items) == 200
        for item in items:
            donors = [d.organization.name for d in item.donors]
            assert item.search_text == item_search_text(item.code, item.name, item.name_en, donors)
            assert item.name.split()[0] in {
                "Xây",
                "Nâng",
                "Sửa",
                "Trang",
                "Hỗ",
                "Cải",
                "Phát",
                "Tăng",
            }
        assert any(len(item.donors) > 1 for item in items)  # co-donors are searched too
        for org in _db.session.scalars(sa.select(Organization)):
            fresh = Organization(code=org.code, name=org.name, name_vi=org.name_vi)
            assert org.search_text == fresh.search_text
        delegations = _db.session.scalars(sa.select(Delegation)).all()
        assert len(delegations) == 60
        for delegation in delegations:
            written = delegation.search_text
            delegation.refresh_search_text([m.full_name for m in delegation.members])
            assert written == delegation.search_text
        _db.session.rollback()
        members = _db.session.scalars(sa.select(DelegationMember)).all()
        for member in members:
            assert member.name_folded == fold(member.full_name)
            assert member.passport_number == normalize_passport(member.passport_number)
        passports = [m.passport_number for m in members if m.passport_number]
        assert len(set(passports)) < len(passports)  # repeat visitors


def _sign_in(client, username: str) -> int:
    token = CSRF_RE.search(client.get("/dang-nhap").get_data(as_text=True)).group(1)
    answer = client.post(
        "/dang-nhap", data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD}
    )
    return answer.status_code


def test_bench_accounts_sign_in_and_title_words_are_found(tiny):
    app, _ = tiny
    names = generator.bench_usernames(ACCOUNTS)
    assert names == [
        "planning.bench01",
        "other.bench02",
        "foreign_affairs.bench03",
        "police.bench04",
    ]
    for username in names:
        assert _sign_in(app.test_client(), username) == 302, username
    with app.app_context():
        code, name = _db.session.execute(
            sa.text("SELECT code, name FROM aid_item WHERE archived_at IS NULL ORDER BY id")
        ).first()
    client = app.test_client()
    _sign_in(client, "planning.bench01")
    word = name.split()[-1]  # the commune's last word, with its diacritics
    page = client.get(f"/vien-tro/?q={word}").get_data(as_text=True)
    assert code in page


def test_page_timing_over_http_beside_raw_sql(tiny):
    app, url = tiny
    connect = bench_pages.dbapi_connect(url)
    connection = connect()
    picked = bench_catalog.picks(connection.cursor())
    connection.close()
    pages = {p.key: p for p in bench_catalog.catalog(picked)}
    server = bench_pages.Server(app)
    try:
        session = bench_pages.sign_in(server.url, "planning.bench01")
        timing = bench_pages.time_page(session, server, pages["aid_list"].path, repeat=2)
        export = bench_pages.time_page(session, server, pages["aid_export"].path, repeat=1)
        workbook = bench_pages.get_file(session, server.url, pages["aid_export"].path)
        results = bench_pages.measure([pages["donor_profile"]], server, connect, 1, log=str)
    finally:
        server.close()
    assert timing.status == 200 and timing.runs == 2 and timing.median_ms > 0
    assert timing.queries and timing.queries > 1  # counted by the engine listener
    ((_, registry, raw),) = results
    # The long export's job is followed to its file.
    assert export.status == 200 and export.size > 5000
    assert workbook.content[:2] == b"PK" and "spreadsheetml" in workbook.headers["Content-Type"]
    assert registry.status == 200 and raw.median_ms > 0
    rows = pages["aid_list"].raw(connect().cursor())
    assert rows[0][0][0] > 25 and len(rows[1]) == 25  # the count and the first page


def test_docs_section_keeps_the_other_database(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nOther sections.\n")
    info = {"cores": 2, "python": "3", "date": "d", "commit": "c", "load_before": ["1", "1", "1"]}
    counts = dict.fromkeys(
        ["aid_item", "disbursement", "delegation", "delegation_member", "organization"], 1
    )
    page = {"label": "Aid list", "user": "planning.bench01", "ms": 10.0, "queries": 5}
    page |= {"raw_ms": 2.0, "runs": 7, "status": 200}
    result = {"kind": "sqlite", "stamp": {}, "counts": counts, "pages": [page], "extras": {}}
    bench_report_md.write_docs(doc, info, [result])
    bench_report_md.write_docs(doc, info, [result | {"kind": "postgresql"}])
    text = doc.read_text()
    assert text.startswith("# Performance\n\nOther sections.\n")
    assert text.count(bench_report_md.START) == 1 and text.count(bench_report_md.END) == 1
    assert "<!-- bench:sqlite -->" in text and "<!-- bench:postgresql -->" in text
    assert "| Aid list | planning | 10.0 ms | 5 | 2.0 ms | 5.0 | 7 |" in text


def test_generator_refuses_a_filled_database(tiny):
    app, _ = tiny
    args = argparse.Namespace(items=1, disbursements=1, delegations=1, organizations=1)
    assert generator.build(args, app=app) == 1
