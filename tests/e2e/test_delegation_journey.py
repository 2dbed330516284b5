"""Browser journey: a host unit's request → both reviews → approval → visit report."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.dates import format_date, today_vn
from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e


def test_incoming_delegation_request_to_report(browser, base_url):
    today = today_vn()
    host = signed_in(browser, base_url, "other.officer")
    open_menu(host, "Đoàn ra, đoàn vào")
    host.get_by_role("link", name="Danh sách đoàn").click()
    host.get_by_role("link", name="+ Lập hồ sơ đoàn").click()
    host.get_by_label("Mã đoàn").fill("E2E-DV-01")
    host.get_by_label("Tên đoàn").fill("Đoàn JICA thăm dự án trường học")
    host.get_by_label("Bên cử đoàn / nơi đến").fill("JICA")
    host.get_by_label("Quốc gia (nơi đi").select_option("JP")
    host.get_by_label("Từ ngày").fill(format_date(today))
    host.get_by_label("Đến ngày").fill(format_date(today - timedelta(days=1)))
    host.get_by_role("button", name="Lưu hồ sơ đoàn").click()
    expect(host.get_by_text("Ngày kết thúc không được trước ngày bắt đầu.")).to_be_visible()
    host.get_by_label("Đến ngày").fill(format_date(today + timedelta(days=2)))
    host.get_by_label("Địa điểm, dòng 1").fill("Trường Tiểu học Đăk Tô")
    host.get_by_role("button", name="Lưu hồ sơ đoàn").click()
    expect(host.get_by_text("Đã lập hồ sơ đoàn E2E-DV-01.")).to_be_visible()
    detail_url = host.url

    host.get_by_role("link", name="+ Thêm thành viên").click()
    host.get_by_label("Họ và tên").fill("Tanaka Hiroshi")
    host.get_by_label("Quốc tịch").select_option("JP")
    host.get_by_label("Số hộ chiếu").fill("tr 123 456")
    host.get_by_label("Ngày sinh").fill("12/04/1975")
    host.get_by_label("Trưởng đoàn").check()
    host.get_by_role("button", name="Lưu", exact=True).click()
    expect(host.get_by_test_id("members")).to_contain_text("Tanaka Hiroshi")
    # The lodging unit sees (and may correct) the personal data it typed until approval.
    expect(host.get_by_test_id("members")).to_contain_text("TR123456")
    host.get_by_role("link", name="Gửi hồ sơ đề nghị").click()
    host.get_by_role("button", name="Gửi hồ sơ đề nghị").click()
    expect(host.get_by_text("Lưu ý: hồ sơ gửi muộn")).to_be_visible()

    fa = signed_in(browser, base_url, "foreign_affairs.officer")
    fa.goto(f"{base_url}/doan/viec-can-xu-ly")
    fa.get_by_test_id("to-receive").get_by_role("link", name="E2E-DV-01").click()
    expect(fa.get_by_test_id("members")).to_contain_text("TR123456")
    fa.get_by_role("link", name="Tiếp nhận, xem xét").click()
    fa.get_by_role("button", name="Tiếp nhận, xem xét").click()
    fa.get_by_test_id("review-foreign_affairs").get_by_role("link", name="Ghi ý kiến").click()
    fa.get_by_label("Nội dung").fill("Phù hợp chương trình hợp tác")
    fa.get_by_role("button", name="Lưu ý kiến").click()

    police = signed_in(browser, base_url, "police.officer")
    police.goto(detail_url)
    police.get_by_test_id("review-police").get_by_role("link", name="Ghi ý kiến").click()
    police.get_by_label("Ý kiến", exact=True).select_option("dong_y_co_dieu_kien")
    police.get_by_label("Nội dung").fill("Đề nghị đơn vị đón tiếp bố trí người đi cùng")
    police.get_by_role("button", name="Lưu ý kiến").click()
    expect(police.get_by_test_id("review-police")).to_contain_text("Đồng ý có điều kiện")

    fa.goto(detail_url)
    fa.get_by_role("link", name="Phê duyệt đoàn").click()
    fa.get_by_label("Số văn bản / quyết định").fill("88/UBND-NgV")
    fa.get_by_label("Ngày phê duyệt").fill(format_date(today))
    fa.get_by_role("button", name="Phê duyệt đoàn").click()
    expect(fa.get_by_text("Đã thực hiện: Phê duyệt đoàn.")).to_be_visible()

    host.goto(detail_url)
    # Once approved, the lodging unit sees the personal data masked.
    expect(host.get_by_test_id("members")).not_to_contain_text("TR123456")
    host.get_by_role("link", name="Nộp báo cáo kết quả").click()
    host.get_by_label("Ngày báo cáo").fill(format_date(today))
    host.get_by_label("Kết quả chuyến đi / đón đoàn").fill("Đoàn làm việc đúng chương trình")
    host.get_by_role("button", name="Báo cáo kết quả").click()
    host.get_by_role("link", name="Hoàn thành").click()
    host.get_by_role("button", name="Hoàn thành").click()
    expect(host.get_by_test_id("timeline")).to_contain_text("Hoàn thành")
