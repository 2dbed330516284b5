"""Browser journey (issue 12, point 4): a disbursement above the approved value is asked
to be confirmed with a reason next to the field, saved only then, and flagged on the item
and in the list."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.auth.models import User
from app.extensions import db
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e


@pytest.fixture
def running_item(live_app):
    """USD 100 000 at 25 000, approved 25/03/2025 and running (made through the services)."""
    with live_app.app_context():
        item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "E2E-OVER"))
        if item is None:

            def user(username):
                return db.session.scalar(sa.select(User).where(User.username == username))

            planner = user("planning.officer")
            donor = new_org(db, "E2E-OVER-D", "DE", "Over Donor E2E")
            item = services.create_item(item_input([donor.id], "E2E-OVER"), user=planner)
            advance(item, AidStatus.DANG_THUC_HIEN, planner, db, user)
            db.session.commit()
        return item.id


def test_over_disbursement_is_confirmed_with_a_reason(browser_login, base_url, running_item):
    page = browser_login("planning.officer")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.goto(f"{base_url}/vien-tro/{running_item}")
    page.get_by_role("link", name="+ Ghi nhận giải ngân").click()
    expect(page.get_by_label("Tôi xác nhận giải ngân vượt giá trị được phê duyệt")).to_have_count(0)
    page.get_by_label("Ngày giải ngân / tiếp nhận").fill("10/04/2025")
    page.get_by_label("Số tiền").fill("120.000")
    page.get_by_role("button", name="Lưu").click()

    # Nothing saved yet: the confirmation and the reason are asked next to the fields.
    confirm = page.get_by_label("Tôi xác nhận giải ngân vượt giá trị được phê duyệt")
    expect(confirm).to_be_visible()
    expect(page.get_by_test_id("over-approved")).to_contain_text(
        "vượt giá trị được phê duyệt 100.000,00 USD"
    )
    expect(page.get_by_test_id("over-approved")).to_contain_text("120,0%")
    confirm.check()
    page.get_by_label("Lý do (vượt giá trị phê duyệt / điều chỉnh sau hoàn thành)").fill(
        "Nhà tài trợ bổ sung kinh phí, chờ quyết định điều chỉnh"
    )
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_text("Đã lưu: ghi nhận giải ngân / tiếp nhận.")).to_be_visible()
    expect(page.get_by_test_id("over-disbursed")).to_be_visible()
    expect(page.get_by_text("Lý do: Nhà tài trợ bổ sung kinh phí")).to_be_visible()

    page.goto(f"{base_url}/vien-tro/")
    page.get_by_label("Giải ngân vượt giá trị phê duyệt").check()
    page.get_by_role("button", name="Lọc").click()
    row = page.get_by_role("row").filter(has_text="E2E-OVER")
    expect(row.get_by_test_id("over-disbursed")).to_be_visible()
