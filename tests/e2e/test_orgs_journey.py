import pytest
from playwright.sync_api import expect

from tests.conftest import open_menu

pytestmark = pytest.mark.e2e


def test_officer_creates_organisation_after_fixing_dates(page, base_url, browser_login):
    browser_login("planning.officer")
    open_menu(page, "Viện trợ")
    page.get_by_role("link", name="Nhà tài trợ").click()
    expect(page.get_by_role("heading", name="Nhà tài trợ, tổ chức nước ngoài")).to_be_visible()
    page.get_by_role("link", name="+ Thêm tổ chức").click()

    page.get_by_label("Mã tổ chức", exact=True).fill("hhn-dakto")
    page.get_by_label("Tên tổ chức", exact=True).fill("Friendship Association Đắk Tô")
    page.get_by_label("Tên tiếng Việt", exact=True).fill("Hội Hữu nghị Đắk Tô")
    page.get_by_label("Loại tổ chức", exact=True).select_option("ngo")
    page.get_by_label("Quốc gia", exact=True).select_option(label="Đức")
    page.get_by_label("Loại giấy đăng ký", exact=True).select_option("hoat_dong")
    page.get_by_label("Số giấy đăng ký", exact=True).fill("321/GĐK-BNG")
    page.get_by_label("Ngày cấp", exact=True).fill("15/03/2024")
    page.get_by_label("Ngày hết hạn", exact=True).fill("01/01/2024")  # before the issue date
    page.get_by_label("Thư điện tử", exact=True).fill("office@example.org")
    page.get_by_role("button", name="Lưu").click()

    expiry = page.get_by_label("Ngày hết hạn", exact=True)
    expect(expiry).to_have_class("form-control is-invalid")
    # the error sits right under the field's group (the field and its calendar button)
    feedback = page.locator(".date-group:has(#certificate_expires_on) + .invalid-feedback")
    expect(feedback).to_be_visible()
    expect(feedback).to_have_text("Ngày hết hạn không được trước ngày cấp.")
    # What was typed is kept.
    expect(page.get_by_label("Tên tiếng Việt", exact=True)).to_have_value("Hội Hữu nghị Đắk Tô")

    expiry.fill("14/03/2027")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã tạo tổ chức HHN-DAKTO.")).to_be_visible()
    expect(page.get_by_role("heading", name="Friendship Association Đắk Tô")).to_be_visible()
    expect(page.get_by_text("321/GĐK-BNG")).to_be_visible()
    expect(page.get_by_text("14/03/2027")).to_be_visible()

    open_menu(page, "Viện trợ")
    page.locator("#mainnav").get_by_role("link", name="Nhà tài trợ").click()
    page.get_by_placeholder("Tìm theo mã, tên tổ chức").fill("hoi huu nghi dak to")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("link", name="HHN-DAKTO")).to_be_visible()
    page.get_by_role("link", name="HHN-DAKTO").click()
    expect(page.get_by_role("heading", name="Friendship Association Đắk Tô")).to_be_visible()
