"""Printable dossiers (issue 14, "prints well"): an aid item's and a delegation's, with the
record page's read permission, personal data masked as the rule says (an unmasked print
audited), A4 print conventions without inline script or style, and a bounded number of
queries whatever the number of rows."""

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.aid import services as aid_services
from app.aid.states import AidStatus
from app.core import attachments
from app.core.dates import today_vn
from app.core.models import AuditEntry, Commune
from app.delegations import services as delegation_services
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import future, member
from tests.test_stats_web import selects

PASSPORT, BIRTH = "M1234567", "01/05/1980"


def text(response) -> str:
    """The page's text, tags dropped and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def pdf(name="qd.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(b"%PDF-1.4 signed"), filename=name)


def _followed_item(make_item, app, db, user, code="VT-IN1", communes=(), payments=1, files=1):
    """An item in implementation (opinions, appraisal, approval, start), with payments, a
    decision file and dossier files."""
    item = make_item(code, status=AidStatus.DANG_THUC_HIEN, communes=list(communes))
    planner = user("planning.officer")
    with app.app_context():
        for i in range(payments):
            aid_services.add_disbursement(
                item, date(2025, 5, 1 + i), 1000, "USD", rate_vnd=25000, user=planner
            )
        decision = item_decision(db, item)
        for i in range(files):
            attachments.store(pdf(f"qd-{i}.pdf"), "decision", decision.id, planner)
            aid_services.attach_file(item, pdf(f"don-{i}.pdf"), "Đơn đề nghị", user=planner)
        db.session.commit()
    return item


def item_decision(db, item):
    from app.aid.models import Decision

    return db.session.scalar(sa.select(Decision).where(Decision.aid_item_id == item.id))


def test_aid_dossier_prints_what_a_clerk_files(login, make_item, app, db, user):
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.province_code == 51).order_by(Commune.code).limit(1)
    )
    item = _followed_item(make_item, app, db, user, communes=[commune.code])
    page = login("police.viewer").get(f"/vien-tro/{item.id}/in")
    assert page.status_code == 200
    body = text(page)
    assert "Hồ sơ khoản viện trợ" in body and "VT-IN1 – Dự án nước sạch xã Đăk Tô" in body
    assert "Trạng thái: Đang thực hiện" in body
    assert "Organisation D-VT-IN1" in body and "Nhà tài trợ chính" in body  # donors
    assert "Nước sạch và vệ sinh môi trường 60,00%" in body and "Y tế 40,00%" in body
    assert f"Địa bàn: {commune.name}" in body
    # values in figures, Vietnamese separators
    assert "100.000,00 USD × 25.000,00 = 2.500.000.000 ₫" in body
    assert "Vốn đối ứng 50.000.000 ₫" in body
    # the steps with their dates, the opinions (agency, answer, date), the decision
    assert "Tiếp nhận hồ sơ" in body and "Ghi quyết định phê duyệt" in body
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d Bắt đầu thực hiện Đang thực hiện", body)
    assert re.search(r"Công an tỉnh [^<]*? \d\d/\d\d/\d{4} Đồng ý Đồng ý 12/STC ngày", body)
    assert "Kết luận thẩm định (20/03/2025): Đủ điều kiện" in body
    assert f"Quyết định phê duyệt {item.id}/QĐ-UBND 25/03/2025 Chủ tịch UBND tỉnh" in body
    # the disbursements' summary
    assert "Đã giải ngân: 25.000.000 ₫ (1.000,00 USD), 1,0% giá trị được phê duyệt" in body
    assert "1 lần giải ngân, lần gần nhất ngày 01/05/2025" in body
    # the files' list: the dossier's and the decision's
    assert "don-0.pdf – Đơn đề nghị" in body
    assert f"qd-0.pdf – quyết định phê duyệt {item.id}/QĐ-UBND" in body
    html = page.get_data(as_text=True)
    assert "print.css" in html and "print.js" in html and "data-print" in html
    assert 'class="d-print-none' in html  # the toolbar is not printed
    assert f'href="/vien-tro/{item.id}"' in html  # back to the record
    assert " style=" not in html and "<script>" not in html


def test_record_pages_link_to_their_print(login, make_item, make_delegation):
    item = make_item("VT-IN2")
    page = login("planning.viewer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert f'href="/vien-tro/{item.id}/in" data-testid="print-link">In hồ sơ' in page
    delegation = make_delegation("DV-IN0", stage="submitted")
    page = login("finance.viewer").get(f"/doan/{delegation.id}").get_data(as_text=True)
    assert f'href="/doan/{delegation.id}/in-ho-so" data-testid="print-link">In hồ sơ' in page


def test_print_views_have_the_record_pages_permission(app, login, make_item, make_delegation):
    item = make_item("VT-IN3")
    web = app.test_client()  # not signed in
    anonymous = web.get(f"/vien-tro/{item.id}/in")
    assert anonymous.status_code == 302 and "/dang-nhap" in anonymous.headers["Location"]
    viewer = login("leadership.viewer")
    assert viewer.get(f"/vien-tro/{item.id}/in").status_code == 200
    assert viewer.get("/vien-tro/999999/in").status_code == 404
    draft = make_delegation("DV-IN1")  # a draft: its author agency's only
    assert web.get(f"/doan/{draft.id}/in-ho-so").status_code == 302
    for username, status in (("other.officer", 200), ("admin", 200), ("police.officer", 404)):
        client = login(username)
        assert client.get(f"/doan/{draft.id}").status_code == status
        assert client.get(f"/doan/{draft.id}/in-ho-so").status_code == status, username
    assert viewer.get("/doan/999999/in-ho-so").status_code == 404


def _border_delegation(make_delegation, app, db, user):
    """Approved, to a border commune, with its permit and notice."""
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.province_code == 51).order_by(Commune.code).limit(1)
    )
    commune.is_border = True
    db.session.commit()
    stops = [
        {
            "day": future(30),
            "commune_code": commune.code,
            "place": "Cửa khẩu",
            "activity": "Khảo sát",
        }
    ]
    delegation = make_delegation("DV-IN2", stage="reviewed", stops=stops)
    police, fa = user("police.officer"), user("foreign_affairs.officer")
    with app.app_context():
        delegation_services.record_border_permit(
            delegation, "15/GP-CAT", today_vn(), future(29), future(40), user=police
        )
        delegation_services.record_border_notice(delegation, today_vn(), user=fa)
        delegation_services.approve_delegation(
            delegation, "12/UBND-NgV", today_vn(), "Chủ tịch", user=fa
        )
        db.session.commit()
    return delegation


def audits(db, username) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action == DelegationAudit.PERSONAL_DATA_VIEW,
            AuditEntry.username == username,
        )
    )


def test_delegation_dossier_prints_and_masks_as_the_page(login, make_delegation, app, db, user):
    delegation = _border_delegation(make_delegation, app, db, user)
    masked = login("finance.officer").get(f"/doan/{delegation.id}/in-ho-so")
    assert masked.status_code == 200
    body = text(masked)
    assert "Hồ sơ đoàn vào" in body and "DV-IN2 – Đoàn khảo sát dự án nước sạch" in body
    assert "Mục đích Khảo sát" in body and "Tổ chức cử đoàn Korea Water Aid" in body
    start, end = delegation.start_on, delegation.end_on
    assert f"Thời gian {start:%d/%m/%Y} – {end:%d/%m/%Y}" in body
    assert "Đơn vị đón tiếp" in body and "Cửa khẩu Khảo sát" in body  # itinerary
    assert "Kim Min-jun" in body and "(Trưởng đoàn)" not in body
    assert PASSPORT not in body and BIRTH not in body and "••/••/••••" in body
    assert "Đồng ý Phù hợp 1/SNgV ngày" in body and "Không có vấn đề" in body  # reviews
    assert "Văn bản phê duyệt: 12/UBND-NgV" in body
    assert "Giấy phép số 15/GP-CAT" in body  # the border permit
    assert "Chưa có báo cáo" in body  # the report (none yet, with its deadline)
    assert audits(db, "finance.officer") == 0  # a masked print is not an unmasked view
    police = login("police.officer").get(f"/doan/{delegation.id}/in-ho-so")
    body = text(police)
    assert PASSPORT in body and BIRTH in body and "••••••" not in body
    assert audits(db, "police.officer") == 1
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.username == "police.officer")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.object_id == str(delegation.id) or entry.object_id == delegation.id
    assert "bản in hồ sơ đoàn" in entry.summary
    html = police.get_data(as_text=True)
    assert " style=" not in html and "<script>" not in html and "d-print-none" in html


def test_visit_report_is_printed(login, make_delegation, app, db, user):
    delegation = make_delegation("DV-IN3", stage="approved")
    with app.app_context():
        delegation.start_on = today_vn() - timedelta(days=5)  # the visit is over
        delegation.end_on = today_vn() - timedelta(days=2)
        host = user("other.officer")
        delegation_services.record_visit_report(
            delegation, today_vn(), "Đoàn làm việc tốt", pdf("bc.pdf"), user=host
        )
        db.session.commit()
    body = text(login("leadership.viewer").get(f"/doan/{delegation.id}/in-ho-so"))
    assert "Đoàn làm việc tốt – tệp bc.pdf" in body


def test_aid_print_queries_do_not_grow_with_rows(login, make_item, app, db, user):
    few = _followed_item(make_item, app, db, user, "VT-IN4", payments=1, files=1)
    many = _followed_item(make_item, app, db, user, "VT-IN5", payments=4, files=5)
    web = login("finance.viewer")
    web.get(f"/vien-tro/{few.id}/in")  # warm the session's user
    one = selects(db, lambda: web.get(f"/vien-tro/{few.id}/in"))
    more = selects(db, lambda: web.get(f"/vien-tro/{many.id}/in"))
    assert "qd-4.pdf" in web.get(f"/vien-tro/{many.id}/in").get_data(as_text=True)
    # the user, the item and its collections, the item page's rows (one query each), the
    # files by owner type, the agencies' former names: never one per row
    assert len(one) == len(more) <= 20


def test_delegation_print_queries_do_not_grow_with_rows(login, make_delegation, db):
    few = make_delegation("DV-IN4", stage="approved")
    members = [member(f"Người {i}", passport=f"P{i:07d}") for i in range(8)]
    many = make_delegation("DV-IN5", stage="approved", members=members)
    web = login("leadership.viewer")
    web.get(f"/doan/{few.id}/in-ho-so")
    one = selects(db, lambda: web.get(f"/doan/{few.id}/in-ho-so"))
    more = selects(db, lambda: web.get(f"/doan/{many.id}/in-ho-so"))
    # the user, the delegation, members, itinerary, reviews, permits, reports, steps, the
    # former names (a viewer: masked, nothing audited)
    assert len(one) == len(more) <= 10
