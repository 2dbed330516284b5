"""Browser journey (issue 12, point 8): the officer records the provinces and fields of a
donor's certificate, then sees the warning on an aid item of that donor outside them, and
the item in the donor's page."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.aid import services
from app.auth.models import User
from app.core.models import Commune
from app.extensions import db
from app.orgs.models import Organization
from tests.fixtures.aid import item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e


@pytest.fixture
def donor_with_item(live_app):
    """A donor with nothing recorded, and its item in a commune outside Quảng Ngãi with the
    sectors water and health."""
    with live_app.app_context():
        org = db.session.scalar(sa.select(Organization).where(Organization.code == "E2E-SCOPE"))
        away = db.session.scalar(
            sa.select(Commune).where(Commune.province_code != 51).order_by(Commune.code).limit(1)
        )
        if org is None:
            planner = db.session.scalar(sa.select(User).where(User.username == "planning.officer"))
            org = new_org(db, "E2E-SCOPE", "DE", "Scope Donor E2E")
            services.create_item(
                item_input([org.id], "E2E-SCOPE-1", communes=[away.code]), user=planner
            )
            db.session.commit()
        return org.id, f"{away.name} ({away.province_name})"


def test_donor_scope_recorded_then_item_outside_warned(browser_login, base_url, donor_with_item):
    org_id, away = donor_with_item
    page = browser_login("planning.officer")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.goto(f"{base_url}/to-chuc/{org_id}")
    expect(page.get_by_test_id("scope-warning")).to_have_count(0)  # nothing recorded yet
    page.get_by_role("link", name="Sửa").click()
    page.get_by_label("Tỉnh, thành phố được phép hoạt động").select_option(["51"])
    page.get_by_label("Lĩnh vực được phép hoạt động").select_option(["y_te"])
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_text("Đã lưu tổ chức E2E-SCOPE.")).to_be_visible()
    expect(page.get_by_test_id("certificate-scope")).to_contain_text("Quảng Ngãi")
    warning = page.get_by_test_id("scope-warning")
    expect(warning).to_contain_text("E2E-SCOPE-1")
    expect(warning).to_contain_text(away)

    warning.get_by_role("link", name="E2E-SCOPE-1").click()
    item_warning = page.get_by_test_id("scope-warning")
    expect(item_warning).to_contain_text("Scope Donor E2E")
    expect(item_warning).to_contain_text(away)
    expect(item_warning).to_contain_text("Nước sạch và vệ sinh môi trường")
    expect(item_warning).not_to_contain_text("Y tế")
