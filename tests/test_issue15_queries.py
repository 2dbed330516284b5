"""Issue 15, the query fixes: indexes the plans use and pages in a bounded number of
statements. Plans are read with the database's own EXPLAIN on the statements the code ran."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.aid import services as aid_services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.core.text import fold, search_condition
from app.delegations import services as delegation_services
from app.delegations.models import Delegation
from app.orgs.models import Organization
from tests.fixtures.aid import item_input
from tests.fixtures.orgs import new_org
from tests.test_delegations_services import delegation, host  # noqa: F401 (fixtures)


def captured(db, func) -> list[tuple[str, object]]:
    """The statements (with their parameters) that `func` sent, harness lines left out."""
    found = []
    engine = db.session.get_bind().engine

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            found.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return found


def plan(db, statement: str, parameters) -> str:
    """The query plan of one statement as text (PostgreSQL with sequential scans made
    expensive, so that an index the planner can use shows even on small tables)."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    cursor = raw.cursor()
    if connection.dialect.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("EXPLAIN " + statement, parameters)
    text = "\n".join(row[0] for row in cursor.fetchall())
    cursor.execute("SET LOCAL enable_seqscan = on")
    return text


# --- 1. Person search by passport ---------------------------------------------------------


def test_person_search_by_passport_uses_the_passport_index(delegation, host, user, db):  # noqa: F811
    delegation_services.submit_delegation(delegation, user=host)
    police = user("police.officer")
    statements = captured(db, lambda: delegation_services.person_search("m 1234567", user=police))
    search = [(s, p) for s, p in statements if "delegation_member" in s]
    assert len(search) == 1
    assert "ix_delegation_member_passport" in plan(db, *search[0])
    # Found by passport as before, and by name (every word, diacritics ignored).
    found = delegation_services.person_search("m 1234567", user=police)
    assert [m.full_name for m in found] == ["Kim Min-jun"]
    assert [m.full_name for m in delegation_services.person_search("KIM min", user=police)] == [
        "Kim Min-jun"
    ]
    # A user who may not see passports is not searched by passport at all.
    viewer = user("leadership.viewer")
    statements = captured(db, lambda: delegation_services.person_search("M1234567", user=viewer))
    assert not any(re.search(r"passport_number\s*=", s) for s, _p in statements)


# --- 2. Donor profile ---------------------------------------------------------------------


def _donor_items(app, db, user, make_item, org, other, prefix: str, count: int):
    """`count` approved items of `org` (main donor) with a disbursement each, and one item
    of `other` with `org` as co-donor."""
    for i in range(count):
        item = make_item(f"{prefix}-{i}", status=AidStatus.DANG_THUC_HIEN, donor=org)
        with app.app_context():
            aid_services.add_disbursement(
                db.session.merge(item), date(2025, 5, 1), Decimal("1000"), "USD",
                rate_vnd=Decimal("25000"), user=user("planning.officer"),
            )  # fmt: skip
            db.session.commit()
    with app.app_context():
        aid_services.create_item(
            item_input([other.id, org.id], f"{prefix}-CO"), user=user("planning.officer")
        )
        db.session.commit()


def test_donor_profile_in_constant_queries_with_unchanged_figures(app, login, db, user, make_item):
    with app.app_context():
        org, other = new_org(db, "DP-MAIN"), new_org(db, "DP-OTHER")
        db.session.commit()
    _donor_items(app, db, user, make_item, org, other, "DPA", 2)
    web = login("planning.officer")
    page = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert "DPA-0" in page and "DPA-1" in page and "DPA-CO" in page
    assert "5.000.000.000 ₫" in page  # two approved items of 2.5 billion đồng each
    assert "50.000.000 ₫" in page  # two disbursements of 25 million đồng
    few = captured(db, lambda: web.get(f"/to-chuc/{org.id}"))
    _donor_items(app, db, user, make_item, org, other, "DPB", 6)
    page = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert "20.000.000.000 ₫" in page and "200.000.000 ₫" in page and "DPB-CO" in page
    many = captured(db, lambda: web.get(f"/to-chuc/{org.id}"))
    assert len(few) == len(many)
    # The items are picked by two index searches, not by a scan of every item.
    rows = [(s, p) for s, p in many if "aid_donor_1.position" in s]
    assert len(rows) == 1
    text = plan(db, *rows[0])
    assert "ix_aid_donor_organization_id" in text and "ix_aid_item_main_donor_id" in text


# --- 3. The pager's count -----------------------------------------------------------------


def test_pager_counts_without_order_by_or_eager_loads(login, db, make_item):
    make_item("PC-1")
    web = login("planning.officer")
    for url in ("/vien-tro/?sort=-value", "/vien-tro/?q=nuoc+sach", "/doan/", "/to-chuc/"):
        counts = [
            s.upper()
            for s, _p in captured(db, lambda url=url: web.get(url))
            if s.lstrip().upper().startswith("SELECT COUNT(*)")
        ]
        assert len(counts) == 1, url
        assert "ORDER BY" not in counts[0], url
        assert not {"AID_DONOR", "AID_SECTOR", "AID_LOCATION", "OPINION"} & set(
            re.findall(r"\b(?:FROM|JOIN) (\w+)", counts[0])
        ), url


# --- 4. Aid item page ---------------------------------------------------------------------


def _pdf(name: str):
    return FileStorage(io.BytesIO(b"%PDF-1.4"), filename=name)


def _children(app, db, user, item, start: int, count: int):
    """`count` disbursements, reports (each with a file), inspections and files."""
    with app.app_context():
        it, planner = db.session.merge(item), user("planning.officer")
        for i in range(start, start + count):
            day = date(2025, 5, 1) + timedelta(days=i)
            aid_services.add_disbursement(
                it, day, Decimal("10"), "USD", rate_vnd=Decimal("25000"), user=planner
            )
            aid_services.add_report(
                it, "sau_thang", None, None, day, f"Báo cáo {i}", _pdf(f"bc{i}.pdf"), user=planner
            )
            aid_services.add_inspection(it, inspected_on=day, team=f"Đoàn {i}", user=planner)
            aid_services.attach_file(it, _pdf(f"tep{i}.pdf"), user=planner)
        db.session.commit()


def test_aid_item_page_in_a_bounded_number_of_statements(app, login, db, user, make_item):
    item = make_item("DTQ-1", status=AidStatus.DANG_THUC_HIEN)
    _children(app, db, user, item, 0, 1)
    web = login("planning.officer")
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "bc0.pdf" in page and "tep0.pdf" in page and "Đoàn 0" in page
    few = captured(db, lambda: web.get(f"/vien-tro/{item.id}"))
    _children(app, db, user, item, 1, 6)
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "bc6.pdf" in page and "tep6.pdf" in page and "Đoàn 6" in page
    many = captured(db, lambda: web.get(f"/vien-tro/{item.id}"))
    assert len(many) == len(few)
    # The files of the item, its opinions, decisions and reports come in one query.
    assert sum(1 for s, _p in many if re.search(r"\bFROM attachment\b", s)) == 1
    assert len(many) <= 22


# --- 5. Text search index -----------------------------------------------------------------

TITLES = {
    "TS-1": "Dự án nước sạch xã Đắk Tô",
    "TS-2": "Trường học Kon Plông",
    "TS-3": "Y tế cộng đồng Sơn Tây",
    "TS-4": "Hỗ trợ sinh kế phụ nữ Đăk Glei",
}
SEARCHES = [
    "nuoc sach",
    "Đắk Tô",
    "dak to",
    "DAK",
    "y te",
    "truong hoc kon",
    "ho tro",
    "ts-3",
    "xa",
]


def test_title_search_same_results_and_trigram_index_on_postgresql(app, db, make_item):
    for code, title in TITLES.items():
        make_item(code, name=title)
    with app.app_context():
        for text in SEARCHES:
            words = fold(text).split()
            expected = sorted(
                code
                for code, title in TITLES.items()
                if all(w in fold(f"{code} {title}") for w in words)
            )
            found = db.session.scalars(
                sa.select(AidItem.code)
                .where(search_condition(AidItem.search_text, text), AidItem.code.in_(TITLES))
                .order_by(AidItem.code)
            ).all()
            assert found == expected, text
        assert db.session.get_bind().dialect.name != "postgresql" or all(
            f"ix_{table}_search_text_trgm" in plan_of(db, sa.select(model.id).where(condition))
            for table, model, condition in (
                ("aid_item", AidItem, search_condition(AidItem.search_text, "nuoc sach")),
                ("delegation", Delegation, search_condition(Delegation.search_text, "dak to")),
                ("organization", Organization, search_condition(Organization.search_text, "ngo")),
            )
        )


def plan_of(db, select) -> str:
    compiled = select.compile(dialect=db.session.get_bind().dialect)
    return plan(db, str(compiled), compiled.params)
