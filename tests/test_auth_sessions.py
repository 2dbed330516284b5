"""Sessions that can be ended (logout, password change, deactivation, an administrator),
a fresh session and CSRF token at login, remember-me cookies, and the `next` guard."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.models import AuditEntry
from app.core.web import safe_next
from tests.conftest import DEMO_PASSWORD, WebClient


def audit_actions(db, action):
    query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return db.session.scalars(query).all()  # in the order written ([-1]: the latest)


def copy_of(app, web, cookie_name):
    """Another browser holding a copy of `web`'s cookie (e.g. a stolen cookie)."""
    value = web.client.get_cookie(cookie_name).value
    thief = app.test_client()
    thief.set_cookie(cookie_name, value)
    return thief


def login_remembered(app, username):
    web = WebClient(app.test_client())
    token = web.csrf_token()
    response = web.client.post(
        "/dang-nhap",
        data={
            "csrf_token": token,
            "username": username,
            "password": DEMO_PASSWORD,
            "remember": "y",
        },
    )
    assert response.status_code == 302
    return web, response


def test_session_token_is_what_the_session_holds(app, login, user):
    web = login("planning.officer")
    officer = user("planning.officer")
    with web.client.session_transaction() as session:
        assert session["_user_id"] == officer.session_token
    assert officer.get_id() == officer.session_token and len(officer.session_token) >= 40
    assert officer.session_token != user("police.officer").session_token


def test_copied_session_cookie_fails_after_logout(app, login, db, user):
    web = login("police.officer")
    thief = copy_of(app, web, "session")
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    token_before = user("police.officer").session_token
    assert web.logout().status_code == 302
    assert thief.get("/").status_code == 302
    assert "/dang-nhap" in thief.get("/").location
    assert user("police.officer").session_token != token_before
    entry = audit_actions(db, "auth.logout")[-1]
    assert entry.username == "police.officer"


def test_logout_ends_the_users_other_sessions(login):
    office = login("finance.officer")
    home = login("finance.officer")
    assert home.get("/").status_code == 200
    office.logout()
    assert home.get("/").status_code == 302


def test_remember_cookie_lasts_14_days_lax_httponly(app, db):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    _, response = login_remembered(app, "leadership.viewer")
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember and "Expires=" in remember
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_remember_cookie_fails_after_password_change(app, db, user):
    web, _ = login_remembered(app, "police.viewer")
    returning = copy_of(app, web, "remember_token")
    assert returning.get("/").status_code == 200  # remember-me alone signs in
    copied_session = copy_of(app, web, "session")
    changed = web.post(
        "/doi-mat-khau",
        {"current_password": DEMO_PASSWORD, "new_password": "moi-12345", "confirm": "moi-12345"},
    )
    assert changed.status_code == 302
    assert "Các phiên đăng nhập khác đã kết thúc" in web.get("/").get_data(as_text=True)
    assert web.get("/").status_code == 200  # the session that changed it goes on
    assert copy_of(app, web, "remember_token").get("/").status_code == 200  # re-issued
    stale = app.test_client()
    stale.set_cookie("remember_token", returning.get_cookie("remember_token").value)
    assert stale.get("/").status_code == 302
    assert copied_session.get("/").status_code == 302
    assert audit_actions(db, "user.password_changed")[-1].user.username == "police.viewer"


def test_admin_ends_all_sessions(app, login, db, user):
    victim, _ = login_remembered(app, "planning.officer")
    returning = copy_of(app, victim, "remember_token")
    admin = login("admin")
    target = user("planning.officer")
    page = admin.get(f"/quan-tri/nguoi-dung/{target.id}").get_data(as_text=True)
    assert "Kết thúc mọi phiên đăng nhập" in page
    response = admin.post(f"/quan-tri/nguoi-dung/{target.id}/ket-thuc-phien")
    assert response.status_code == 302
    assert "Đã kết thúc mọi phiên" in admin.get(response.location).get_data(as_text=True)
    assert victim.get("/").status_code == 302
    assert returning.get("/").status_code == 302
    entry = audit_actions(db, "user.sessions_ended")[-1]
    assert entry.object_id == str(target.id) and entry.user.username == "admin"
    assert login("planning.officer").get("/").status_code == 200  # a new login works


def test_only_admins_end_sessions(login, user):
    officer = login("police.officer")
    target = user("planning.officer")
    assert officer.post(f"/quan-tri/nguoi-dung/{target.id}/ket-thuc-phien").status_code == 403
    assert officer.post("/quan-tri/nguoi-dung/999999/ket-thuc-phien").status_code == 403
    assert login("admin").post("/quan-tri/nguoi-dung/999999/ket-thuc-phien").status_code == 404


def _edit(admin, target, **changes):
    data = {
        "username": target.username,
        "full_name": target.full_name,
        "agency_id": target.agency_id,
        "role": target.role.value,
        "active": "y",
        "version": target.version,
    }
    data.update(changes)
    return admin.post(f"/quan-tri/nguoi-dung/{target.id}", {k: v for k, v in data.items() if v})


def test_deactivation_and_admin_password_reset_end_sessions(app, login, db, user):
    victim = login("other.officer")
    admin = login("admin")
    assert _edit(admin, user("other.officer"), password="dat-lai-123").status_code == 302
    assert victim.get("/").status_code == 302
    entry = audit_actions(db, "user.sessions_ended")[-1]
    assert "đổi mật khẩu" in entry.summary
    victim = WebClient(app.test_client())
    assert victim.login("other.officer", "dat-lai-123").status_code == 302
    assert _edit(admin, user("other.officer"), active=None).status_code == 302
    assert victim.get("/").status_code == 302
    assert "ngừng hoạt động" in audit_actions(db, "user.sessions_ended")[-1].summary


def test_admin_changing_own_password_stays_signed_in(login, user):
    admin = login("admin")
    assert _edit(admin, user("admin"), password="quan-tri-moi-1").status_code == 302
    assert admin.get("/quan-tri/nguoi-dung").status_code == 200


def test_inactive_agency_ends_loaded_sessions(login, db, user):
    web = login("finance.viewer")
    user("finance.viewer").agency.active = False
    db.session.commit()
    assert web.get("/").status_code == 302


def test_login_starts_a_fresh_session_and_csrf_token(web, db):
    web.get("/dang-nhap")
    with web.client.session_transaction() as session:
        session["planted"] = "by someone else"
        token_before = session["csrf_token"]
    signed_before = web.csrf_token("/dang-nhap")
    assert web.login("planning.viewer").status_code == 302
    with web.client.session_transaction() as session:
        assert "planted" not in session
        token_after = session.get("csrf_token")
    web.get("/")  # a page with a form makes the new token
    with web.client.session_transaction() as session:
        token_after = session["csrf_token"]
    assert token_after != token_before
    # A form rendered before login is refused after it.
    response = web.client.post("/dang-xuat", data={"csrf_token": signed_before})
    assert response.status_code == 400
    assert web.get("/").status_code == 200
    assert web.logout().status_code == 302


@pytest.mark.parametrize(
    "target",
    ["/\r\nX", "/\nSet-Cookie:x=1", "//evil", "https://evil", "/\\evil", "%0d%0a", "/\t/evil"],
)
def test_unsafe_next_falls_back_home(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/doan?page=2", "/vien-tro/3#x", "/%0d%0a", "/tìm"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize("target", ["/\r\nX", "//evil", "https://evil", "/\\evil", "%0d%0a"])
def test_login_with_unsafe_next_goes_home(web, target):
    token = web.csrf_token()
    response = web.client.post(
        "/dang-nhap",
        query_string={"next": target},
        data={"csrf_token": token, "username": "admin", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302 and response.location == "/"


def test_login_with_local_next_goes_there(web):
    token = web.csrf_token()
    response = web.client.post(
        "/dang-nhap?next=%2Fdoan%3Fpage%3D2",
        data={"csrf_token": token, "username": "admin", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302 and response.location == "/doan?page=2"


def test_login_page_with_control_characters_in_next_renders(web):
    response = web.get("/dang-nhap", query_string={"next": "/\r\nX"})
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Đăng nhập", response.get_data(as_text=True))
