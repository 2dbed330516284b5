"""Browser journey (issue 11): the officer of an agency holding two duties (aid focal and
foreign affairs) receives an aid dossier, then receives, appraises and approves a
delegation that the police reviewed."""

from datetime import timedelta

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
        org = db.session.scalar(db.select(Organization).where(Organization.code == "E2E-DU"))
        if org is None:
            org = Organization(code="E2E-DU", name="Dual Duty Donor E2E", kind="ngo", country="DE")
            db.session.add(org)
            db.session.commit()
        return org.id


def test_two_duty_agency_creates_aid_and_approves_a_delegation(browser, base_url, donor):
    today = today_vn()
    dual = signed_in(browser, base_url, "dual.officer")
    open_menu(dual, "Viện trợ")
    dual.get_by_role("link", name="Khoản viện trợ").click()
    dual.get_by_role("link", name="+ Tiếp nhận hồ sơ").click()
    dual.get_by_label("Mã khoản viện trợ").fill("E2E-DUAL-1")
    dual.get_by_label("Tên khoản viện trợ").fill("Nước sạch cho xã Mô Rai")
    dual.get_by_label("Hình thức").select_option("du_an")
    dual.get_by_label("Nhà tài trợ chính").select_option(str(donor))
    dual.get_by_label("Giá trị viện trợ").fill("20.000")
    dual.get_by_label("Tiền tệ").select_option("EUR")
    dual.get_by_label("Tỷ giá (VNĐ/đơn vị)").fill("27.000")
    dual.get_by_label("Lĩnh vực 1", exact=True).select_option("cong_dong")
    dual.get_by_label("Ngày hồ sơ hợp lệ").fill(format_date(today))
    dual.get_by_role("button", name="Lưu hồ sơ").click()
    expect(dual.get_by_text("Đã tiếp nhận hồ sơ khoản viện trợ E2E-DUAL-1.")).to_be_visible()

    host = signed_in(browser, base_url, "other.officer")
    host.goto(f"{base_url}/doan/moi")
    host.get_by_label("Mã đoàn").fill("E2E-DUAL-D")
    host.get_by_label("Tên đoàn").fill("Đoàn khảo sát nước sạch")
    host.get_by_label("Bên cử đoàn / nơi đến").fill("Dual Duty Donor E2E")
    host.get_by_label("Quốc gia (nơi đi").select_option("DE")
    host.get_by_label("Từ ngày").fill(format_date(today + timedelta(days=20)))
    host.get_by_label("Đến ngày").fill(format_date(today + timedelta(days=21)))
    host.get_by_label("Địa điểm, dòng 1").fill("UBND xã Đăk Tô")
    host.get_by_role("button", name="Lưu hồ sơ đoàn").click()
    expect(host.get_by_text("Đã lập hồ sơ đoàn E2E-DUAL-D.")).to_be_visible()
    detail_url = host.url
    host.get_by_role("link", name="+ Thêm thành viên").click()
    host.get_by_label("Họ và tên").fill("Anna Schmidt")
    host.get_by_label("Quốc tịch").select_option("DE")
    host.get_by_label("Số hộ chiếu").fill("C01X00T47")
    host.get_by_label("Ngày sinh").fill("03/05/1980")
    host.get_by_label("Trưởng đoàn").check()
    host.get_by_role("button", name="Lưu", exact=True).click()
    host.get_by_role("link", name="Gửi hồ sơ đề nghị").click()
    host.get_by_role("button", name="Gửi hồ sơ đề nghị").click()

    dual.goto(f"{base_url}/doan/viec-can-xu-ly")
    dual.get_by_test_id("to-receive").get_by_role("link", name="E2E-DUAL-D").click()
    dual.get_by_role("link", name="Tiếp nhận, xem xét").click()
    dual.get_by_role("button", name="Tiếp nhận, xem xét").click()
    dual.get_by_test_id("review-foreign_affairs").get_by_role("link", name="Ghi ý kiến").click()
    dual.get_by_label("Nội dung").fill("Phù hợp")
    dual.get_by_role("button", name="Lưu ý kiến").click()

    police = signed_in(browser, base_url, "police.officer")
    police.goto(detail_url)
    police.get_by_test_id("review-police").get_by_role("link", name="Ghi ý kiến").click()
    police.get_by_label("Ý kiến", exact=True).select_option("dong_y")
    police.get_by_label("Nội dung").fill("Không có vấn đề an ninh")
    police.get_by_role("button", name="Lưu ý kiến").click()
    expect(police.get_by_test_id("review-police")).to_contain_text("Đồng ý")

    dual.goto(detail_url)
    dual.get_by_role("link", name="Phê duyệt đoàn").click()
    dual.get_by_label("Số văn bản / quyết định").fill("9/UBND-NgV")
    dual.get_by_label("Ngày phê duyệt").fill(format_date(today))
    dual.get_by_role("button", name="Phê duyệt đoàn").click()
    expect(dual.get_by_text("Đã thực hiện: Phê duyệt đoàn.")).to_be_visible()
