"""An officer answers an opinion with its letter, presses the browser's Back and lands on
the item's page (not a stale form), then opens the printable dossier: no sideways scroll
at 390 px, and printed (print media) without the navigation (issue 14)."""

import pytest
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.auth.models import User
from app.core.web import STALE_STEP
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

SIZES = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


def asked_item(live_app, code: str) -> int:
    """An item whose opinions were asked of finance and police."""
    with live_app.app_context():
        found = db.session.scalar(db.select(AidItem.id).where(AidItem.code == code))
        if found is not None:
            return found

        def user(name):
            return db.session.scalar(db.select(User).where(User.username == name))

        planner = user("planning.officer")
        donor = new_org(db, f"{code}-D", name="Quỹ Hành Trình Bản In")
        item = services.create_item(item_input([donor.id], code), user=planner)
        advance(item, AidStatus.XIN_Y_KIEN, planner, db, user)
        db.session.commit()
        return item.id


@pytest.mark.parametrize("viewport", SIZES, ids=["1366", "390"])
def test_answer_back_and_print(browser, base_url, live_app, viewport, tmp_path):
    code = f"E2E-PRINT-{viewport['width']}"
    item_id = asked_item(live_app, code)
    letter = tmp_path / "cong-van-an-ninh.pdf"
    letter.write_bytes(b"%PDF-1.4 letter of the police")
    page = signed_in(browser, base_url, "police.officer", viewport)
    item_url = f"{base_url}/vien-tro/{item_id}"
    page.goto(item_url)
    page.get_by_role("link", name="Trả lời").click()
    expect(page.get_by_role("heading", name="Ý kiến góp ý của")).to_be_visible()
    page.get_by_label("Ý kiến", exact=True).select_option(label="Đồng ý")
    page.get_by_label("Nội dung ý kiến").fill("Không có vấn đề về an ninh, trật tự")
    page.get_by_label("Số văn bản").fill("55/CAT-PA03")
    page.get_by_label("Tệp văn bản (PDF, Word...)").set_input_files(str(letter))
    page.get_by_role("button", name="Gửi ý kiến").click()
    # Saved: the item's page, with the letter next to the answer
    expect(page).to_have_url(item_url)
    expect(page.get_by_text("Đã gửi ý kiến góp ý.")).to_be_visible()
    expect(page.get_by_role("link", name="cong-van-an-ninh.pdf")).to_be_visible()

    # Back to the answer form: the item's page, with the message, not a stale form
    page.go_back()
    expect(page).to_have_url(item_url)
    expect(page.get_by_text(STALE_STEP)).to_be_visible()
    expect(page.get_by_role("button", name="Gửi ý kiến")).to_have_count(0)
    expect(page.get_by_role("link", name="cong-van-an-ninh.pdf")).to_be_visible()

    # The printable dossier
    page.get_by_test_id("print-link").click()
    expect(page).to_have_url(f"{item_url}/in")
    expect(page.get_by_role("heading", name="Hồ sơ khoản viện trợ")).to_be_visible()
    opinions = page.get_by_test_id("print-opinions")
    expect(opinions).to_contain_text("Không có vấn đề về an ninh, trật tự")
    expect(opinions).to_contain_text("55/CAT-PA03")
    expect(page.get_by_test_id("print-files")).to_contain_text("cong-van-an-ninh.pdf")
    toolbar = page.get_by_test_id("print-toolbar")
    expect(toolbar).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"scrolls sideways: {width}px"
    page.emulate_media(media="print")
    expect(toolbar).to_be_hidden()  # the navigation is not printed
    expect(page.get_by_role("heading", name="Hồ sơ khoản viện trợ")).to_be_visible()
    page.emulate_media(media="screen")
    expect(toolbar).to_be_visible()
    page.get_by_role("link", name="Về hồ sơ").click()
    expect(page).to_have_url(item_url)
    page.context.close()
