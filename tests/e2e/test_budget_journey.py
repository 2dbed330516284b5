"""Browser journey of the yearly budget (issue 13, part 3): an agency proposes, finance
allocates, the agency records spending above the allocation (asked to confirm) and sees
the flag, finance checks; at desktop and phone widths, with no sideways scroll."""

import pytest
from playwright.sync_api import expect

from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e

# Each width uses its own year (one live line per agency and year). The agency is the
# provincial police: any agency records its own budget the same way.
VIEWPORTS = [
    ({"width": 1366, "height": 900}, 2024),
    ({"width": 390, "height": 844}, 2023),
]


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize(("viewport", "year"), VIEWPORTS, ids=["desktop", "phone"])
def test_agency_proposes_finance_allocates_agency_overspends_finance_checks(
    browser, base_url, viewport, year
):
    width = viewport["width"]
    agency = signed_in(browser, base_url, "police.officer", viewport)
    if width < 992:  # the menu is collapsed behind its toggler
        agency.wait_for_load_state("load")
        agency.get_by_role("button", name="Mở menu").click()
    open_menu(agency, "Đối ngoại nhân dân").get_by_role(
        "link", name="Ngân sách đối ngoại nhân dân"
    ).click()
    expect(agency.get_by_role("heading", name="Ngân sách đối ngoại nhân dân")).to_be_visible()
    no_sideways_scroll(agency, width)

    agency.get_by_role("link", name="+ Đề xuất ngân sách").click()
    agency.get_by_label("Năm ngân sách", exact=True).fill(str(year))
    agency.get_by_label("Kinh phí đề xuất (VNĐ)", exact=True).fill("150.000.000")
    agency.get_by_label("Thuyết minh đề xuất", exact=True).fill("Đón 2 đoàn hữu nghị Lào")
    no_sideways_scroll(agency, width)
    agency.get_by_role("button", name="Gửi đề xuất").click()
    expect(agency.get_by_text(f"Đã gửi đề xuất ngân sách năm {year}.")).to_be_visible()
    expect(agency.get_by_test_id("figures")).to_contain_text("150.000.000 ₫")
    expect(agency.get_by_role("link", name="Phân bổ kinh phí")).to_have_count(0)
    line_url = agency.url
    no_sideways_scroll(agency, width)

    finance = signed_in(browser, base_url, "finance.officer", viewport)
    finance.goto(f"{base_url}/ngan-sach/?year={year}")
    finance.get_by_role("link", name="Công an tỉnh Quảng Ngãi").click()
    finance.get_by_role("link", name="Phân bổ kinh phí").click()
    finance.get_by_label("Kinh phí được phân bổ (VNĐ)", exact=True).fill("100.000.000")
    finance.get_by_label("Số quyết định phân bổ", exact=True).fill(f"25/QĐ-UBND-{year}")
    finance.get_by_label("Ngày quyết định", exact=True).fill(f"15/01/{year}")
    no_sideways_scroll(finance, width)
    finance.get_by_role("button", name="Phân bổ kinh phí").click()
    expect(finance.get_by_text("Đã thực hiện: Phân bổ kinh phí.")).to_be_visible()
    expect(finance.get_by_test_id("figures")).to_contain_text("100.000.000 ₫")

    agency.goto(line_url)
    agency.get_by_role("link", name="Ghi khoản chi").click()
    agency.get_by_label("Ngày chi", exact=True).fill(f"20/03/{year}")
    agency.get_by_label("Số tiền (VNĐ)", exact=True).fill("120.000.000")
    agency.get_by_label("Số chứng từ", exact=True).fill("PC-15")
    agency.get_by_label("Nội dung hoạt động", exact=True).fill("Đón đoàn Hội hữu nghị Lào")
    agency.get_by_role("button", name="Lưu khoản chi").click()
    confirm = agency.get_by_label("Tôi xác nhận khoản chi làm tổng chi vượt số được phân bổ")
    expect(agency.get_by_test_id("over-allocation")).to_contain_text("120.000.000 ₫")
    no_sideways_scroll(agency, width)
    confirm.check()
    agency.get_by_role("button", name="Lưu khoản chi").click()
    expect(agency.get_by_text("Đã ghi khoản chi.")).to_be_visible()
    expect(agency.get_by_test_id("flags")).to_contain_text("Chi vượt số được phân bổ")
    expect(agency.get_by_test_id("spending-row")).to_contain_text("PC-15")
    no_sideways_scroll(agency, width)
    agency.goto(f"{base_url}/ngan-sach/?flag=vuot_phan_bo")
    expect(agency.get_by_test_id("budget-row").filter(has_text=str(year))).to_have_count(1)
    no_sideways_scroll(agency, width)

    finance.goto(line_url)
    finance.get_by_role("link", name="Kiểm tra, kết luận").click()
    finance.get_by_label("Kết luận", exact=True).select_option(
        label="Chưa đúng mục đích – yêu cầu giải trình"
    )
    finance.get_by_label("Nhận xét của cơ quan tài chính", exact=True).fill(
        "Giải trình khoản chi vượt 20.000.000 đồng"
    )
    finance.get_by_role("button", name="Kiểm tra, kết luận").click()
    expect(finance.get_by_test_id("finance-check")).to_contain_text(
        "Chưa đúng mục đích – yêu cầu giải trình"
    )
    expect(finance.get_by_text("Đã kiểm tra").first).to_be_visible()
    no_sideways_scroll(finance, width)

    agency.goto(line_url)
    expect(agency.get_by_test_id("finance-check")).to_contain_text("Giải trình khoản chi vượt")
    expect(agency.get_by_role("link", name="Ghi khoản chi")).to_have_count(0)
    no_sideways_scroll(agency, width)
