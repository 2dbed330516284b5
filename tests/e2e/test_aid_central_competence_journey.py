"""Browser journey (issue 12, point 11): an item beyond the province's competence is
appraised (made through the services), submitted up and its central decision recorded;
the province's own approval is never offered."""

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
def appraised_central_item(live_app):
    """USD 100 000 at 25 000, religion-related, appraised on 20/03/2025."""
    with live_app.app_context():
        item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "E2E-CENTRAL"))
        if item is None:

            def user(username):
                return db.session.scalar(sa.select(User).where(User.username == username))

            planner = user("planning.officer")
            donor = new_org(db, "E2E-CENTRAL-D", "US", "Central Donor E2E")
            data = item_input([donor.id], "E2E-CENTRAL", central_reason="ton_giao")
            item = services.create_item(data, user=planner)
            advance(item, AidStatus.THAM_DINH, planner, db, user)
            db.session.commit()
        return item.id


def test_central_item_is_submitted_up_and_decided_by_the_centre(
    browser_login, base_url, appraised_central_item
):
    page = browser_login("planning.officer")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.goto(f"{base_url}/vien-tro/{appraised_central_item}")
    expect(page.get_by_test_id("central-competence")).to_contain_text("Liên quan đến tôn giáo")
    expect(page.get_by_role("link", name="Ghi quyết định phê duyệt", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Ghi nhận trình cấp trung ương").click()
    page.get_by_label("Ngày trình").fill("22/03/2025")
    page.get_by_label("Số văn bản trình").fill("15/TTr-UBND")
    page.get_by_role("button", name="Ghi nhận trình cấp trung ương").click()
    expect(page.get_by_test_id("central-competence")).to_contain_text("15/TTr-UBND")

    page.get_by_role("link", name="Ghi quyết định phê duyệt của cấp trung ương").click()
    page.get_by_label("Số quyết định").fill("45/QĐ-TTg")
    page.get_by_label("Ngày ký").fill("10/04/2025")
    page.get_by_label("Phần giá trị do bên tài trợ quản lý (nguyên tệ)").fill("30.000")
    page.get_by_label("Phần giá trị do bên tiếp nhận quản lý (nguyên tệ)").fill("60.000")
    page.get_by_role("button", name="Ghi quyết định phê duyệt của cấp trung ương").click()
    # The split does not add up: said next to the field, nothing recorded.
    expect(page.get_by_text("phải bằng giá trị được phê duyệt")).to_be_visible()
    page.get_by_label("Phần giá trị do bên tiếp nhận quản lý (nguyên tệ)").fill("70.000")
    page.get_by_label("Cơ chế tài chính").select_option("khong_thuoc_nsnn")
    page.get_by_role("button", name="Ghi quyết định phê duyệt của cấp trung ương").click()

    expect(page.get_by_text("Đã phê duyệt").first).to_be_visible()
    expect(page.get_by_test_id("decision-authority")).to_have_text("Thủ tướng Chính phủ")
    expect(page.get_by_text("45/QĐ-TTg ngày 10/04/2025")).to_be_visible()
    expect(page.get_by_test_id("financial-mechanism")).to_have_text(
        "Không thuộc nguồn thu ngân sách nhà nước"
    )
