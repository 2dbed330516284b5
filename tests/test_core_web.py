"""Permissions, error pages, audit log page, communes, attachments, CLI and migrations."""

import io

import pytest
import sqlalchemy as sa

from app.core import attachments, audit
from app.core.errors import DomainError
from app.core.models import Attachment, AuditEntry, Commune
from app.core.permissions import ATTACHMENT_READERS, UNCHECKED_ENDPOINTS


def test_every_endpoint_declares_a_permission_rule(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED_ENDPOINTS
        and getattr(app.view_functions[rule.endpoint], "permission_rule", None) is None
    ]
    assert missing == []


def test_undeclared_view_is_refused(app, login):
    web = login("admin")
    app.view_functions["core.home"].permission_rule = None
    try:
        assert web.get("/").status_code == 403
    finally:
        from app.core import permissions

        app.view_functions["core.home"].permission_rule = permissions.signed_in


def test_unknown_page_is_vietnamese_404(login):
    response = login("planning.viewer").get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_domain_error_becomes_409_and_rolls_back(app, login, db):
    web = login("admin")

    def failing_view():
        audit.record("test.should_not_persist", summary="x")
        raise DomainError("Không thể thực hiện ở trạng thái này.")

    from app.core import permissions

    failing_view.permission_rule = permissions.signed_in
    app.view_functions["core.home"], original = failing_view, app.view_functions["core.home"]
    try:
        response = web.get("/")
    finally:
        app.view_functions["core.home"] = original
    assert response.status_code == 409
    assert "Không thể thực hiện ở trạng thái này." in response.get_data(as_text=True)
    count = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "test.should_not_persist")
    )
    assert count == 0


def test_unexpected_error_is_500_page_and_rolls_back(app, login, db):
    web = login("admin")
    from app.core import permissions

    def broken_view():
        audit.record("test.half_written", summary="x")
        raise RuntimeError("boom")

    broken_view.permission_rule = permissions.signed_in
    app.view_functions["core.home"], original = broken_view, app.view_functions["core.home"]
    try:
        response = web.get("/")
    finally:
        app.view_functions["core.home"] = original
    assert response.status_code == 500
    assert "Dữ liệu chưa được lưu" in response.get_data(as_text=True)
    count = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "test.half_written")
    )
    assert count == 0


def test_audit_log_page_filters(login, db, user):
    web = login("admin")
    login("police.officer")
    police = user("police.officer")
    page = web.get(f"/quan-tri/nhat-ky?user={police.id}").get_data(as_text=True)
    assert "auth.login" in page and "police.officer" in page
    assert "<td>admin</td>" not in page and "<td>police.officer</td>" in page
    by_object = web.get(f"/quan-tri/nhat-ky?object_type=user&object_id={police.id}")
    assert "Đăng nhập" in by_object.get_data(as_text=True)
    bad_date = web.get("/quan-tri/nhat-ky?from=31/02/2025")
    assert bad_date.status_code == 422
    assert "Ngày không hợp lệ" in bad_date.get_data(as_text=True)
    future = web.get("/quan-tri/nhat-ky?from=01/01/2099").get_data(as_text=True)
    assert "Không có mục nào." in future
    assert login("police.officer").get("/quan-tri/nhat-ky").status_code == 403


def test_audit_log_speaks_vietnamese_and_finds_words(login, user):
    web = login("admin")
    login("police.officer")
    police = user("police.officer")
    page = web.get("/quan-tri/nhat-ky").get_data(as_text=True)
    # Object kinds are offered by their Vietnamese names, the code stays the value.
    assert '<option value="delegation_member">Thành viên đoàn</option>' in page
    assert "#None" not in page
    # A part of the action's code or a word of its summary finds the entry.
    for words in ("login", "đăng nhập"):
        found = web.get(f"/quan-tri/nhat-ky?user={police.id}&action={words}")
        assert "auth.login" in found.get_data(as_text=True), words
    nothing = web.get(f"/quan-tri/nhat-ky?user={police.id}&action=50%25_off")
    assert "Không có mục nào." in nothing.get_data(as_text=True)
    # Dates in the wrong order: said next to the field, not an empty list.
    reversed_days = web.get("/quan-tri/nhat-ky?from=02/01/2025&to=01/01/2025")
    assert reversed_days.status_code == 422
    assert "Đến ngày phải từ ngày lọc đầu trở về sau." in reversed_days.get_data(as_text=True)


def test_audit_entries_are_append_only(db):
    entry = audit.record("test.entry", summary="original")
    db.session.commit()
    entry.summary = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_communes_loaded_from_package(db):
    quang_ngai = db.session.scalar(
        sa.select(sa.func.count()).select_from(Commune).where(Commune.province_code == 51)
    )
    assert quang_ngai == 96
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Commune))
    assert total > 3000
    from app.core.communes import load_communes

    assert load_communes() == (0, 0)  # idempotent


def test_admin_flags_border_commune_audited(login, db):
    web = login("admin")
    listing = web.get("/quan-tri/xa-phuong?q=dak to").get_data(as_text=True)
    assert "Đăk Tô" in listing or "Đắk Tô" in listing
    commune = db.session.scalar(
        sa.select(Commune).where(
            Commune.province_code == 51, Commune.name_folded.contains("dak to")
        )
    )
    response = web.post(
        f"/quan-tri/xa-phuong/{commune.code}/bien-gioi",
        {"is_border": "1", "version": commune.version, "back": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.location == "/quan-tri/xa-phuong"
    db.session.refresh(commune)
    assert commune.is_border is True
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "commune.border_flag")
    )
    assert entry.object_id == commune.code and entry.changes == {"is_border": [False, True]}
    border_only = web.get("/quan-tri/xa-phuong?border=1").get_data(as_text=True)
    assert commune.name in border_only
    stale = web.post(
        f"/quan-tri/xa-phuong/{commune.code}/bien-gioi", {"is_border": "0", "version": 1}
    )
    assert stale.status_code == 409
    viewer = login("police.viewer")
    assert (
        viewer.post(
            f"/quan-tri/xa-phuong/{commune.code}/bien-gioi",
            {"is_border": "0", "version": commune.version},
        ).status_code
        == 403
    )
    db.session.refresh(commune)
    assert commune.is_border is True


def test_attachment_storage_and_permission(app, db, login, user, tmp_path):
    from werkzeug.datastructures import FileStorage

    officer = user("planning.officer")
    with app.test_request_context():
        stored = attachments.store(
            FileStorage(io.BytesIO(b"%PDF-1.4 test"), filename="Quyết định 12.pdf"),
            "test_owner",
            7,
            officer,
        )
        again = attachments.store(
            FileStorage(io.BytesIO(b"%PDF-1.4 test"), filename="copy.pdf"),
            "test_owner",
            8,
            officer,
        )
        db.session.commit()
        assert stored.sha256 == again.sha256  # same content stored once
        assert attachments.file_path(stored).read_bytes() == b"%PDF-1.4 test"
        with pytest.raises(attachments.AttachmentError, match="Loại tệp không được chấp nhận"):
            attachments.store(FileStorage(io.BytesIO(b"MZ"), filename="virus.exe"), "x", 1, None)
        with pytest.raises(attachments.AttachmentError, match="rỗng"):
            attachments.store(FileStorage(io.BytesIO(b""), filename="a.pdf"), "x", 1, None)

    # Only readers registered for the owner type (and admins) may download.
    police = login("police.officer")
    assert police.get(f"/tep/{stored.id}").status_code == 403
    ATTACHMENT_READERS["test_owner"] = lambda u, owner_id: u.agency.kind == "police"
    try:
        response = police.get(f"/tep/{stored.id}")
        assert response.status_code == 200 and response.data == b"%PDF-1.4 test"
        assert "attachment" in response.headers["Content-Disposition"]
        assert login("finance.officer").get(f"/tep/{stored.id}").status_code == 403
    finally:
        del ATTACHMENT_READERS["test_owner"]
    assert login("admin").get(f"/tep/{stored.id}").status_code == 200
    assert login("admin").get("/tep/999999").status_code == 404
    assert db.session.get(Attachment, stored.id).uploaded_by_id == officer.id


def test_upload_over_limit_is_413(app, login):
    web = login("admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = web.post("/quan-tri/nguoi-dung/moi", {"big": "x" * (limit + 1)})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Tệp quá lớn" in body and f"({limit // (1024 * 1024)} MB mỗi lần gửi)" in body


def test_money_and_date_filters_in_templates(app):
    from datetime import date
    from decimal import Decimal

    env = app.jinja_env
    assert env.from_string("{{ v|vnd }}").render(v=Decimal("1234567")) == "1.234.567 ₫"
    assert env.from_string("{{ v|usd }}").render(v=Decimal("1234.56")) == "1.234,56 USD"
    assert env.from_string("{{ d|date }}").render(d=date(2025, 1, 5)) == "05/01/2025"


def test_pagination_links_keep_filters(login, db):
    web = login("admin")
    page = web.get("/quan-tri/xa-phuong?province=0&q=xa").get_data(as_text=True)
    assert "page=2" in page and "q=xa" in page and "province=0" in page
    second = web.get("/quan-tri/xa-phuong?province=0&q=xa&page=2")
    assert second.status_code == 200
    assert web.get("/quan-tri/xa-phuong?page=abc").status_code == 200


def test_no_external_urls_in_templates_or_static():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)
    offenders = []
    for folder in ("templates", "app/static"):
        for path in (root / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix in {".html", ".css", ".js"}
                and "vendor" not in path.parts
            ):
                offenders += [f"{path}: {m}" for m in pattern.findall(path.read_text())]
    assert offenders == []


def test_bootstrap_is_served_locally(login):
    page = login("admin").get("/").get_data(as_text=True)
    assert "cdn." not in page and "/bootstrap/static/" in page


def test_attachment_content_must_match_its_type(app, db, user):
    from werkzeug.datastructures import FileStorage

    with app.test_request_context():
        with pytest.raises(attachments.AttachmentError, match=r"không phải tệp \.pdf"):
            attachments.store(
                FileStorage(io.BytesIO(b"MZ\x90\x00"), filename="hoso.pdf"), "x", 1, user("admin")
            )
        ok = attachments.store(
            FileStorage(io.BytesIO(b"a;b\n1;2\n"), filename="bang.csv"), "x", 1, user("admin")
        )
        assert ok.size == 8


def test_page_past_the_end_shows_the_last_page(login, db):
    page = login("admin").get("/quan-tri/xa-phuong?province=51&page=999").get_data(as_text=True)
    assert "Hiển thị 51–96 / 96 bản ghi" in page
