"""Notices after a decision as tracked tasks (issue 12, point 9): created with an approval
or a revocation, due by the item's regime row, in the focal agency's inbox and home page
until marked done (date, number, note; audited, version-checked), listed on the item."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.aid import services
from app.aid.notices import AidNotice
from app.aid.states import AidAudit, AidStatus
from app.core.dates import format_date, today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry

S = AidStatus
DONOR = "Gửi quyết định phê duyệt cho nhà tài trợ"
MINISTRIES = "Gửi quyết định cho các Bộ liên quan (Bộ Tài chính, ...)"
FINANCE = "Gửi bản sao quyết định và thỏa thuận cho Sở Tài chính"
REVOCATION = "Thông báo thu hồi cho nhà tài trợ"


def notices_of(db, item) -> list[AidNotice]:
    return db.session.scalars(
        sa.select(AidNotice).where(AidNotice.aid_item_id == item.id).order_by(AidNotice.id)
    ).all()


def by_label(db, item) -> dict[str, AidNotice]:
    return {n.label: n for n in notices_of(db, item)}


# --- Created with the decision ---------------------------------------------------------------


def test_approval_creates_the_notices_due_by_the_regime_row(app_ctx, db, make_item):
    """Approved 25/03/2025: the donor and the ministries within 5 days (Decree 80 art.
    11(2)), the finance copy within 10 working days (Circular 23/2022 art. 5(6)), counted
    with the holiday calendar (07/04/2025, Giỗ Tổ Hùng Vương, is off)."""
    item = make_item("VT-N1", status=S.DA_PHE_DUYET)
    notices = by_label(db, item)
    assert set(notices) == {DONOR, MINISTRIES, FINANCE}
    assert notices[DONOR].due_on == date(2025, 3, 30)
    assert notices[MINISTRIES].due_on == date(2025, 3, 30)
    assert notices[FINANCE].due_on == date(2025, 4, 9)
    assert all(n.is_open and n.decision.number == item.decision_number for n in notices.values())
    assert "Thông tư 23/2022/TT-BTC" in notices[FINANCE].rule
    created = db.session.scalars(
        sa.select(AuditEntry.summary).where(
            AuditEntry.action == AidAudit.NOTICE_CREATE,
            AuditEntry.object_id.in_([str(n.id) for n in notices.values()]),
        )
    ).all()
    assert len(created) == 3 and any("hạn 09/04/2025" in s for s in created)


def test_no_finance_copy_when_the_aid_is_not_budget_revenue(app_ctx, db, make_item):
    item = make_item("VT-N2", status=S.DA_PHE_DUYET, is_budget_revenue=False)
    assert set(by_label(db, item)) == {DONOR, MINISTRIES}


def test_the_items_regime_selects_the_deadlines(app, app_ctx, db, make_item, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "AID_REGIME_OVERRIDES",
        {"nd313_2025": {"AID_NOTICE_DEADLINE": (5, "working")}},
    )
    nd313 = make_item("VT-N3", status=S.DA_PHE_DUYET)
    nd80 = make_item("VT-N4", status=S.DA_PHE_DUYET, regime="nd80_2020")
    assert by_label(db, nd313)[DONOR].due_on == date(2025, 4, 1)  # 5 working days
    assert by_label(db, nd80)[DONOR].due_on == date(2025, 3, 30)  # 5 days


def test_revocation_adds_the_revocation_notice(app_ctx, db, make_item):
    item = make_item("VT-N5", status=S.THU_HOI)  # revoked on 01/09/2025
    notices = by_label(db, item)
    assert set(notices) == {DONOR, MINISTRIES, FINANCE, REVOCATION}
    assert notices[REVOCATION].due_on == date(2025, 9, 6)
    assert notices[REVOCATION].decision.kind == "thu_hoi"


def test_refusal_and_other_steps_create_no_notice(app_ctx, db, make_item):
    assert notices_of(db, make_item("VT-N6", status=S.KHONG_CHAP_THUAN)) == []
    assert notices_of(db, make_item("VT-N7", status=S.THAM_DINH)) == []


# --- Marked done -----------------------------------------------------------------------------


def test_marking_done_records_date_number_note_and_audits(app_ctx, db, make_item, user):
    item = make_item("VT-N8", status=S.DA_PHE_DUYET)
    notice = by_label(db, item)[DONOR]
    planner = user("planning.officer")
    services.complete_notice(
        notice,
        date(2025, 3, 31),
        "15/SKH-VT",
        "Gửi qua bưu điện",
        user=planner,
        version=notice.version,
    )
    assert (notice.done_on, notice.document_number, notice.note) == (
        date(2025, 3, 31),
        "15/SKH-VT",
        "Gửi qua bưu điện",
    )
    assert notice.done_by_id == planner.id and not notice.overdue(today_vn())
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == AidAudit.NOTICE_DONE, AuditEntry.object_id == str(notice.id)
        )
    )
    assert "chậm 1 ngày" in entry.summary
    assert entry.changes["document_number"] == [None, "15/SKH-VT"]
    with pytest.raises(DomainError, match="đã được ghi nhận"):
        services.complete_notice(
            notice, date(2025, 4, 1), "16/SKH", user=planner, version=notice.version
        )


def test_marking_done_checks_who_the_version_and_the_data(app_ctx, db, make_item, user):
    item = make_item("VT-N9", status=S.DA_PHE_DUYET)
    notice = by_label(db, item)[MINISTRIES]
    planner = user("planning.officer")
    with pytest.raises(PermissionDenied):
        services.complete_notice(
            notice, date(2025, 4, 1), "1/X", user=user("police.officer"), version=notice.version
        )
    with pytest.raises(StaleObjectError):
        services.complete_notice(notice, date(2025, 4, 1), "1/X", user=planner, version=None)
    with pytest.raises(FieldError) as missing:
        services.complete_notice(notice, None, "", user=planner, version=notice.version)
    assert missing.value.errors.keys() >= {"done_on", "document_number"}
    for day, message in (
        (date(2025, 3, 24), "không được trước ngày ký quyết định (25/03/2025)"),
        (today_vn() + timedelta(days=1), "không được sau ngày hôm nay"),
    ):
        with pytest.raises(FieldError, match=re.escape(message)):
            services.complete_notice(notice, day, "1/X", user=planner, version=notice.version)
    assert notice.is_open


# --- Inbox, home page, item page (HTTP, real logins and CSRF) ----------------------------------


def test_inbox_and_home_show_open_notices_overdue_flagged(login, db, make_item):
    item = make_item("VT-N10", status=S.DA_PHE_DUYET)  # due in 2025: overdue today
    planner = login("planning.officer")
    inbox = planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert 'data-testid="notices-inbox"' in inbox
    assert DONOR in inbox and FINANCE in inbox and "VT-N10" in inbox
    assert "Quá hạn" in inbox
    home = planner.get("/").get_data(as_text=True)
    assert "Thông báo sau quyết định cần gửi" in home
    assert "Thông báo sau quyết định quá hạn" in home
    # Other agencies do not have these tasks.
    police = login("police.officer").get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert 'data-testid="notices-inbox"' not in police
    # An archived item's tasks leave the inbox.
    services.archive_item(item, "Nhập trùng", user=_user(db, "planning.officer"))
    db.session.commit()
    assert "VT-N10" not in planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)


def _user(db, username):
    from app.auth.models import User

    return db.session.scalar(sa.select(User).where(User.username == username))


def test_mark_done_over_http(login, db, make_item):
    item = make_item("VT-N11", status=S.DA_PHE_DUYET)
    notice = by_label(db, item)[FINANCE]
    url = f"/vien-tro/thong-bao/{notice.id}/da-gui?tu=hop-thu"
    planner = login("planning.officer")
    form = planner.get(url)
    assert form.status_code == 200 and FINANCE in form.get_data(as_text=True)
    assert login("police.officer").get(url).status_code == 403

    refused = planner.post(
        url, {"done_on": "01/04/2025", "document_number": "", "version": notice.version}
    )
    assert refused.status_code == 422
    assert "Vui lòng nhập số văn bản gửi." in refused.get_data(as_text=True)
    stale = planner.post(
        url,
        {"done_on": "01/04/2025", "document_number": "9/STC", "version": notice.version + 1},
    )
    assert stale.status_code == 409
    db.session.refresh(notice)
    assert notice.is_open

    done = planner.post(
        url,
        {
            "done_on": "02/04/2025",
            "document_number": "9/SKH-VT",
            "note": "Kèm thỏa thuận viện trợ",
            "version": notice.version,
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/vien-tro/viec-can-xu-ly")
    db.session.refresh(notice)
    assert (notice.done_on, notice.document_number) == (date(2025, 4, 2), "9/SKH-VT")
    inbox = planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    table = inbox.split('data-testid="notices-inbox"')[1].split("</table>")[0]
    assert FINANCE not in table and DONOR in table
    page = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert 'data-testid="item-notices"' in page
    assert "Đã gửi</span> 02/04/2025, số 9/SKH-VT" in page
    assert "Kèm thỏa thuận viện trợ" in page
    # done once: the form goes back to the item (issue 14), a second POST is a 409
    shown = planner.get(url)
    assert shown.status_code == 302 and shown.headers["Location"].endswith(f"/{item.id}")
    again = {"done_on": "03/04/2025", "document_number": "10/SKH-VT", "version": notice.version}
    assert planner.post(url, again).status_code == 409


def test_http_approval_creates_the_tasks(login, db, make_item):
    item = make_item("VT-N12", status=S.THAM_DINH)
    response = login("planning.officer").post(
        f"/vien-tro/{item.id}/buoc/approve",
        {"number": "88/QĐ-UBND", "signed_on": format_date(today_vn()), "signer": "Chủ tịch"},
    )
    assert response.status_code == 302
    notices = by_label(db, item)
    assert set(notices) == {DONOR, MINISTRIES, FINANCE}
    assert notices[DONOR].due_on == today_vn() + timedelta(days=5)


def test_item_page_lists_notices_with_status(login, db, make_item):
    item = make_item("VT-N13", status=S.THU_HOI)
    page = login("planning.officer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert page.count("Đánh dấu đã gửi") == 4
    assert REVOCATION in page and "Quá hạn" in page


def test_migration_creates_no_task_for_items_decided_before(tmp_root):
    """At this revision the table exists and is empty (no retroactive tasks); the
    downgrade removes it."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_noticemig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="a1c3e5f7b9d2")
        inspector = sa.inspect(_db.engine)
        assert "aid_notice" in inspector.get_table_names()
        indexes = {ix["name"] for ix in inspector.get_indexes("aid_notice")}
        assert {"ix_aid_notice_open_due", "ix_aid_notice_aid_item_id"} <= indexes
        assert _db.session.scalar(sa.text("SELECT count(*) FROM aid_notice")) == 0
        _db.session.remove()
        downgrade(revision="f7b2d3e4c5a6")
        assert "aid_notice" not in sa.inspect(_db.engine).get_table_names()
        _db.session.remove()
        _db.engine.dispose()
    reset_database(url)
