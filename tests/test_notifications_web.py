"""The notifications in the browser's HTTP: the badge in the navigation, the page (list,
filters), opening one (marked read, then its record), marking all read, another agency's
refused; the badge costs one query whatever the number of notifications."""

import re

import sqlalchemy as sa

from app.auth.models import Agency
from app.notifications import services
from app.notifications.models import Notification
from app.notifications.states import NotificationKind as K
from tests.test_stats_web import selects

BADGE = re.compile(r'data-testid="notification-badge">(\d+)<')
ROW = re.compile(r'data-testid="notification-\d+"')


def rows(page: str) -> int:
    return len(ROW.findall(page))


def badge(web) -> int:
    match = BADGE.search(web.get("/").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def agency_id(db, code: str) -> int:
    return db.session.scalar(sa.select(Agency.id).where(Agency.code == code))


def add(app, db, code: str, count: int = 1, kind=K.OVERDUE, **fields) -> list[int]:
    with app.app_context():
        made = [
            services.notify(agency_id(db, code), kind, f"Thông báo {code} {i}", **fields)
            for i in range(count)
        ]
        db.session.commit()
        return [n.id for n in made]


def test_opinion_request_shows_in_the_police_badge_and_opens_the_item(app, db, login, make_item):
    item = make_item("VT-W1")
    planner = login("planning.officer")
    police = login("police.officer")
    assert badge(police) == 0
    response = planner.post(
        f"/vien-tro/{item.id}/buoc/request_opinions",
        {"agency_ids": [str(agency_id(db, "CAT"))], "note": "Xin ý kiến"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert badge(police) == 1
    assert badge(login("police.viewer")) == 1  # every user of the agency
    assert badge(login("foreign_affairs.officer")) == 0
    page = police.get("/thong-bao/").get_data(as_text=True)
    assert "Xin ý kiến về khoản viện trợ VT-W1" in page and "Chưa đọc" in page
    notification = db.session.scalars(sa.select(Notification)).one()
    opened = police.post(f"/thong-bao/{notification.id}/doc")
    assert opened.status_code == 302 and opened.location.endswith(f"/vien-tro/{item.id}")
    assert badge(police) == 0
    assert badge(login("police.viewer")) == 1  # read per user


def test_opening_needs_the_csrf_token(app, db, login):
    (nid,) = add(app, db, "CAT")
    police = login("police.officer")
    assert police.post(f"/thong-bao/{nid}/doc", csrf=False).status_code == 400
    assert badge(police) == 1


def test_another_agencys_notification_cannot_be_opened(app, db, login):
    (nid,) = add(app, db, "CAT")
    fa = login("foreign_affairs.officer")
    assert fa.post(f"/thong-bao/{nid}/doc").status_code == 404
    assert "Thông báo CAT 0" not in fa.get("/thong-bao/").get_data(as_text=True)
    assert badge(login("police.officer")) == 1  # still unread for the police


def test_a_users_own_notification_is_not_shown_to_colleagues(app, db, login, user):
    with app.app_context():
        officer = user("police.officer")
        services.notify(
            officer.agency_id, K.JOB_FINISHED, "Đã xong: xuất dữ liệu", user_id=officer.id
        )
        db.session.commit()
    assert badge(login("police.officer")) == 1
    assert badge(login("police.viewer")) == 0


def test_page_filters_and_mark_all_read(app, db, login):
    add(app, db, "CAT", 2, K.OVERDUE)
    add(app, db, "CAT", 1, K.DUE_SOON)
    police = login("police.officer")
    page = police.get("/thong-bao/?kind=due_soon").get_data(as_text=True)
    assert rows(page) == 1
    response = police.post("/thong-bao/doc-tat-ca")
    assert response.status_code == 302
    assert "Đã đánh dấu 3 thông báo là đã đọc." in police.get("/thong-bao/").get_data(as_text=True)
    assert badge(police) == 0
    unread = police.get("/thong-bao/?unread=1").get_data(as_text=True)
    assert "Không có thông báo nào theo bộ lọc này" in unread
    assert police.get("/thong-bao/?kind=nonsense&page=abc").status_code == 200


def test_the_page_is_paginated_by_plain_links(app, db, login):
    add(app, db, "CAT", 30)
    police = login("police.officer")
    first = police.get("/thong-bao/").get_data(as_text=True)
    assert rows(first) == 25 and "page=2" in first
    second = police.get("/thong-bao/?page=2").get_data(as_text=True)
    assert rows(second) == 5


def test_signed_out_users_are_sent_to_the_login(web):
    assert web.get("/thong-bao/").status_code == 302


def test_the_badge_costs_one_query_whatever_the_number(app, db, login):
    add(app, db, "CAT", 2)
    police = login("police.officer")
    few_home = selects(db, lambda: police.get("/"))
    few_page = selects(db, lambda: police.get("/thong-bao/"))
    ids = add(app, db, "CAT", 40)
    with app.app_context():
        services.mark_read(db.session.get(Notification, ids[0]), user=_user(db, "police.officer"))
        db.session.commit()
    many_home = selects(db, lambda: police.get("/"))
    many_page = selects(db, lambda: police.get("/thong-bao/"))
    assert len(few_home) == len(many_home)
    assert len(few_page) == len(many_page)
    counts = [s for s in many_home if "notification" in s]
    assert len(counts) == 1 and "count(" in counts[0].lower()
    # the user; the badge; the page's count and rows; which of them the user has read
    assert len(many_page) == 5


def test_the_badge_is_not_asked_when_signed_out(app, db, web):
    statements = selects(db, lambda: web.get("/dang-nhap"))
    assert not [s for s in statements if "notification" in s]


def _user(db, username):
    from app.auth.models import User

    return db.session.scalar(sa.select(User).where(User.username == username))


def test_a_finished_export_job_notifies_its_user_only(app, db, login):
    planner = login("planning.officer")
    response = planner.post("/du-lieu/xuat")
    assert response.status_code in (302, 303)
    assert badge(planner) == 1
    assert badge(login("planning.viewer")) == 0
    page = planner.get("/thong-bao/?kind=job_finished").get_data(as_text=True)
    assert "Đã xong: Xuất toàn bộ dữ liệu" in page
