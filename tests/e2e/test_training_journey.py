"""Browser journey of training courses: an officer of foreign affairs creates a course
(after a date error), records the trainees of two agencies (after too many names), and
reads the year's summary; at desktop and phone widths, with no sideways scroll."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e

# Each width uses its own year, so the summary shows exactly its own course (the demo
# workbook has courses in the last two full years, so these are earlier ones).
VIEWPORTS = [
    ({"width": 1366, "height": 900}, 2022),
    ({"width": 390, "height": 844}, 2023),
]


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize(("viewport", "year"), VIEWPORTS, ids=["desktop", "phone"])
def test_officer_records_a_course_and_reads_the_summary(browser, base_url, viewport, year):
    width = viewport["width"]
    page = signed_in(browser, base_url, "foreign_affairs.officer", viewport)
    if width < 992:  # the menu is collapsed behind its toggler
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Mở menu").click()
    menu = open_menu(page, "Đối ngoại nhân dân")
    menu.get_by_role("link", name="Đào tạo, bồi dưỡng").click()
    expect(page.get_by_role("heading", name="Khóa đào tạo, bồi dưỡng cán bộ")).to_be_visible()
    no_sideways_scroll(page, width)

    page.get_by_role("link", name="+ Thêm khóa đào tạo").click()
    code = f"dt-{year}-e2e"
    page.get_by_label("Mã khóa đào tạo", exact=True).fill(code)
    page.get_by_label("Tên khóa đào tạo, bồi dưỡng", exact=True).fill(
        "Bồi dưỡng công tác đối ngoại nhân dân cho cán bộ cấp xã"
    )
    page.get_by_label("Từ ngày", exact=True).fill(f"15/05/{year}")
    page.get_by_label("Đến ngày", exact=True).fill(f"10/05/{year}")  # before the start
    page.get_by_label("Cơ quan tổ chức", exact=True).select_option(
        label="Sở Ngoại vụ tỉnh Quảng Ngãi"
    )
    page.get_by_label("Địa điểm", exact=True).fill("Thành phố Quảng Ngãi")
    page.get_by_label("Chủ đề", exact=True).select_option(["doi_ngoai_nhan_dan", "ngoai_ngu"])
    page.get_by_label("Kinh phí (VNĐ)", exact=True).fill("12.500.000")
    page.get_by_label("Nguồn kinh phí", exact=True).fill(f"Kinh phí đối ngoại nhân dân {year}")
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Lưu").click()

    end = page.get_by_label("Đến ngày", exact=True)
    expect(end).to_have_class(re.compile(r"\bis-invalid\b"))
    # The field's own box (a date field sits in an input group with its calendar button).
    end_box = page.locator(".mb-3", has=page.locator("#end_on"))
    expect(end_box.locator(".invalid-feedback")).to_be_visible()
    expect(end_box.locator(".invalid-feedback")).to_have_text(
        "Ngày kết thúc không được trước ngày bắt đầu."
    )
    end.fill(f"17/05/{year}")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text(f"Đã tạo khóa đào tạo {code.upper()}.")).to_be_visible()
    expect(page.get_by_text(f"15/05/{year} – 17/05/{year}")).to_be_visible()
    expect(page.get_by_text("12.500.000 ₫")).to_be_visible()

    page.get_by_label("Cơ quan cử học viên", exact=True).select_option(
        label="Công an tỉnh Quảng Ngãi"
    )
    page.get_by_label("Số học viên", exact=True).fill("2")
    page.get_by_label("Họ tên học viên", exact=True).fill("Nguyễn Văn An\nTrần Thị Bình")
    page.get_by_role("button", name="Ghi học viên").click()
    expect(page.get_by_text("Đã ghi 2 học viên của Công an tỉnh Quảng Ngãi.")).to_be_visible()

    page.get_by_label("Cơ quan cử học viên", exact=True).select_option(
        label="Sở Nội vụ tỉnh Quảng Ngãi"
    )
    page.get_by_label("Số học viên", exact=True).fill("3")
    page.get_by_label("Họ tên học viên", exact=True).fill("A Lềnh\nY Bơr\nA Thuận\nY Hoa")
    page.get_by_role("button", name="Ghi học viên").click()
    names_box = page.locator(".mb-3", has=page.locator("#names"))
    expect(names_box.locator(".invalid-feedback")).to_be_visible()
    expect(names_box.locator(".invalid-feedback")).to_contain_text(
        "Đã ghi 4 họ tên nhưng số học viên chỉ là 3"
    )
    page.get_by_label("Họ tên học viên", exact=True).fill("A Lềnh\nY Bơr")
    page.get_by_role("button", name="Ghi học viên").click()
    expect(page.get_by_text("Đã ghi 3 học viên của Sở Nội vụ tỉnh Quảng Ngãi.")).to_be_visible()
    expect(page.get_by_test_id("trainee-total")).to_have_text("5")
    expect(page.get_by_test_id("attendance-row")).to_have_count(2)
    no_sideways_scroll(page, width)

    page.get_by_role("link", name="Đào tạo, bồi dưỡng").first.click()
    page.get_by_role("link", name="Thống kê đào tạo").click()
    page.get_by_label("Năm", exact=True).select_option(str(year))
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", name=f"Thống kê đào tạo năm {year}")).to_be_visible()
    expect(page.get_by_test_id("summary-courses")).to_have_text("1")
    expect(page.get_by_test_id("summary-trainees")).to_have_text("5")
    expect(page.get_by_test_id("summary-cost")).to_have_text("12.500.000 ₫")
    by_agency = page.get_by_test_id("by-agency")
    expect(by_agency.locator("tbody tr").first).to_contain_text("Sở Nội vụ tỉnh Quảng Ngãi")
    expect(by_agency.locator("tbody tr").first).to_contain_text("3")
    expect(by_agency).to_contain_text("Công an tỉnh Quảng Ngãi")
    topic_row = page.get_by_test_id("by-topic").locator("tr", has_text="Ngoại ngữ")
    expect(topic_row).to_contain_text("1")
    expect(topic_row).to_contain_text("5")
    no_sideways_scroll(page, width)
