"""Browser journey (issue 12, point 9): the planning officer records an approval, finds
the notices to send in the inbox and marks one as sent."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.auth.models import User
from app.core.dates import format_date, today_vn
from app.extensions import db
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

DONOR = "Gửi quyết định phê duyệt cho nhà tài trợ"
FINANCE = "Gửi bản sao quyết định và thỏa thuận cho Sở Tài chính"


@pytest.fixture
def appraised_item(live_app):
    """A budget-revenue item appraised through the services, waiting for its decision."""
    with live_app.app_context():
        item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "E2E-NOTICE"))
        if item is None:

            def user(username):
                return db.session.scalar(sa.select(User).where(User.username == username))

            planner = user("planning.officer")
            donor = new_org(db, "E2E-NOTICE-D", "DE", "Notice Donor E2E")
            item = services.create_item(item_input([donor.id], "E2E-NOTICE"), user=planner)
            advance(item, AidStatus.THAM_DINH, planner, db, user)
            db.session.commit()
        return item.id


def test_approval_creates_notice_tasks_and_one_is_marked_sent(
    browser_login, base_url, appraised_item
):
    today = format_date(today_vn())
    page = browser_login("planning.officer")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.goto(f"{base_url}/vien-tro/{appraised_item}")
    page.get_by_role("link", name="Ghi quyết định phê duyệt").click()
    page.get_by_label("Số quyết định").fill(f"{appraised_item}77/QĐ-UBND")
    page.get_by_label("Ngày ký").fill(today)
    page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Ghi quyết định phê duyệt").click()
    expect(page.get_by_text("Đã thực hiện: Ghi quyết định phê duyệt.")).to_be_visible()
    notices = page.get_by_test_id("item-notices")
    expect(notices).to_contain_text(DONOR)
    expect(notices).to_contain_text(FINANCE)
    expect(notices).to_contain_text("Chưa gửi")

    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Thông báo sau quyết định cần gửi").click()
    inbox = page.get_by_test_id("notices-inbox")
    row = inbox.get_by_role("row").filter(has_text="E2E-NOTICE").filter(has_text=DONOR)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Đánh dấu đã gửi").click()

    page.get_by_role("button", name="Lưu").click()  # no number: asked next to the field
    expect(page.get_by_text("Vui lòng nhập số văn bản gửi.")).to_be_visible()
    page.get_by_label("Số văn bản gửi").fill("12/SKH-VT")
    page.get_by_label("Ghi chú").fill("Gửi qua thư điện tử và bưu điện")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_text(f"Đã ghi nhận: {DONOR}.")).to_be_visible()
    inbox = page.get_by_test_id("notices-inbox")
    expect(
        inbox.get_by_role("row").filter(has_text="E2E-NOTICE").filter(has_text=DONOR)
    ).to_have_count(0)
    expect(
        inbox.get_by_role("row").filter(has_text="E2E-NOTICE").filter(has_text=FINANCE)
    ).to_have_count(1)

    page.goto(f"{base_url}/vien-tro/{appraised_item}")
    expect(page.get_by_test_id("item-notices")).to_contain_text(f"Đã gửi {today}, số 12/SKH-VT")
