"""Issue 15, item 3: constant work per page. The lists' bounded count, keyset "Sau ›" and
"‹ Trước" links (the same rows as the numbered pages), the bound on numbered pages, the
donor filter's options rendered once per content, and the aid item page's statements."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid import services as aid_services
from app.aid.models import AidDonor, AidItem, Disbursement
from app.aid.services import money
from app.aid.states import AidStatus
from app.delegations import services as delegation_services
from app.orgs.models import Organization
from tests.fixtures.delegations import delegation_input
from tests.fixtures.orgs import new_org
from tests.test_delegations_services import host  # noqa: F401 (fixture)
from tests.test_issue15_queries import _children, captured

ITEMS = 11
PAGE = 4


@pytest.fixture
def listed(app, db):
    """ITEMS items of one new donor, with ties on the received date and the value and
    NULL decision dates, so every sort needs the id to break ties. Pages of PAGE rows."""
    with app.app_context():
        donor = new_org(db, "KS-DONOR")
        for i in range(ITEMS):
            item = AidItem(
                code=f"KS-{i:03d}",
                name=f"Khoản {i % 3}",
                modality="phi_du_an",
                value=1000 * (i % 4),
                currency="VND",
                value_vnd=1000 * (i % 4),
                status=AidStatus.TIEP_NHAN,
                search_text=f"ks-{i:03d}",
                main_donor_id=donor.id,
                dossier_received_on=date(2025, 1, 1) + timedelta(days=i % 2),
                decision_date=None if i % 3 else date(2025, 3, 1) + timedelta(days=i % 2),
            )
            db.session.add(item)
            db.session.flush()
            db.session.add(AidDonor(aid_item_id=item.id, organization_id=donor.id, position=0))
        db.session.commit()
        donor_id = donor.id
    app.config["PAGE_SIZE"] = PAGE
    yield donor_id
    app.config["PAGE_SIZE"] = 25


def codes(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r">(KS-\d{3})<", page)))


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"#]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


SORTS = ["", "decision", "-decision", "value", "-value", "name", "-name", "received", "status"]


def test_keyset_pages_are_the_numbered_pages(login, listed):
    web = login("planning.officer")
    for sort in SORTS:
        base = f"/vien-tro/?donor={listed}&sort={sort}"
        by_offset = [codes(web.get(f"{base}&page={n}").get_data(as_text=True)) for n in (1, 2, 3)]
        assert sum(len(p) for p in by_offset) == ITEMS, sort
        first = web.get(base).get_data(as_text=True)
        assert "Hiển thị 1–4 / 11 bản ghi" in first
        second_url = link(first, "next")
        assert "sau=" in second_url and "page=2" in second_url, sort
        second = web.get(second_url).get_data(as_text=True)
        assert codes(second) == by_offset[1], sort
        third = web.get(link(second, "next")).get_data(as_text=True)
        assert codes(third) == by_offset[2], sort
        assert link(third, "next") is None, sort  # the last page
        back = link(third, "prev")
        assert "truoc=" in back, sort
        assert codes(web.get(back).get_data(as_text=True)) == by_offset[1], sort


def test_sort_and_number_links_drop_the_keyset(login, listed):
    web = login("planning.officer")
    page = web.get(f"/vien-tro/?donor={listed}&page=2&sau=1").get_data(as_text=True)
    headers = re.findall(r'href="([^"]*sort=[^"]*)"', page)
    assert headers and not any("sau=" in h or "truoc=" in h for h in headers)
    numbers = re.findall(r'class="page-link" href="([^"]*)"[^>]*>\d+<', page)
    assert numbers and not any("sau=" in h for h in numbers)


def test_bounded_count_and_bounded_page_numbers(app, db, login, listed, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 5)
    web = login("planning.officer")
    base = f"/vien-tro/?donor={listed}"
    statements = captured(db, lambda: web.get(base))
    counts = [s for s, _p in statements if s.lstrip().upper().startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
    first = web.get(base).get_data(as_text=True)
    assert "Hiển thị 1–4 / hơn 5 bản ghi" in first
    # Numbered links as far as the counted rows (2 pages of 4); "Sau ›" goes on.
    assert re.findall(r'class="page-link" href="[^"]*"[^>]*>(\d+)<', first) == ["1", "2"]
    seen, url = [], base
    while url:
        page = web.get(url).get_data(as_text=True)
        seen += codes(page)
        url = link(page, "next")
    assert sorted(seen) == [f"KS-{i:03d}" for i in range(ITEMS)]
    # A numbered page beyond the counted rows: the last numbered one, with a note.
    deep = web.get(f"{base}&page=9")
    assert deep.status_code == 200
    text = deep.get_data(as_text=True)
    assert "Chỉ mở được theo số trang đến trang 2" in text and "Hiển thị 5–8" in text
    assert link(text, "next")  # and it still goes on


def test_a_bad_keyset_link_is_a_page_not_an_error(login, listed):
    web = login("planning.officer")
    for args in ("sau=abc", "sau=999999999", "truoc=-1", "sau=1&truoc=2", "page=x&sau=1"):
        assert web.get(f"/vien-tro/?donor={listed}&{args}").status_code == 200, args


def test_donor_filter_options_follow_every_change(app, db, login, listed):
    web = login("planning.officer")
    page = web.get(f"/vien-tro/?donor={listed}").get_data(as_text=True)
    assert f'<option value="{listed}" selected>KS-DONOR – ' in page
    assert page.count(" selected>") >= 1
    # Renamed behind the application's back (no timestamp, no audit): the next page shows it.
    with app.app_context():
        db.session.execute(
            sa.update(Organization).where(Organization.id == listed).values(name="Tên mới")
        )
        db.session.commit()
    page = web.get("/vien-tro/").get_data(as_text=True)
    assert f'<option value="{listed}">KS-DONOR – Tên mới</option>' in page
    assert f'<option value="{listed}" selected>' not in page
    with app.app_context():
        new_org(db, "KS-LATER")
        db.session.commit()
    assert "KS-LATER – " in web.get("/vien-tro/").get_data(as_text=True)


def test_aid_item_page_same_statements_with_1_or_20_children(app, login, db, user, make_item):
    item = make_item("DTQ-20", status=AidStatus.DANG_THUC_HIEN)
    _children(app, db, user, item, 0, 1)
    web = login("planning.officer")
    web.get(f"/vien-tro/{item.id}")
    few = captured(db, lambda: web.get(f"/vien-tro/{item.id}"))
    _children(app, db, user, item, 1, 19)
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "bc19.pdf" in page and "tep19.pdf" in page and "Đoàn 19" in page
    assert "5.000.000 ₫" in page  # 20 disbursements of 10 USD at 25,000
    many = captured(db, lambda: web.get(f"/vien-tro/{item.id}"))
    assert len(many) == len(few) <= 18
    # The totals come from the loaded disbursements, the closing report's guard from the
    # loaded reports: no aggregate over the disbursements, no report probe.
    assert not [s for s, _p in many if re.search(r"sum\(disbursement", s)]
    assert not [s for s, _p in many if re.search(r"SELECT aid_report.id\s+FROM", s)]


def test_totals_from_loaded_rows_are_the_sql_totals(app, db, user, make_item):
    item = make_item("DTQ-SUM", status=AidStatus.DANG_THUC_HIEN, currency="USD")
    with app.app_context():
        it, planner = db.session.merge(item), user("planning.officer")
        for day, amount, currency, rate in (
            (date(2025, 5, 1), "10.50", "USD", "25000"),
            (date(2025, 6, 1), "3000000", "VND", None),
            (date(2026, 1, 2), "7.25", "EUR", "27000.5"),
            (date(2026, 2, 3), "1.10", "USD", "25100"),
        ):
            aid_services.add_disbursement(
                it, day, Decimal(amount), currency,
                rate_vnd=Decimal(rate) if rate else None, user=planner,
            )  # fmt: skip
        db.session.flush()
        rows = db.session.scalars(sa.select(Disbursement).where(Disbursement.aid_item_id == it.id))
        rows = list(rows)
        rows[-1].archived_at = rows[-1].created_at  # an archived one is left out
        db.session.flush()
        total_vnd, total, by_year = money.sums_of(it, rows)
        sql_total = db.session.scalar(
            sa.select(sa.func.sum(Disbursement.value_vnd)).where(
                Disbursement.aid_item_id == it.id, Disbursement.archived_at.is_(None)
            )
        )
        assert total_vnd == int(sql_total)
        assert total == money.disbursed(it)
        assert by_year == money.disbursed_by_year(it)
        db.session.rollback()


def test_a_list_whose_order_a_keyset_cannot_follow_keeps_offset_links(app, db, login, listed):
    with app.app_context():
        for i, country in enumerate(["DE", "FR", "JP", "KR", "US", "DE", "FR"]):
            new_org(db, f"KS-ORG-{i}", country=country, name=f"KS Org {i}")
        db.session.commit()
    web = login("planning.officer")
    by_name = web.get("/to-chuc/?q=ks").get_data(as_text=True)
    assert "sau=" in link(by_name, "next")  # name, then id: a keyset
    by_country = web.get("/to-chuc/?q=ks&sort=country").get_data(as_text=True)
    following = link(by_country, "next")  # a CASE over the country names: OFFSET
    assert "page=2" in following and "sau=" not in following
    assert web.get(following).status_code == 200


def test_delegation_list_keyset_pages_are_the_numbered_pages(app, db, login, listed, host):  # noqa: F811
    with app.app_context():
        for i in range(6):  # two titles, so the sort by title needs the id's tie-break
            title = f"Đoàn phân trang {i % 2}"
            delegation_services.create_delegation(
                delegation_input(f"KS-D{i}", title=title), user=db.session.merge(host)
            )
        db.session.commit()
    web = login("other.officer")  # the drafts' author agency sees them
    rows = re.compile(r'href="/doan/(\d+)"')
    for sort in ("title", "-title", "", "status"):
        base = f"/doan/?q=phan+trang&sort={sort}"
        following = link(web.get(base).get_data(as_text=True), "next")
        assert following and "sau=" in following, sort
        offset = rows.findall(web.get(f"{base}&page=2").get_data(as_text=True))
        assert offset and rows.findall(web.get(following).get_data(as_text=True)) == offset
