"""Login throttling: per account and per address, in the database, audited, unlockable."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth import throttle
from app.auth.models import LoginFailure
from app.core.models import AuditEntry, utcnow
from tests.conftest import DEMO_PASSWORD, WebClient

LOCKED = "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa."
GENERIC = "Tên đăng nhập hoặc mật khẩu không đúng."


def attempt(web, username, password="sai-mat-khau", ip=None):  # noqa: S107
    token = web.csrf_token()
    return web.client.post(
        "/dang-nhap",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip} if ip else {},
    )


def actions(db, action):
    query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return db.session.scalars(query).all()


def add_failures(db, count, username="x", ip="127.0.0.1", minutes_ago=0):
    at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add_all(LoginFailure(at=at, username=username, ip=ip) for _ in range(count))
    db.session.commit()


def age_failures(db, minutes):
    for failure in db.session.scalars(sa.select(LoginFailure)):
        failure.at = failure.at - timedelta(minutes=minutes)
    db.session.commit()


def test_settings_have_the_documented_defaults(app):
    assert app.config["LOGIN_MAX_FAILURES_USER"] == 5
    assert app.config["LOGIN_MAX_FAILURES_IP"] == 20
    assert app.config["LOGIN_WINDOW_MINUTES"] == 15
    assert app.config["LOGIN_LOCK_MINUTES"] == 15


def test_five_failures_lock_the_account_even_for_the_right_password(web, db):
    for _ in range(5):
        response = attempt(web, "planning.officer")
        assert response.status_code == 401
        assert GENERIC in response.get_data(as_text=True)
    locked = attempt(web, "planning.officer", DEMO_PASSWORD)
    assert locked.status_code == 429
    body = locked.get_data(as_text=True)
    assert LOCKED in body and "15 phút" in body
    assert web.get("/").status_code == 302  # not signed in
    assert len(actions(db, "auth.login_failed")) == 5
    assert [e.username for e in actions(db, "auth.account_locked")] == ["planning.officer"]
    refused = actions(db, "auth.login_locked")
    assert len(refused) == 1 and refused[0].username == "planning.officer"
    # Another account from the same address is not affected.
    assert attempt(web, "police.officer", DEMO_PASSWORD).status_code == 302


def test_unknown_names_lock_the_same_way(web):
    for _ in range(5):
        assert attempt(web, "khong.co.ai").status_code == 401
    locked = attempt(web, "khong.co.ai")
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)


def test_lock_ends_after_the_lock_time(web, db):
    for _ in range(5):
        attempt(web, "finance.officer")
    assert attempt(web, "finance.officer", DEMO_PASSWORD).status_code == 429
    age_failures(db, 16)
    assert attempt(web, "finance.officer", DEMO_PASSWORD).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(web, db):
    add_failures(db, 4, username="police.viewer", minutes_ago=20)
    assert attempt(web, "police.viewer").status_code == 401
    assert attempt(web, "police.viewer", DEMO_PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_count(web, db):
    add_failures(db, 4, username="leadership.viewer")
    assert attempt(web, "leadership.viewer", DEMO_PASSWORD).status_code == 302
    web.logout()
    for _ in range(4):
        assert attempt(web, "leadership.viewer").status_code == 401
    assert attempt(web, "leadership.viewer", DEMO_PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_make_its_failures_wait(web, db):
    add_failures(db, 19, username="someone", ip="127.0.0.1")
    twentieth = attempt(web, "no.such.name")
    assert twentieth.status_code == 401
    assert len(actions(db, "auth.address_locked")) == 1  # the lock starts, audited once
    refused = attempt(web, "other.name")  # the 21st failure from the address
    assert refused.status_code == 429 and LOCKED in refused.get_data(as_text=True)
    assert len(actions(db, "auth.address_locked")) == 1
    # An office shares one address: a correct password for an unlocked account still works.
    assert attempt(web, "planning.viewer", DEMO_PASSWORD).status_code == 302
    # Failures from another address are not counted against it.
    web.logout()
    assert attempt(web, "other.name", ip="10.1.2.3").status_code == 401


def test_refused_address_attempts_still_count_for_the_account(web, db):
    add_failures(db, 20, username="someone", ip="127.0.0.1")
    for _ in range(5):
        assert attempt(web, "other.viewer").status_code == 429
    # The account itself is now locked: its right password waits too.
    assert attempt(web, "other.viewer", DEMO_PASSWORD, ip="10.9.9.9").status_code == 429


def test_admin_unlocks_an_account(app, login, db, user):
    web = WebClient(app.test_client())  # not the `web` fixture: it keeps its context pushed
    for _ in range(5):
        attempt(web, "other.officer")
    assert attempt(web, "other.officer", DEMO_PASSWORD).status_code == 429
    target = user("other.officer")
    officer = login("police.officer")
    assert officer.post(f"/quan-tri/nguoi-dung/{target.id}/mo-khoa").status_code == 403
    admin = login("admin")
    page = admin.get(f"/quan-tri/nguoi-dung/{target.id}").get_data(as_text=True)
    assert "đang tạm khóa" in page and "Mở khóa đăng nhập" in page
    listed = admin.get("/quan-tri/nguoi-dung?q=other").get_data(as_text=True)
    assert listed.count('data-testid="login-locked"') == 1  # other.officer, not other.viewer
    response = admin.post(f"/quan-tri/nguoi-dung/{target.id}/mo-khoa")
    assert response.status_code == 302
    page = admin.get(response.location).get_data(as_text=True)
    assert "Đã mở khóa đăng nhập" in page and "đang tạm khóa" not in page
    listed = admin.get("/quan-tri/nguoi-dung?q=other").get_data(as_text=True)
    assert 'data-testid="login-locked"' not in listed
    entry = actions(db, "user.login_unlocked")[-1]
    assert entry.object_id == str(target.id) and entry.user.username == "admin"
    assert attempt(web, "other.officer", DEMO_PASSWORD).status_code == 302


def test_unknown_name_runs_a_password_hash(web, monkeypatch):
    calls = []
    real = throttle.check_password_hash
    monkeypatch.setattr(throttle, "check_password_hash", lambda h, p: calls.append(p) or real(h, p))
    assert attempt(web, "khong.ton.tai", "mat-khau-bat-ky").status_code == 401
    assert calls == ["mat-khau-bat-ky"]


def test_old_failures_are_pruned(app_ctx, db):
    add_failures(db, 3, username="old", minutes_ago=60 * 25)
    throttle.record_failure("new", "10.0.0.1")
    names = db.session.scalars(sa.select(LoginFailure.username)).all()
    assert names == ["new"]


def test_a_zero_limit_turns_the_rule_off(app, app_ctx, db, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_USER", 0)
    add_failures(db, 3, username="z")
    assert throttle.account_locked_until("z") is None
