"""An officer opens an aid item's history from its page (issue 14, part 3): the changes in
Vietnamese with formatted values, at 1366 px and at 390 px without scrolling sideways, even
with a long unbroken note among the values."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.auth.models import User
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

CODE = "E2E-HIST"
SIZES = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def running_item(live_app):
    with live_app.app_context():
        found = db.session.scalar(db.select(AidItem.id).where(AidItem.code == CODE))
        if found is not None:
            return found

        def user(name):
            return db.session.scalar(db.select(User).where(User.username == name))

        planner = user("planning.officer")
        donor = new_org(db, "E2E-HIST-D", name="Quỹ Hành Trình Lịch Sử")
        item = services.create_item(item_input([donor.id], CODE), user=planner)
        advance(item, AidStatus.DANG_THUC_HIEN, planner, db, user)
        services.add_disbursement(
            item, date(2025, 5, 2), Decimal("1000"), "USD", Decimal("25000"), user=planner
        )
        services.add_planned_disbursement(item, 2026, Decimal("5000"), "y" * 300, user=planner)
        db.session.commit()
        return item.id


@pytest.mark.parametrize("viewport", SIZES, ids=["1366", "390"])
def test_officer_reads_an_item_history(browser, base_url, running_item, viewport):
    page = signed_in(browser, base_url, "police.officer", viewport)
    page.goto(f"{base_url}/vien-tro/{running_item}")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_role("heading", name=f"Lịch sử thay đổi: {CODE}")).to_be_visible()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Đã phê duyệt → Đang thực hiện")
    expect(history).to_contain_text("Ngày bắt đầu thực hiện: — → 01/04/2025")
    expect(history).to_contain_text("Quỹ Hành Trình Lịch Sử")
    expect(history).to_contain_text("Ghi nhận giải ngân / tiếp nhận")
    expect(history).not_to_contain_text("dang_thuc_hien")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
