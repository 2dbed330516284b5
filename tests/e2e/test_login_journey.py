import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_login_shows_home_and_logout(page, base_url, browser_login):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/dang-nhap?next=%2F")

    browser_login("planning.officer", "sai-mat-khau")
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()

    browser_login("planning.officer")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    # Other journeys share this database, so the card may list tasks or say there are none.
    expect(page.get_by_role("heading", name="Việc cần xử lý")).to_be_visible()
    # An officer sees no administration menu.
    expect(page.get_by_role("button", name="Quản trị")).to_have_count(0)
    expect(page.get_by_role("link", name="Quản trị")).to_have_count(0)


def test_admin_creates_user_with_field_error_first(page, base_url, browser_login):
    browser_login("admin")
    page.goto(f"{base_url}/quan-tri/nguoi-dung/moi")
    page.get_by_label("Tên đăng nhập").fill("planning.officer")  # already taken
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Thử")
    page.get_by_label("Mật khẩu").fill("mat-khau-moi-1")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("đã được dùng")

    page.get_by_label("Tên đăng nhập").fill("nguyen.thu")
    page.get_by_label("Mật khẩu").fill("mat-khau-moi-1")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã tạo người dùng nguyen.thu.")).to_be_visible()
    page.get_by_placeholder("Tìm theo tên, tên đăng nhập").fill("nguyen van thu")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("link", name="nguyen.thu")).to_be_visible()
