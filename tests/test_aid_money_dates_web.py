"""Issue 12, points 4-7, through the pages with real logins and CSRF: the over-disbursement
confirmation (422, nothing saved, then saved with its reason), the flags in the list, on
the home page and in the statistics' notes, delays, completion and corrections, and the
disbursement schedule's pages."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid.models import AidItem, Disbursement, PlannedDisbursement
from app.aid.states import AidAudit, AidStatus
from app.core.dates import format_date, today_vn
from app.core.models import AuditEntry

S = AidStatus


@pytest.fixture
def running(make_item):
    """USD 100 000 at 25 000, approved 25/03/2025, started 01/04/2025."""
    return make_item("VT-W1", status=S.DANG_THUC_HIEN)


def payment(amount, **extra):
    return {"disbursed_on": "10/04/2025", "amount": amount, "currency": "USD",
            "rate_vnd": "25.000", **extra}  # fmt: skip


def rows(db, item_id):
    return db.session.scalars(
        sa.select(Disbursement).where(Disbursement.aid_item_id == item_id)
    ).all()


def test_over_disbursement_asks_then_saves_with_the_reason(login, db, running):
    planner = login("planning.officer")
    url = f"/vien-tro/{running.id}/ghi-nhan/giai-ngan"
    form = planner.get(url).get_data(as_text=True)
    assert 'name="confirm_over"' not in form  # asked only when needed
    assert planner.post(url, payment("80.000")).status_code == 302

    first = planner.post(url, payment("30.000"))
    page = first.get_data(as_text=True)
    assert first.status_code == 422
    assert "vượt giá trị được phê duyệt 100.000,00 USD" in page and "110,0%" in page
    assert 'name="confirm_over"' in page and 'name="reason"' in page
    assert len(rows(db, running.id)) == 1  # nothing saved

    no_reason = planner.post(url, payment("30.000", confirm_over="y"))
    assert no_reason.status_code == 422
    assert "Vui lòng ghi lý do giải ngân vượt" in no_reason.get_data(as_text=True)

    second = planner.post(url, payment("30.000", confirm_over="y", reason="Bổ sung của NTT"))
    assert second.status_code == 302
    saved = [r for r in rows(db, running.id) if r.over_approved]
    assert [r.reason for r in saved] == ["Bổ sung của NTT"]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == AidAudit.DISBURSEMENT_OVER_APPROVED)
    )
    assert "Bổ sung của NTT" in entry.summary

    detail = planner.get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert 'data-testid="over-disbursed"' in detail and "Lý do: Bổ sung của NTT" in detail
    assert "(110,0% giá trị phê duyệt)" in detail

    flagged = planner.get("/vien-tro/?over_disbursed=1").get_data(as_text=True)
    assert "VT-W1" in flagged and "Vượt giá trị phê duyệt" in flagged
    home = planner.get("/").get_data(as_text=True)
    assert "Viện trợ giải ngân vượt giá trị phê duyệt" in home
    assert "over_disbursed=1" in home
    inbox = planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert 'data-testid="alert-over_disbursed"' in inbox
    reader = login("leadership.viewer")
    stats = reader.get("/thong-ke/2025").get_data(as_text=True)
    assert 'data-testid="note-over-disbursed"' in stats and "VT-W1" in stats
    book = load_workbook(io.BytesIO(reader.get("/thong-ke/2025/bao-cao.xlsx").data))
    first = [row for row in book["Thông tin"].iter_rows(values_only=True)]
    at = first.index(("Ghi chú về số liệu", None))
    assert "vượt giá trị được phê duyệt" in first[at + 1][1] and "VT-W1" in first[at + 1][1]


def test_list_filter_leaves_out_items_within_their_value(login, running, make_item):
    make_item("VT-W2", status=S.DANG_THUC_HIEN)
    planner = login("planning.officer")
    url = f"/vien-tro/{running.id}/ghi-nhan/giai-ngan"
    planner.post(url, payment("130.000", confirm_over="y", reason="Tạm ứng"))
    flagged = planner.get("/vien-tro/?over_disbursed=1").get_data(as_text=True)
    assert ">VT-W1</a>" in flagged and ">VT-W2</a>" not in flagged
    stats = login("leadership.viewer").get("/thong-ke/2024").get_data(as_text=True)
    assert 'data-testid="stats-notes"' not in stats  # nothing to note for 2024


def test_start_keeps_the_planned_date_and_lists_the_delay(login, db, make_item):
    item = make_item("VT-W3", status=S.DA_PHE_DUYET, start_on=date(2025, 3, 26),
                     end_on=date(2025, 6, 30))  # fmt: skip
    planner = login("planning.officer")
    started = planner.post(f"/vien-tro/{item.id}/buoc/start", {"started_on": "10/04/2025"})
    assert started.status_code == 302
    db.session.expire_all()
    saved = db.session.get(AidItem, item.id)
    assert (saved.start_on, saved.actual_start_on) == (date(2025, 3, 26), date(2025, 4, 10))
    detail = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "26/03/2025 – 30/06/2025" in detail and "Bắt đầu chậm 15 ngày" in detail
    late_end = (today_vn() - date(2025, 6, 30)).days
    assert f"Kết thúc chậm {late_end} ngày" in detail
    listing = planner.get("/vien-tro/?delayed=1").get_data(as_text=True)
    assert "VT-W3" in listing and "Bắt đầu chậm 15 ngày" in listing
    inbox = planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert "(bắt đầu chậm 15 ngày)" in inbox


def test_completion_states_the_share_and_asks_for_a_reason(login, db, running):
    planner = login("planning.officer")
    planner.post(f"/vien-tro/{running.id}/ghi-nhan/giai-ngan", payment("25.000"))
    planner.post(
        f"/vien-tro/{running.id}/ghi-nhan/bao-cao",
        {"kind": "ket_thuc", "received_on": "15/10/2025", "summary": "Xong"},
    )
    url = f"/vien-tro/{running.id}/buoc/complete"
    assert "Đã giải ngân 25,0% giá trị được phê duyệt" in planner.get(url).get_data(as_text=True)
    refused = planner.post(url, {"ended_on": "20/10/2025"})
    assert refused.status_code == 422
    assert "vui lòng ghi lý do ghi nhận hoàn thành" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AidItem, running.id).status == S.DANG_THUC_HIEN
    done = planner.post(url, {"ended_on": "20/10/2025", "comment": "Dừng sớm theo NTT"})
    assert done.status_code == 302
    db.session.expire_all()
    item = db.session.get(AidItem, running.id)
    assert item.status == S.HOAN_THANH and item.actual_end_on == date(2025, 10, 20)

    # Afterwards: only a correction, with a reason.
    record = f"/vien-tro/{running.id}/ghi-nhan/giai-ngan"
    form = planner.get(record).get_data(as_text=True)
    assert 'data-testid="correction-note"' in form and 'name="reason"' in form
    missing = planner.post(record, payment("1.000"))
    assert missing.status_code == 422
    assert "chỉ ghi nhận giải ngân dưới dạng điều chỉnh" in missing.get_data(as_text=True)
    assert planner.post(record, payment("1.000", reason="Hoàn ứng")).status_code == 302
    (correction,) = [r for r in rows(db, running.id) if r.is_correction]
    assert correction.reason == "Hoàn ứng"
    detail = planner.get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert "Điều chỉnh" in detail and "Lý do: Hoàn ứng" in detail


def test_schedule_pages_add_edit_archive(login, db, running):
    planner = login("planning.officer")
    new = f"/vien-tro/{running.id}/ke-hoach-giai-ngan/moi"
    assert planner.get(new).status_code == 200
    bad = planner.post(new, {"year": "năm", "amount": "-5"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Phải là số nguyên." in body
    added = planner.post(new, {"year": "2025", "amount": "60.000", "note": "Đợt 1"})
    assert added.status_code == 302
    duplicate = planner.post(new, {"year": "2025", "amount": "1"})
    assert duplicate.status_code == 422 and "Năm 2025 đã có" in duplicate.get_data(as_text=True)
    planner.post(f"/vien-tro/{running.id}/ghi-nhan/giai-ngan", payment("50.000"))
    detail = planner.get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert "60.000,00 USD" in detail and "50.000,00 USD" in detail and "-10.000,00 USD" in detail

    plan = db.session.scalar(sa.select(PlannedDisbursement))
    edit = f"/vien-tro/ke-hoach-giai-ngan/{plan.id}/sua"
    assert 'value="1"' in planner.get(edit).get_data(as_text=True)  # the version
    changed = planner.post(edit, {"year": "2025", "amount": "55.000", "version": "1"})
    assert changed.status_code == 302
    stale = planner.post(edit, {"year": "2025", "amount": "1", "version": "1"})
    assert stale.status_code == 409
    archive = f"/vien-tro/ke-hoach-giai-ngan/{plan.id}/luu-tru"
    assert planner.post(archive, {"reason": "", "version": "2"}).status_code == 303
    assert planner.post(archive, {"reason": "Hủy đợt", "version": "2"}).status_code == 302
    db.session.expire_all()
    kept = db.session.get(PlannedDisbursement, plan.id)
    assert kept.is_archived and kept.archive_reason == "Hủy đợt" and kept.amount == 55000


def test_viewers_may_not_plan_or_confirm(login, running):
    viewer = login("planning.viewer")
    assert viewer.get(f"/vien-tro/{running.id}/ke-hoach-giai-ngan/moi").status_code == 403
    paid = viewer.post(
        f"/vien-tro/{running.id}/ghi-nhan/giai-ngan",
        payment("130.000", confirm_over="y", reason="x"),
    )
    assert paid.status_code == 403


def test_today_is_the_default_end(login, running):
    planner = login("planning.officer")
    planner.post(
        f"/vien-tro/{running.id}/ghi-nhan/bao-cao",
        {"kind": "ket_thuc", "received_on": "15/10/2025", "summary": "Xong"},
    )
    page = planner.get(f"/vien-tro/{running.id}/buoc/complete").get_data(as_text=True)
    assert format_date(today_vn()) in page


def test_a_year_notes_what_was_over_at_its_end_not_today(login, running):
    """Within the value in 2025, over it with a payment of 2026: noted for 2026 only."""
    planner = login("planning.officer")
    url = f"/vien-tro/{running.id}/ghi-nhan/giai-ngan"
    assert planner.post(url, payment("60.000")).status_code == 302
    later = payment("60.000", confirm_over="y", reason="Bổ sung", disbursed_on="10/01/2026")
    assert planner.post(url, later).status_code == 302
    reader = login("leadership.viewer")
    assert 'data-testid="note-over-disbursed"' not in reader.get("/thong-ke/2025").get_data(
        as_text=True
    )
    notes_2026 = reader.get("/thong-ke/2026").get_data(as_text=True)
    assert 'data-testid="note-over-disbursed"' in notes_2026
    assert "tổng giải ngân đến 31/12/2026 vượt" in notes_2026


def test_a_correction_asks_only_its_reason_and_bounds_it(login, make_item):
    """After completion the reason is asked; the over-approval box only when over (walk)."""
    done = make_item("VT-W9", status=S.HOAN_THANH)
    planner = login("planning.officer")
    url = f"/vien-tro/{done.id}/ghi-nhan/giai-ngan"
    refused = planner.post(url, payment("1.000", disbursed_on="10/11/2025"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="over-approved"' not in page
    assert "lý do" in page.lower()
    too_long = planner.post(url, payment("1.000", disbursed_on="10/11/2025", reason="x" * 1001))
    assert too_long.status_code == 422
    assert "Không được dài quá 1000 ký tự." in too_long.get_data(as_text=True)


def test_item_page_says_why_there_is_no_actual_start(login, db, make_item):
    running = make_item("VT-W8", status=S.DANG_THUC_HIEN)
    db.session.execute(sa.update(AidItem).where(AidItem.id == running.id).values(
        actual_start_on=None, start_on=None, end_on=None))  # fmt: skip
    db.session.commit()
    page = login("planning.officer").get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert 'data-testid="planned-dates">Chưa có</dd>' in page
    assert "?" not in page.split('data-testid="planned-dates">')[1][:20]
    db.session.execute(sa.update(AidItem).where(AidItem.id == running.id).values(
        end_on=date(2025, 6, 30)))  # fmt: skip
    db.session.commit()
    page = login("planning.officer").get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert "chưa ghi ngày bắt đầu thực tế –" in page and "Kết thúc chậm" in page


def test_start_form_asks_the_required_date_first(login, make_item):
    item = make_item("VT-W7", status=S.DA_PHE_DUYET)
    page = login("planning.officer").get(f"/vien-tro/{item.id}/buoc/start").get_data(as_text=True)
    assert page.index('name="started_on"') < page.index('name="comment"')


def test_an_empty_year_is_asked_for_not_called_a_bad_number(login, running):
    planner = login("planning.officer")
    url = f"/vien-tro/{running.id}/ke-hoach-giai-ngan/moi"
    empty = planner.post(url, {"year": "", "amount": "1.000"})
    page = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Vui lòng nhập năm." in page
    assert "Phải là số nguyên" not in page
    letters = planner.post(url, {"year": "abc", "amount": "1.000"})
    assert letters.status_code == 422 and "Phải là số nguyên" in letters.get_data(as_text=True)
