"""The item page's disbursement and schedule rows at desktop width (1366 px): each row's
"reason" field is wide enough to read and type in, and a long unbroken note wraps inside
its cell instead of pushing the row's buttons out of the card (walk of 03/12/2026)."""

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
from tests.e2e.test_delegation_members_table import DESKTOP
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e


@pytest.fixture
def running_item(live_app):
    with live_app.app_context():
        found = db.session.scalar(db.select(AidItem.id).where(AidItem.code == "E2E-ROWS"))
        if found is not None:
            return found

        def user(name):
            return db.session.scalar(db.select(User).where(User.username == name))

        planner = user("planning.officer")
        donor = new_org(db, "E2E-ROWS-D")
        item = services.create_item(item_input([donor.id], "E2E-ROWS"), user=planner)
        advance(item, AidStatus.DANG_THUC_HIEN, planner, db, user)
        services.add_disbursement(
            item, date(2025, 5, 2), Decimal("1000"), "USD", Decimal("25000"), user=planner
        )
        services.add_planned_disbursement(item, 2025, Decimal("5000"), "x" * 400, user=planner)
        db.session.commit()
        return item.id


TABLE_OVERFLOW_JS = """
(testid) => {
  const box = document.querySelector(`[data-testid="${testid}"] .table-responsive`);
  return box.scrollWidth - box.clientWidth;
}
"""


def test_row_reasons_are_usable_and_long_notes_wrap(browser, base_url, running_item):
    page = signed_in(browser, base_url, "planning.officer", DESKTOP)
    page.goto(f"{base_url}/vien-tro/{running_item}")
    reason = page.get_by_label("Lý do hủy dòng giải ngân")
    expect(reason).to_be_visible()
    assert reason.bounding_box()["width"] >= 120, reason.bounding_box()
    archive = page.get_by_label("Lý do lưu trữ dòng kế hoạch năm 2025")
    assert archive.bounding_box()["width"] >= 120, archive.bounding_box()
    assert page.evaluate(TABLE_OVERFLOW_JS, "schedule") <= 0, "the schedule scrolls sideways"
    page.context.close()
