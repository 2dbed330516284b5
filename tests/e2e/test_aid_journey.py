"""Browser journey: dossier → opinions answered from the inboxes → approval → disbursement."""

import pytest
from playwright.sync_api import expect

from app.core.dates import format_date, today_vn
from app.extensions import db
from app.orgs.models import Organization
from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def donor(live_app):
    with live_app.app_context():
        org = db.session.scalar(db.select(Organization).where(Organization.code == "E2E-AP"))
        if org is None:
            org = Organization(code="E2E-AP", name="Asia Partners E2E", kind="ngo", country="KR")
            db.session.add(org)
            db.session.commit()
        return org.id


def test_aid_dossier_to_disbursement(browser, base_url, donor):
    today = format_date(today_vn())
    planner = signed_in(browser, base_url, "planning.officer")
    open_menu(planner, "Viện trợ")
    planner.get_by_role("link", name="Khoản viện trợ").click()
    planner.get_by_role("link", name="+ Tiếp nhận hồ sơ").click()
    planner.get_by_label("Mã khoản viện trợ").fill("E2E-001")
    planner.get_by_label("Tên khoản viện trợ").fill("Xây dựng nhà văn hóa thôn Đăk Rơ Wa")
    planner.get_by_label("Hình thức").select_option("du_an")
    planner.get_by_label("Nhà tài trợ chính").select_option(str(donor))
    planner.get_by_label("Giá trị viện trợ").fill("50.000")
    planner.get_by_label("Tiền tệ").select_option("USD")
    planner.get_by_label("Tỷ giá (VNĐ/đơn vị)").fill("25.000")
    planner.get_by_label("Lĩnh vực 1", exact=True).select_option("cong_dong")
    planner.get_by_label("Ngày hồ sơ hợp lệ").fill("31/02/2025")
    planner.get_by_role("button", name="Lưu hồ sơ").click()
    # A bad date is shown next to its field and nothing is saved.
    expect(planner.get_by_text("Ngày không hợp lệ: '31/02/2025'")).to_be_visible()
    planner.get_by_label("Ngày hồ sơ hợp lệ").fill(today)
    planner.get_by_role("button", name="Lưu hồ sơ").click()
    expect(planner.get_by_text("Đã tiếp nhận hồ sơ khoản viện trợ E2E-001.")).to_be_visible()
    expect(planner.get_by_text("1.250.000.000 ₫")).to_be_visible()
    detail_url = planner.url

    planner.get_by_role("link", name="Xin ý kiến các cơ quan").click()
    planner.get_by_label("Sở Ngoại vụ tỉnh Quảng Ngãi").uncheck()
    planner.get_by_role("button", name="Xin ý kiến các cơ quan").click()
    expect(planner.get_by_text("Đã thực hiện: Xin ý kiến các cơ quan.")).to_be_visible()

    for username, verdict in (
        ("police.officer", "dong_y"),
        ("finance.officer", "dong_y_co_dieu_kien"),
    ):
        officer = signed_in(browser, base_url, username)
        open_menu(officer, "Viện trợ")
        officer.get_by_role("link", name="Việc cần xử lý (viện trợ)").click()
        row = officer.get_by_test_id("opinions-inbox").get_by_role("row").filter(has_text="E2E-001")
        row.get_by_role("link", name="Góp ý").click()
        officer.get_by_label("Ý kiến", exact=True).select_option(verdict)
        officer.get_by_label("Nội dung ý kiến").fill("Thống nhất với đề xuất.")
        officer.get_by_role("button", name="Gửi ý kiến").click()
        expect(officer.get_by_text("Đã gửi ý kiến góp ý.")).to_be_visible()
        officer.context.close()

    planner.goto(detail_url)
    planner.get_by_role("link", name="Kết luận thẩm định").click()
    planner.get_by_label("Ngày thẩm định").fill(today)
    planner.get_by_label("Kết luận thẩm định").fill("Đủ điều kiện phê duyệt")
    planner.get_by_role("button", name="Kết luận thẩm định").click()
    planner.get_by_role("link", name="Ghi quyết định phê duyệt").click()
    planner.get_by_label("Số quyết định").fill("QĐ thiếu số")
    planner.get_by_label("Ngày ký").fill(today)
    planner.get_by_role("button", name="Ghi quyết định phê duyệt").click()
    expect(planner.get_by_text("Số quyết định không hợp lệ (ví dụ: 123/QĐ-UBND).")).to_be_visible()
    planner.get_by_label("Số quyết định").fill("456/QĐ-UBND")
    planner.get_by_role("button", name="Ghi quyết định phê duyệt").click()
    expect(planner.get_by_text("Đã thực hiện: Ghi quyết định phê duyệt.")).to_be_visible()

    planner.get_by_role("link", name="+ Ghi nhận giải ngân").click()
    planner.get_by_label("Ngày giải ngân / tiếp nhận").fill(today)
    planner.get_by_label("Số tiền").fill("20.000")
    planner.get_by_role("button", name="Lưu").click()
    expect(planner.get_by_test_id("disbursed-total")).to_contain_text("500.000.000 ₫")
    expect(planner.get_by_test_id("disbursed-total")).to_contain_text("40,0%")
    expect(planner.get_by_test_id("timeline")).to_contain_text("Đã phê duyệt")
