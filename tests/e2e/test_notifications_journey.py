"""Browser journey of the notifications (issue 14): the aid officer asks the police for an
opinion; the police officer sees the badge grow, opens the notification and lands on the
item, and the badge goes down; a colleague on a phone (390 px) still sees it unread, the
badge visible outside the collapsed menu, and nothing scrolls sideways."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.auth.models import User
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.aid import item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

CODE = "E2E-NOTIFY"
POLICE = "Công an tỉnh Quảng Ngãi"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def received_item(live_app):
    """A dossier received through the services, before any opinion is asked."""
    with live_app.app_context():
        item = db.session.scalar(sa.select(AidItem).where(AidItem.code == CODE))
        if item is None:
            planner = db.session.scalar(sa.select(User).where(User.username == "planning.officer"))
            donor = new_org(db, "E2E-NOTIFY-D", "DE", "Notify Donor E2E")
            item = services.create_item(item_input([donor.id], CODE), user=planner)
            db.session.commit()
        return item.id


def badge_count(page) -> int:
    badge = page.get_by_test_id("notification-badge")
    return int(badge.inner_text()) if badge.count() else 0


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_police_officer_is_notified_of_an_opinion_request_and_opens_the_item(
    browser, base_url, received_item
):
    police = signed_in(browser, base_url, "police.officer", DESKTOP)
    colleague_before = signed_in(browser, base_url, "police.viewer", PHONE)
    before, colleague_count = badge_count(police), badge_count(colleague_before)
    colleague_before.context.close()

    planner = signed_in(browser, base_url, "planning.officer", DESKTOP)
    planner.goto(f"{base_url}/vien-tro/{received_item}")
    planner.get_by_role("link", name="Xin ý kiến các cơ quan").click()
    boxes = planner.locator("input[type=checkbox][name=agency_ids]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    planner.get_by_label(POLICE).check()
    planner.get_by_role("button", name="Xin ý kiến các cơ quan").click()
    expect(planner.get_by_text("Đã thực hiện: Xin ý kiến các cơ quan.")).to_be_visible()
    planner.context.close()

    police.reload()
    expect(police.get_by_test_id("notification-badge")).to_have_text(str(before + 1))
    police.get_by_test_id("notifications-link").click()
    expect(police.get_by_role("heading", name="Thông báo")).to_be_visible()
    row = police.get_by_test_id("notifications").get_by_role("listitem").filter(has_text=CODE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Chưa đọc")
    row.get_by_role("button", name=re.compile(CODE)).click()
    expect(police).to_have_url(re.compile(rf"/vien-tro/{received_item}$"))
    expect(police.get_by_role("heading", name=re.compile(CODE))).to_be_visible()
    assert badge_count(police) == before
    police.context.close()

    # A colleague of the police on a phone: still unread for them, the badge in view.
    phone = signed_in(browser, base_url, "police.viewer", PHONE)
    badge = phone.get_by_test_id("notification-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(str(colleague_count + 1))
    no_sideways_scroll(phone, PHONE["width"])
    phone.get_by_test_id("notifications-link").click()
    expect(phone.get_by_role("heading", name="Thông báo")).to_be_visible()
    no_sideways_scroll(phone, PHONE["width"])
    row = phone.get_by_test_id("notifications").get_by_role("listitem").filter(has_text=CODE)
    row.get_by_role("button", name=re.compile(CODE)).click()
    expect(phone).to_have_url(re.compile(rf"/vien-tro/{received_item}$"))
    no_sideways_scroll(phone, PHONE["width"])
    phone.context.close()
