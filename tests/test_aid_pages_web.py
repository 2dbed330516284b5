"""The aid item's page and its small forms through logged-in clients: what each user is
offered (may), stale saves refused with 409, unknown pages 404, one search for every list."""

import io
from datetime import date

import sqlalchemy as sa

from app.aid.models import Disbursement, Inspection, Opinion
from app.aid.states import AidStatus
from app.core.dates import format_date, today_vn
from app.core.models import Attachment
from tests.fixtures.aid import agency_ids

S = AidStatus
STALE = "người khác thay đổi"


def test_item_page_offers_what_the_user_may_do(login, make_item):
    received = make_item("P-1")
    running = make_item("P-2", status=S.DANG_THUC_HIEN)
    planner, viewer = login("planning.officer"), login("planning.viewer")
    page = planner.get(f"/vien-tro/{received.id}").get_data(as_text=True)
    assert f"/vien-tro/{received.id}/sua" in page and "Xin ý kiến các cơ quan" in page
    assert "Giải ngân, tiếp nhận" not in page  # no follow-up before the decision
    page = planner.get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert f"/vien-tro/{running.id}/sua" not in page
    for kind in ("giai-ngan", "bao-cao", "kiem-tra"):
        assert f"/vien-tro/{running.id}/ghi-nhan/{kind}" in page
    assert "Tạm dừng" in page and "Ghi quyết định điều chỉnh" in page
    page = viewer.get(f"/vien-tro/{running.id}").get_data(as_text=True)
    assert "/ghi-nhan/" not in page and "/buoc/" not in page and "Lưu trữ" not in page
    assert 'data-testid="timeline"' in page and "Đang thực hiện" in page


def test_follow_up_pages_refused_before_approval_and_unknown_kind_404(login, make_item):
    received = make_item()
    planner = login("planning.officer")
    # The form is not shown: its GET goes back to the item with a message (the browser's
    # Back, issue 14); a POST is refused with 409 and the reason.
    shown = planner.get(f"/vien-tro/{received.id}/ghi-nhan/giai-ngan")
    assert shown.status_code == 302 and shown.headers["Location"].endswith(
        f"/vien-tro/{received.id}"
    )
    refused = planner.post(
        f"/vien-tro/{received.id}/ghi-nhan/giai-ngan",
        {"disbursed_on": "01/05/2025", "amount": "1000", "currency": "VND"},
    )
    assert refused.status_code == 409
    assert "Chỉ ghi nhận giải ngân" in refused.get_data(as_text=True)
    assert planner.get(f"/vien-tro/{received.id}/ghi-nhan/khac").status_code == 404
    assert planner.get("/vien-tro/999999").status_code == 404
    assert planner.get("/vien-tro/999999/buoc/approve").status_code == 404


def test_step_page_is_the_shared_one(login, make_item):
    item = make_item(status=S.DANG_THUC_HIEN)
    page = login("planning.officer").get(f"/vien-tro/{item.id}/ghi-nhan/giai-ngan")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ghi nhận giải ngân / tiếp nhận" in body and item.code in body
    assert f'href="/vien-tro/{item.id}"' in body  # the cancel link back to the item
    step = login("planning.officer").get(f"/vien-tro/{item.id}/buoc/suspend")
    assert "Tạm dừng" in step.get_data(as_text=True)


def test_stale_item_archive_is_409(login, make_item, db):
    item = make_item()
    planner = login("planning.officer")
    stale = planner.post(
        f"/vien-tro/{item.id}/luu-tru", {"reason": "Trùng", "version": item.version - 1}
    )
    assert stale.status_code == 409 and STALE in stale.get_data(as_text=True)
    done = planner.post(
        f"/vien-tro/{item.id}/luu-tru", {"reason": "Trùng", "version": item.version}
    )
    assert done.status_code == 302
    db.session.refresh(item)
    assert item.is_archived


def test_stale_opinion_answer_is_409(login, make_item, db):
    item = make_item()
    planner = login("planning.officer")
    planner.post(
        f"/vien-tro/{item.id}/buoc/request_opinions", {"agency_ids": agency_ids(db, "police")}
    )
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.aid_item_id == item.id))
    police = login("police.officer")
    answer = {"verdict": "dong_y", "answer": "Đồng ý"}
    stale = police.post(
        f"/vien-tro/y-kien/{opinion.id}", {**answer, "version": opinion.version + 1}
    )
    assert stale.status_code == 409 and STALE in stale.get_data(as_text=True)
    db.session.refresh(opinion)
    assert opinion.verdict is None
    done = police.post(f"/vien-tro/y-kien/{opinion.id}", {**answer, "version": opinion.version})
    assert done.status_code == 302


def test_stale_follow_up_rows_are_409(app, login, make_item, db, user):
    from app.aid import services

    item = make_item(status=S.DANG_THUC_HIEN)
    planner_user = user("planning.officer")
    with app.app_context():
        inspection = services.add_inspection(
            item, inspected_on=date(2025, 6, 1), team="Sở Tài chính", user=planner_user
        )
        paid = services.add_disbursement(item, date(2025, 6, 1), 1000, "VND", user=planner_user)
    db.session.commit()
    planner = login("planning.officer")
    url = f"/vien-tro/kiem-tra/{inspection.id}/khac-phuc"
    stale = planner.post(url, {"follow_up": "da_xu_ly", "version": inspection.version + 1})
    assert stale.status_code == 409
    assert (
        planner.post(url, {"follow_up": "da_xu_ly", "version": inspection.version}).status_code
        == 302
    )
    assert db.session.get(Inspection, inspection.id).follow_up == "da_xu_ly"
    url = f"/vien-tro/giai-ngan/{paid.id}/huy"
    stale = planner.post(url, {"reason": "Nhập nhầm", "version": paid.version + 1})
    assert stale.status_code == 409
    assert not db.session.get(Disbursement, paid.id).is_archived
    assert planner.post(url, {"reason": "Nhập nhầm", "version": paid.version}).status_code == 302


def test_report_with_its_file_and_inspection_through_the_step_page(login, make_item, db):
    item = make_item(status=S.DANG_THUC_HIEN)
    planner = login("planning.officer")
    today = format_date(today_vn())
    report = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/bao-cao",
        {
            "kind": "nam",
            "received_on": today,
            "file": (io.BytesIO(b"%PDF-1.4 report"), "bao-cao.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Đã lưu: ghi nhận báo cáo." in report.get_data(as_text=True)
    assert "bao-cao.pdf" in report.get_data(as_text=True)
    assert db.session.scalar(
        sa.select(sa.func.count(Attachment.id)).where(Attachment.owner_type == "aid_report")
    )
    bad = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/kiem-tra",
        {"inspected_on": "01/01/2099", "team": "Sở Tài chính", "follow_up": "chua_xu_ly"},
    )
    assert bad.status_code == 422 and "sau ngày hôm nay" in bad.get_data(as_text=True)


def test_list_search_matches_word_by_word(login, make_item):
    make_item("WB-1", name="Trường học Đắk Hà")
    web = login("leadership.viewer")
    assert ">WB-1</a>" in web.get("/vien-tro/?q=ha dak truong").get_data(as_text=True)
    assert ">WB-1</a>" not in web.get("/vien-tro/?q=truong ngoc").get_data(as_text=True)


def test_home_links_to_the_overdue_list(login, make_item):
    make_item("OLD-1", dossier_received_on=date(2025, 1, 2), dossier_complete_on=date(2025, 1, 3))
    home = login("planning.officer").get("/").get_data(as_text=True)
    assert 'href="/vien-tro/?overdue=1"' in home and "Hồ sơ viện trợ quá hạn" in home


def test_item_page_shows_the_whole_dossier_text_with_its_line_breaks(login, make_item):
    item = make_item(
        "P-TXT",
        objectives="Nâng cao năng lực\nGiảm tỷ lệ bỏ học",
        description="Xây 2 phòng học\nTập huấn giáo viên",
    )
    page = login("planning.viewer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "Nội dung, hoạt động chính" in page
    assert (
        '<dd class="col-sm-8 pre-line" data-testid="description">Xây 2 phòng học\nTập huấn' in page
    )
    assert '<dd class="col-sm-8 pre-line">Nâng cao năng lực\nGiảm tỷ lệ bỏ học</dd>' in page
