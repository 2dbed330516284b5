"""Browser journey of aid mobilisation: a foreign-affairs officer records a contact with a
donor, sends a proposal from it (after a missing rate), records the pledge and links the aid
item that resulted, then reads the year's funnel; at desktop and phone widths, with no
sideways scroll."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.aid.models import AidItem, Disbursement
from app.extensions import db
from app.orgs.models import Organization
from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e

# Each width has its own year and donor country, so the funnel shows exactly its own row.
VIEWPORTS = [
    ({"width": 1366, "height": 900}, 2022, "NZ", "New Zealand"),
    ({"width": 390, "height": 844}, 2021, "IE", "Ireland"),
]


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def seed(live_app, suffix: str, year: int, country: str) -> None:
    """The donor and the aid item approved and paid in the year (what the aid focal agency
    would have recorded)."""
    with live_app.app_context():
        if db.session.scalar(db.select(Organization.id).where(Organization.code == suffix)):
            return
        donor = Organization(code=suffix, name=f"Donor {suffix}", kind="ngo", country=country)
        db.session.add(donor)
        db.session.flush()
        item = AidItem(
            code=f"VT-{suffix}",
            name="Hệ thống nước sạch thôn Kon Klor",
            modality="du_an",
            value=800_000_000,
            currency="VND",
            value_vnd=800_000_000,
            status="dang_thuc_hien",
            decision_date=date(year, 6, 1),
            main_donor_id=donor.id,
        )
        db.session.add(item)
        db.session.flush()
        db.session.add(
            Disbursement(
                aid_item_id=item.id,
                disbursed_on=date(year, 8, 1),
                amount=300_000_000,
                currency="VND",
                value_vnd=300_000_000,
            )
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("viewport", "year", "country", "country_name"), VIEWPORTS, ids=["desktop", "phone"]
)
def test_officer_mobilises_aid_and_reads_the_funnel(
    browser, base_url, live_app, viewport, year, country, country_name
):
    width = viewport["width"]
    suffix = f"E2E-MOB-{width}"
    seed(live_app, suffix, year, country)
    page = signed_in(browser, base_url, "foreign_affairs.officer", viewport)
    if width < 992:  # the menu is collapsed behind its toggler
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Mở menu").click()
    menu = open_menu(page, "Đối ngoại nhân dân")
    menu.get_by_role("link", name="Vận động viện trợ", exact=True).click()
    expect(page.get_by_role("heading", name="Vận động viện trợ")).to_be_visible()
    no_sideways_scroll(page, width)

    # The contact.
    page.get_by_role("link", name="+ Ghi nhận tiếp xúc").click()
    # the form's page, its scripts run (they wrap the date field with its calendar button)
    expect(page.get_by_role("heading", name="Ghi nhận tiếp xúc với nhà tài trợ")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("Ngày tiếp xúc", exact=True).fill(f"10/02/{year}")
    page.get_by_label("Hình thức", exact=True).select_option(label="Gặp gỡ, làm việc")
    page.get_by_label("Mã nhà tài trợ", exact=True).fill(suffix.lower())
    page.get_by_label("Người tham gia (phía tỉnh)", exact=True).fill("Giám đốc Sở Ngoại vụ")
    page.get_by_label("Nội dung trao đổi", exact=True).fill("Nước sạch cho thôn Kon Klor")
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã ghi nhận tiếp xúc.")).to_be_visible()
    expect(page.get_by_role("heading", name="Nước sạch cho thôn Kon Klor")).to_be_visible()
    no_sideways_scroll(page, width)

    # The proposal sent after it: a foreign currency without its rate is refused first.
    page.get_by_role("link", name="Lập đề xuất từ tiếp xúc này").click()
    expect(page.get_by_label("Mã nhà tài trợ", exact=True)).to_have_value(suffix)
    page.get_by_label("Mã đề xuất", exact=True).fill(f"DX-{suffix}")
    page.get_by_label("Tên đề xuất", exact=True).fill("Cấp nước sạch thôn Kon Klor")
    page.get_by_label("Ngày gửi", exact=True).fill(f"01/03/{year}")
    page.get_by_label("Lĩnh vực", exact=True).select_option(label="Nước sạch và vệ sinh môi trường")
    page.get_by_label("Giá trị đề nghị", exact=True).fill("40.000")
    page.get_by_label("Tiền tệ", exact=True).select_option("USD")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#rate_vnd + .invalid-feedback")).to_contain_text("Vui lòng nhập tỷ giá")
    no_sideways_scroll(page, width)
    page.get_by_label("Tỷ giá (VNĐ/đơn vị)", exact=True).fill("25.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text(f"Đã ghi nhận đề xuất DX-{suffix}.")).to_be_visible()
    expect(page.get_by_test_id("outcome")).to_have_text("Chờ phản hồi")
    expect(page.get_by_text("1.000.000.000 ₫")).to_be_visible()
    no_sideways_scroll(page, width)

    # The pledge, and the aid item that resulted.
    page.get_by_role("link", name="Ghi kết quả").click()
    page.get_by_label("Kết quả", exact=True).select_option(label="Nhà tài trợ cam kết")
    page.get_by_label("Ngày nhận phản hồi", exact=True).fill(f"20/04/{year}")
    page.get_by_label("Giá trị cam kết", exact=True).fill("32.000")
    page.get_by_label("Mã khoản viện trợ hình thành", exact=True).fill(f"vt-{suffix}")
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Lưu kết quả").click()
    expect(page.get_by_text(f"Đã ghi kết quả đề xuất DX-{suffix}.")).to_be_visible()
    expect(page.get_by_test_id("outcome")).to_have_text("Nhà tài trợ cam kết")
    expect(page.get_by_test_id("aid-item").get_by_role("link", name=f"VT-{suffix}")).to_be_visible()
    expect(page.get_by_test_id("link-warning")).to_have_count(0)
    history = page.get_by_test_id("donor-history")
    expect(history.get_by_role("link", name=f"DX-{suffix}")).to_be_visible()
    no_sideways_scroll(page, width)

    # The year's funnel: the donor's country has one of each, and the item's money.
    if width < 992:
        page.get_by_role("button", name="Mở menu").click()
    menu = open_menu(page, "Đối ngoại nhân dân")
    menu.get_by_role("link", name="Phễu vận động viện trợ", exact=True).click()
    page.get_by_label("Năm", exact=True).select_option(str(year))
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", name=f"Phễu vận động viện trợ năm {year}")).to_be_visible()
    row = page.get_by_test_id("funnel-row").filter(has_text=country_name)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("1")  # contacts
    expect(cells.nth(2)).to_have_text("1")  # proposals
    expect(cells.nth(4)).to_have_text("1")  # pledges
    expect(cells.nth(6)).to_have_text("1")  # approved items
    expect(cells.nth(8)).to_have_text("300.000.000 ₫")  # disbursed
    expect(page.get_by_test_id("total-approved_items")).to_have_text("1")
    no_sideways_scroll(page, width)
    page.context.close()
