"""Logins, password changes, and the administrators' user and agency pages."""

import sqlalchemy as sa

from app.auth.models import Agency, User
from app.core.models import AuditEntry


def audit_actions(db, **filters):
    query = sa.select(AuditEntry.action).order_by(AuditEntry.id)
    for name, value in filters.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return db.session.scalars(query).all()


def test_pages_require_login(web):
    for url in ["/", "/quan-tri/nguoi-dung", "/quan-tri/nhat-ky", "/doi-mat-khau"]:
        response = web.get(url)
        assert response.status_code == 302
        assert "/dang-nhap" in response.location


def test_login_success_is_audited_and_redirects_home(web, db, user):
    response = web.login("planning.officer")
    assert response.status_code == 302 and response.location == "/"
    page = web.get("/").get_data(as_text=True)
    assert "Xin chào" in page and "Cán bộ STC-VT" in page
    officer = user("planning.officer")
    assert officer.last_login_at is not None
    assert "auth.login" in audit_actions(db, user_id=officer.id)


def test_wrong_password_is_generic_and_audited(web, db):
    response = web.login("planning.officer", "wrong-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in body
    unknown = web.login("no.such.user", "whatever1")
    assert unknown.status_code == 401
    # Same message whether the user exists or not: no hint which part was wrong.
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in unknown.get_data(as_text=True)
    failed = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    ).all()
    assert {e.username for e in failed} >= {"planning.officer", "no.such.user"}
    assert web.get("/").status_code == 302  # still logged out


def test_login_with_empty_fields_shows_field_errors(web):
    token = web.csrf_token()
    response = web.client.post("/dang-nhap", data={"csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng nhập tên đăng nhập." in body and "Vui lòng nhập mật khẩu." in body


def test_deactivated_user_cannot_log_in(web, db, user):
    officer = user("finance.officer")
    officer.active = False
    db.session.commit()
    assert web.login("finance.officer").status_code == 401


def test_login_without_csrf_is_refused(web, db):
    response = web.client.post("/dang-nhap", data={"username": "admin", "password": "demo12345"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert audit_actions(db, action="auth.login") == []


def test_next_parameter_cannot_redirect_elsewhere(web):
    token = web.csrf_token()
    response = web.client.post(
        "/dang-nhap?next=//evil.example/x",
        data={"csrf_token": token, "username": "admin", "password": "demo12345"},
    )
    assert response.location == "/"


def test_logout_needs_post_with_csrf(login):
    web = login("police.officer")
    assert web.client.post("/dang-xuat").status_code == 400
    assert web.get("/").status_code == 200
    assert web.logout().status_code == 302
    assert web.get("/").status_code == 302


def test_change_password(login, db, user):
    web = login("police.viewer")
    wrong = web.post(
        "/doi-mat-khau",
        {"current_password": "nope-nope", "new_password": "moi-12345", "confirm": "moi-12345"},
    )
    assert wrong.status_code == 422
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    mismatch = web.post(
        "/doi-mat-khau",
        {"current_password": "demo12345", "new_password": "moi-12345", "confirm": "khac-12345"},
    )
    assert mismatch.status_code == 422
    assert "Hai mật khẩu mới không trùng nhau." in mismatch.get_data(as_text=True)
    ok = web.post(
        "/doi-mat-khau",
        {"current_password": "demo12345", "new_password": "moi-12345", "confirm": "moi-12345"},
    )
    assert ok.status_code == 302
    assert user("police.viewer").check_password("moi-12345")
    assert "user.password_changed" in audit_actions(db, object_id=str(user("police.viewer").id))


def test_officer_and_viewer_get_403_on_admin_pages(login, db):
    for username in ("planning.officer", "leadership.viewer"):
        web = login(username)
        assert web.get("/quan-tri/nguoi-dung").status_code == 403
        before = db.session.scalar(sa.select(sa.func.count(User.id)))
        response = web.post(
            "/quan-tri/nguoi-dung/moi",
            {
                "username": "hacker",
                "full_name": "X",
                "agency_id": "1",
                "role": "admin",
                "password": "12345678",
            },
        )
        assert response.status_code == 403
        assert "Chỉ quản trị hệ thống" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_admin_creates_user_audited(login, db):
    web = login("admin")
    agency = db.session.scalar(sa.select(Agency).where(Agency.kind == "police"))
    response = web.post(
        "/quan-tri/nguoi-dung/moi",
        {
            "username": "Tran.B",
            "full_name": "Trần Thị Bình",
            "agency_id": agency.id,
            "role": "officer",
            "active": "y",
            "password": "mat-khau-1",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(sa.select(User).where(User.username == "tran.b"))
    assert created.agency_id == agency.id and created.role == "officer"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "user.create", AuditEntry.object_id == str(created.id)
        )
    )
    assert entry.changes["full_name"] == [None, "Trần Thị Bình"]
    assert entry.user.username == "admin"
    # The list finds her ignoring diacritics.
    listing = web.get("/quan-tri/nguoi-dung?q=tran thi binh").get_data(as_text=True)
    assert "tran.b" in listing


def test_admin_user_form_errors_next_to_fields(login, db):
    web = login("admin")
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = web.post(
        "/quan-tri/nguoi-dung/moi",
        {
            "username": "Có Dấu",
            "full_name": "",
            "agency_id": "1",
            "role": "officer",
            "email": "not-an-email",
            "password": "123",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chỉ dùng chữ thường không dấu" in body
    assert "Vui lòng nhập trường này." in body
    assert "Địa chỉ thư điện tử không hợp lệ." in body
    assert "Ít nhất 8 ký tự." in body
    assert body.count("is-invalid") >= 4
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_admin_new_user_needs_password_and_unique_username(login):
    web = login("admin")
    response = web.post(
        "/quan-tri/nguoi-dung/moi",
        {"username": "police.officer", "full_name": "X", "agency_id": "1", "role": "viewer"},
    )
    assert response.status_code == 422
    assert "đã được dùng" in response.get_data(as_text=True)
    response = web.post(
        "/quan-tri/nguoi-dung/moi",
        {"username": "new.person", "full_name": "X", "agency_id": "1", "role": "viewer"},
    )
    assert response.status_code == 422
    assert "Vui lòng đặt mật khẩu" in response.get_data(as_text=True)


def test_admin_edits_and_deactivates_user_with_diff(login, db, user):
    web = login("admin")
    target = user("other.viewer")
    response = web.post(
        f"/quan-tri/nguoi-dung/{target.id}",
        {
            "username": "other.viewer",
            "full_name": "Người xem khác",
            "agency_id": target.agency_id,
            "role": "viewer",
            "version": target.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.active is False and target.full_name == "Người xem khác"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "user.update", AuditEntry.object_id == str(target.id)
        )
    )
    assert entry.changes["active"] == [True, False]
    assert login_fails(login, "other.viewer")


def login_fails(login, username):
    try:
        login(username)
    except AssertionError:
        return True
    return False


def test_stale_user_form_is_refused(login, db, user):
    web = login("admin")
    target = user("finance.viewer")
    old_version = target.version
    target.full_name = "Đổi bởi người khác"
    db.session.commit()
    response = web.post(
        f"/quan-tri/nguoi-dung/{target.id}",
        {
            "username": "finance.viewer",
            "full_name": "Ghi đè",
            "agency_id": target.agency_id,
            "role": "viewer",
            "active": "y",
            "version": old_version,
        },
    )
    assert response.status_code == 409
    assert "người khác thay đổi" in response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.full_name == "Đổi bởi người khác"


def test_admin_manages_agencies(login, db):
    web = login("admin")
    response = web.post(
        "/quan-tri/co-quan/moi",
        {
            "name": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            "short_name": "BĐBP",
            "kind": "other",
            "active": "y",
        },
    )
    assert response.status_code == 302
    agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == "BĐBP"))
    assert agency.kind == "other"
    duplicate = web.post(
        "/quan-tri/co-quan/moi", {"name": agency.name, "kind": "police", "active": "y"}
    )
    assert duplicate.status_code == 422
    assert "Đã có cơ quan tên" in duplicate.get_data(as_text=True)
    bad_kind = web.post("/quan-tri/co-quan/moi", {"name": "X", "kind": "army"})
    assert bad_kind.status_code == 422
    edited = web.post(
        f"/quan-tri/co-quan/{agency.id}",
        {
            "name": "Bộ đội Biên phòng tỉnh",
            "short_name": "BĐBP",
            "kind": "other",
            "version": agency.version,
        },
    )
    assert edited.status_code == 302
    db.session.refresh(agency)
    assert agency.name == "Bộ đội Biên phòng tỉnh" and agency.active is False
    assert audit_actions(db, object_type="agency", object_id=str(agency.id)) == [
        "agency.create",
        "agency.update",
    ]
    listing = web.get("/quan-tri/co-quan?kind=other").get_data(as_text=True)
    assert "Bộ đội Biên phòng tỉnh" in listing and "Công an tỉnh Quảng Ngãi" not in listing


def test_users_of_inactive_agency_cannot_log_in(login, db):
    agency = db.session.scalar(sa.select(Agency).where(Agency.kind == "finance"))
    agency.active = False
    db.session.commit()
    assert login_fails(login, "finance.officer")
