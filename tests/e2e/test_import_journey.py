"""Browser journey: upload a workbook → validation report → fix → confirm → result."""

import pytest
from playwright.sync_api import expect

from app.demo_records import build_workbook
from tests.test_transfer_import import workbook

pytestmark = pytest.mark.e2e


def test_upload_report_confirm(page, base_url, browser_login, tmp_path):
    broken = tmp_path / "so-lieu-loi.xlsx"
    broken.write_bytes(
        workbook(ToChuc=[["ma", "ten", "loai", "quoc_gia"], ["X1", "Org", "ngo", "Atlantis"]])
    )
    good = tmp_path / "so-lieu.xlsx"
    good.write_bytes(
        build_workbook(organizations=5, items=8, disbursements=10, delegations=4, members=8, seed=7)
    )

    browser_login("planning.officer")
    page.get_by_role("link", name="Nhập, xuất dữ liệu").click()
    page.get_by_label("Tệp dữ liệu").set_input_files(str(broken))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("Không dữ liệu nào được ghi")
    expect(page.get_by_text("Atlantis")).to_be_visible()

    page.get_by_role("link", name="Tải lên tệp khác").click()
    page.get_by_label("Tệp dữ liệu").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_test_id("import-ok")).to_be_visible()
    expect(page.get_by_test_id("import-counts")).to_contain_text("VienTro")
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(page.get_by_role("heading", name="Đã nhập dữ liệu")).to_be_visible()
    aid_row = page.get_by_test_id("import-result").get_by_role("row").filter(has_text="VienTro")
    expect(aid_row.get_by_role("cell").nth(1)).to_have_text("8")  # created
    page.get_by_role("link", name="Xem khoản viện trợ").click()
    expect(page.get_by_text("Hiển thị")).to_contain_text("bản ghi")
