"""Passports valid 6 months after entry (a warning, a setting) and member removal with a
confirmation and a reason, archived not deleted (issue 12, point 2)."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.dates import add_months, format_date
from app.core.errors import FieldError
from app.core.models import AuditEntry
from app.delegations import rules, services
from app.delegations.models import DelegationMember
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import future, member


def test_passport_warning_rule():
    start, end = date(2027, 3, 1), date(2027, 3, 5)
    assert "còn hạn dưới 6 tháng" in rules.passport_warning(date(2027, 8, 31), start, end, 6)
    assert "01/09/2027" in rules.passport_warning(date(2027, 8, 31), start, end, 6)
    assert rules.passport_warning(date(2027, 9, 1), start, end, 6) is None
    # Expiring before the end is refused by member_errors, not warned about.
    assert rules.passport_warning(date(2027, 3, 4), start, end, 6) is None
    assert rules.passport_warning(None, start, end, 6) is None
    assert rules.passport_warning(date(2027, 5, 1), start, end, 2) is None


def test_months_are_a_setting(app, app_ctx, make_delegation, monkeypatch):
    d = make_delegation("PP-SET")
    expiry = add_months(d.start_on, 4)
    assert services.passport_warning(d, expiry) is not None
    monkeypatch.setitem(app.config, "PASSPORT_MIN_VALID_MONTHS", 3)
    assert services.passport_warning(d, expiry) is None


def member_post(**changes):
    values = {"full_name": "Tanaka Hiroshi", "nationality": "JP", "passport_number": "TR1"}
    values.update(changes)
    return values


def test_warning_on_save_next_to_the_field_and_on_the_record_page(make_delegation, login, db):
    d = make_delegation("PP-WEB", stage="under_review")
    host = login("other.officer")
    short = format_date(d.start_on + timedelta(days=60))
    saved = host.post(
        f"/doan/{d.id}/thanh-vien/moi", member_post(passport_expiry=short), follow_redirects=True
    )
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Đã thêm Tanaka Hiroshi" in text
    assert "còn hạn dưới 6 tháng kể từ ngày nhập cảnh" in text
    assert 'data-testid="passport-short"' in text  # on the record page
    added = db.session.scalar(
        sa.select(DelegationMember).where(DelegationMember.full_name == "Tanaka Hiroshi")
    )
    form = host.get(f"/doan/thanh-vien/{added.id}").get_data(as_text=True)
    assert 'data-testid="passport-warning"' in form

    # A passport valid long enough: no warning anywhere.
    long = format_date(d.start_on + timedelta(days=400))
    ok = host.post(
        f"/doan/{d.id}/thanh-vien/moi",
        member_post(full_name="Sato", passport_number="TR2", passport_expiry=long),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã thêm Sato" in ok and ok.count('data-testid="passport-short"') == 1

    # The form coming back with another error keeps the warning next to the field.
    again = host.post(
        f"/doan/{d.id}/thanh-vien/moi",
        member_post(full_name="", passport_number="TR3", passport_expiry=short),
    )
    assert again.status_code == 422
    assert 'data-testid="passport-warning"' in again.get_data(as_text=True)


def test_removal_asks_for_a_reason_and_archives(make_delegation, login, db):
    d = make_delegation(
        "PP-DEL", stage="under_review", members=[member(), member("Lee", passport="L1")]
    )
    target = next(m for m in d.members if m.full_name == "Lee")
    url = f"/doan/thanh-vien/{target.id}/xoa"
    host = login("other.officer")
    page = host.get(url).get_data(as_text=True)
    assert "Xóa <strong>Lee</strong>" in page and 'name="reason"' in page

    empty = host.post(url, {"reason": "  ", "version": str(target.version)})
    assert empty.status_code == 422
    assert "Vui lòng ghi lý do xóa thành viên." in empty.get_data(as_text=True)
    assert db.session.get(DelegationMember, target.id).archived_at is None

    assert login("police.officer").post(url, {"reason": "x"}).status_code == 403
    stale = host.post(url, {"reason": "Không đi", "version": str(target.version - 1)})
    assert stale.status_code == 409

    done = host.post(url, {"reason": "Không đi được", "version": str(target.version)})
    assert done.status_code == 302
    removed = db.session.get(DelegationMember, target.id)
    db.session.refresh(removed)
    assert removed.archived_at is not None and removed.archive_reason == "Không đi được"
    detail = host.get(f"/doan/{d.id}").get_data(as_text=True)
    assert "Thành viên đoàn (1)" in detail and ">Lee<" not in detail
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == DelegationAudit.MEMBER_REMOVE)
    )
    assert "Lee" in entry.summary
    assert host.get(url).status_code == 404  # already off the list


def test_service_refuses_removal_without_reason(make_delegation, app_ctx, db, user):
    d = make_delegation("PP-SRV")
    with pytest.raises(FieldError) as refused:
        services.remove_member(d.members[0], "", user=user("other.officer"))
    assert refused.value.errors == {"reason": "Vui lòng ghi lý do xóa thành viên."}
    assert d.members[0].archived_at is None


def test_removed_member_is_not_counted_in_the_calendar(make_delegation, app_ctx, db, user):
    d = make_delegation(
        "PP-CAL",
        stage="submitted",
        start=future(2),
        members=[member(), member("Lee", passport="L1")],
    )
    host = user("other.officer")
    lee = next(m for m in d.members if m.full_name == "Lee")
    services.remove_member(lee, "Không đi", user=host)
    counts = {x.code: n for x, n in services.upcoming(user=host)}
    assert counts["PP-CAL"] == 1


def test_upload_warns_about_short_passports_and_reopens_reviews(make_delegation, login, db):
    d = make_delegation("PP-UP", stage="reviewed")
    book = Workbook()
    book.active.append(["Họ và tên", "Quốc tịch", "Số hộ chiếu", "Hạn hộ chiếu"])
    book.active.append(["Sato Ken", "JP", "S1", format_date(d.start_on + timedelta(days=30))])
    book.active.append(["Ito Aki", "JP", "S2", format_date(d.start_on + timedelta(days=400))])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    host = login("other.officer")
    page = host.post(
        f"/doan/{d.id}/thanh-vien/tai-len",
        {"file": (data, "ds.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã thêm 2 thành viên từ tệp." in page
    assert "Sato Ken: Lưu ý: hộ chiếu hết hạn" in page and "Ito Aki: Lưu ý" not in page
    assert "Thêm thành viên Sato Ken" in page and "Thêm thành viên Ito Aki" in page
