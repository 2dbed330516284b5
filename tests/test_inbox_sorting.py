"""Both inboxes (aid, delegations) sort, filter, page and mark overdue work (issue 14,
part 6): the due date on every row with "Quá hạn" / "Sắp đến hạn" badges by the deadline
notifications' own rule, sort links (overdue first by default), the overdue filter, the
diacritics-free search, the box filter, exports that follow them, bounded queries.

"Today" is fixed at Tuesday 10/06/2025: "due soon" runs to Thursday 12/06/2025."""

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.aid.models import AidItem, Opinion
from app.aid.states import AidStatus
from app.auth.models import User
from app.delegations.states import DelegationStatus
from app.notifications.deadlines import run_deadlines
from app.notifications.models import Notification
from app.notifications.states import NotificationKind as K
from tests.fixtures.delegations import insert_delegations
from tests.test_stats_web import selects

TODAY = date(2025, 6, 10)
AID_INBOX = "/vien-tro/viec-can-xu-ly"
DELEGATION_INBOX = "/doan/viec-can-xu-ly"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    import app.aid.views.items as aid_views
    import app.delegations.views.pages as delegation_views

    monkeypatch.setattr(aid_views, "today_vn", lambda: TODAY)
    monkeypatch.setattr(delegation_views, "today_vn", lambda: TODAY)


def codes(page: str, testid: str) -> list[str]:
    """The codes of a box's rows, in the page's order."""
    if f'data-testid="{testid}"' not in page:
        return []
    table = page.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return re.findall(r'<tr[^>]*data-code="([^"]+)"', table)


def row(page: str, code: str) -> str:
    return page.split(f'data-code="{code}"')[1].split("</tr>")[0]


def sort_link(page: str, key: str) -> str:
    found = re.search(rf'data-sort="{key}" href="([^"]+)"', page)
    assert found, f"no sort link {key}"
    return found.group(1).replace("&amp;", "&")


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- The aid inbox: the police officer's opinions to give ----------------------------------

# code: (name, requested on, due on) of the police's opinion on the item
OPINIONS = {
    "SX-3": ("Dự án nước sạch", date(2025, 5, 1), date(2025, 6, 2)),  # overdue
    "SX-1": ("Trường học Đắk Tô", date(2025, 5, 20), date(2025, 6, 11)),  # due soon
    "SX-2": ("Trạm y tế", date(2025, 5, 10), date(2025, 7, 1)),  # later
}


@pytest.fixture
def opinions(make_item, db):
    for code, (name, *_dates) in OPINIONS.items():
        make_item(code, status=AidStatus.XIN_Y_KIEN, name=name)
    police = db.session.scalar(sa.select(User).where(User.username == "police.officer"))
    rows = db.session.execute(
        sa.select(Opinion, AidItem.code)
        .join(AidItem, Opinion.aid_item_id == AidItem.id)
        .where(Opinion.agency_id == police.agency_id)
    ).all()
    for opinion, code in rows:
        opinion.requested_on, opinion.due_on = OPINIONS[code][1:]
    db.session.commit()
    return {code: opinion for opinion, code in rows}


def test_aid_inbox_overdue_first_badges_and_sort_links(opinions, login):
    web = login("police.officer")
    page = web.get(AID_INBOX).get_data(as_text=True)
    assert codes(page, "opinions-inbox") == ["SX-3", "SX-1", "SX-2"]  # overdue, soon, later
    late, soon, later = row(page, "SX-3"), row(page, "SX-1"), row(page, "SX-2")
    assert "02/06/2025" in late and 'data-testid="badge-overdue">Quá hạn' in late
    assert "11/06/2025" in soon and 'data-testid="badge-soon">Sắp đến hạn' in soon
    assert "badge-overdue" not in soon and "badge-" not in later and "01/07/2025" in later
    assert "Hạn xử lý" in page

    by_due_desc = web.get(sort_link(page, "han")).get_data(as_text=True)  # active: reverses
    assert codes(by_due_desc, "opinions-inbox") == ["SX-2", "SX-1", "SX-3"]
    newest = web.get(sort_link(page, "nhan")).get_data(as_text=True)  # newest first
    assert codes(newest, "opinions-inbox") == ["SX-1", "SX-2", "SX-3"]
    oldest = web.get(sort_link(newest, "nhan")).get_data(as_text=True)
    assert codes(oldest, "opinions-inbox") == ["SX-3", "SX-2", "SX-1"]
    by_code = web.get(sort_link(page, "ma")).get_data(as_text=True)
    assert codes(by_code, "opinions-inbox") == ["SX-1", "SX-2", "SX-3"]
    bad = web.get(f"{AID_INBOX}?sap_xep=;drop&trang_y_kien=abc").get_data(as_text=True)
    assert codes(bad, "opinions-inbox") == ["SX-3", "SX-1", "SX-2"]  # the default


def test_aid_inbox_filters_and_export_follow_them(opinions, login):
    web = login("police.officer")
    page = web.get(f"{AID_INBOX}?qua_han=1").get_data(as_text=True)
    assert codes(page, "opinions-inbox") == ["SX-3"]
    assert 'name="qua_han" value="1" checked' in page
    found = web.get(f"{AID_INBOX}?q=truong+hoc+dak+to").get_data(as_text=True)
    assert codes(found, "opinions-inbox") == ["SX-1"]  # diacritics ignored
    assert codes(web.get(f"{AID_INBOX}?q=khong+co").get_data(as_text=True), "opinions-inbox") == []

    rows = csv_rows(web.get(f"{AID_INBOX}/xuat.csv?qua_han=1"))
    header = rows[0]
    assert {"Hạn xử lý", "Quá hạn"} <= set(header)
    listed = [r for r in rows[1:] if r[header.index("Nhóm việc")] == "Ý kiến cần góp ý"]
    assert [r[header.index("Mã khoản viện trợ")] for r in listed] == ["SX-3"]
    assert listed[0][header.index("Hạn xử lý")] == "02/06/2025"
    assert listed[0][header.index("Quá hạn")] == "có"
    everything = csv_rows(web.get(f"{AID_INBOX}/xuat.csv?sap_xep=ma"))
    code = everything[0].index("Mã khoản viện trợ")
    assert [r[code] for r in everything[1:]] == ["SX-1", "SX-2", "SX-3"]  # the page's order


def test_badges_agree_with_the_deadline_notifications(opinions, app, db):
    with app.app_context():
        run_deadlines(TODAY)
        made = db.session.execute(
            sa.select(Notification.record_id, Notification.kind).where(
                Notification.record_type == "opinion",
                Notification.kind.in_([K.OVERDUE, K.DUE_SOON]),
            )
        ).all()
    kinds = {record_id: kind for record_id, kind in made}
    assert kinds.get(opinions["SX-3"].id) == K.OVERDUE
    assert kinds.get(opinions["SX-1"].id) == K.DUE_SOON
    assert opinions["SX-2"].id not in kinds


def test_aid_inbox_queries_bounded_and_paged(make_item, login, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for i in range(3):
        make_item(f"QB-{i}", status=AidStatus.XIN_Y_KIEN)
    web = login("police.officer")
    few = selects(db, lambda: web.get(AID_INBOX))
    for i in range(3, 9):
        make_item(f"QB-{i}", status=AidStatus.XIN_Y_KIEN)
    many = selects(db, lambda: web.get(AID_INBOX))
    assert len(few) == len(many)
    page = web.get(AID_INBOX).get_data(as_text=True)
    assert len(codes(page, "opinions-inbox")) == 2 and "trang_y_kien=5" in page
    last = web.get(f"{AID_INBOX}?trang_y_kien=5").get_data(as_text=True)
    assert len(codes(last, "opinions-inbox")) == 1


# --- The delegations inbox: the police's reviews to give -----------------------------------


@pytest.fixture
def reviews(db):
    under_review = DelegationStatus.DANG_XEM_XET
    for prefix, start, sent, title in (
        ("DX", date(2025, 6, 5), date(2025, 5, 1), "doan kiem tra"),  # arrived: overdue
        ("DY", date(2025, 6, 12), date(2025, 5, 20), "doan truong hoc dak to"),  # soon
        ("DZ", date(2025, 7, 15), date(2025, 5, 10), "doan khao sat"),
    ):
        insert_delegations(
            db,
            1,
            prefix=prefix,
            status=under_review,
            start_on=start,
            submitted_on=sent,
            search_text=title,
        )
    db.session.commit()


def test_delegation_inbox_sorts_filters_marks_and_exports(reviews, login, db):
    web = login("police.officer")
    page = web.get(DELEGATION_INBOX).get_data(as_text=True)
    assert codes(page, "to-review") == ["DX0000", "DY0000", "DZ0000"]
    assert 'data-testid="badge-overdue">Quá hạn' in row(page, "DX0000")
    assert "05/06/2025" in row(page, "DX0000")
    assert 'data-testid="badge-soon">Sắp đến hạn' in row(page, "DY0000")
    assert "badge-" not in row(page, "DZ0000")
    newest = web.get(sort_link(page, "nhan")).get_data(as_text=True)
    assert codes(newest, "to-review") == ["DY0000", "DZ0000", "DX0000"]
    by_code_desc = web.get(f"{DELEGATION_INBOX}?sap_xep=-ma").get_data(as_text=True)
    assert codes(by_code_desc, "to-review") == ["DZ0000", "DY0000", "DX0000"]
    late = web.get(f"{DELEGATION_INBOX}?qua_han=1").get_data(as_text=True)
    assert codes(late, "to-review") == ["DX0000"]
    found = web.get(f"{DELEGATION_INBOX}?q=Trường+Học").get_data(as_text=True)
    assert codes(found, "to-review") == ["DY0000"]
    only_permits = web.get(f"{DELEGATION_INBOX}?hop=permits_needed").get_data(as_text=True)
    assert 'data-testid="to-review"' not in only_permits
    assert codes(only_permits, "permits-needed") == []

    rows = csv_rows(web.get(f"{DELEGATION_INBOX}/xuat.csv?qua_han=1"))
    header = rows[0]
    assert {"Hạn xử lý", "Quá hạn"} <= set(header)
    assert [r[header.index("Mã đoàn")] for r in rows[1:]] == ["DX0000"]
    assert rows[1][header.index("Hạn xử lý")] == "05/06/2025"
    assert rows[1][header.index("Quá hạn")] == "có"


def test_delegation_inbox_queries_bounded(login, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    insert_delegations(db, 3, prefix="QA", status=DelegationStatus.DANG_XEM_XET)
    db.session.commit()
    web = login("police.officer")
    few = selects(db, lambda: web.get(DELEGATION_INBOX))
    insert_delegations(db, 30, prefix="QC", status=DelegationStatus.DANG_XEM_XET)
    db.session.commit()
    many = selects(db, lambda: web.get(DELEGATION_INBOX))
    assert len(few) == len(many)
    page = web.get(DELEGATION_INBOX).get_data(as_text=True)
    assert len(codes(page, "to-review")) == 5 and "trang_to_review=7" in page
