"""The record page's member table at desktop width (1366 px) shows every column without
scrolling: the passport's "valid less than 6 months" warning is a short badge with the
full text in its title and for screen readers; at phone width the page still fits."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.core.dates import today_vn
from app.delegations.models import Delegation, DelegationMember
from app.extensions import db
from tests.conftest import signed_in
from tests.e2e.test_phone_layout import PHONE

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 938}


@pytest.fixture
def short_passport_delegation(live_app):
    """A draft of the host unit (its officer sees the edit links) with a head of delegation
    whose passport is valid less than 6 months after entry."""
    with live_app.app_context():
        found = db.session.scalar(db.select(Delegation.id).where(Delegation.code == "E2E-PP-W"))
        if found is not None:
            return found
        author = db.session.scalar(db.select(User).where(User.username == "other.officer"))
        start = today_vn() + timedelta(days=40)
        delegation = Delegation(
            code="E2E-PP-W",
            direction="vao",
            title="Đoàn khảo sát dự án nước sạch của JICA",
            purpose="khao_sat",
            status="du_thao",
            country="JP",
            start_on=start,
            end_on=start + timedelta(days=3),
            author_agency_id=author.agency_id,
            host_agency_id=author.agency_id,
        )
        db.session.add(delegation)
        db.session.flush()
        db.session.add(
            DelegationMember(
                delegation_id=delegation.id,
                full_name="TANAKA Hiroshi",
                name_folded="tanaka hiroshi",
                sex="nam",
                birth_date=date(1980, 5, 12),
                nationality="JP",
                passport_number="TZ1234567",
                passport_expiry=start + timedelta(days=60),
                position="Trưởng đoàn",
                organization_name="JICA",
                is_head=True,
            )
        )
        db.session.commit()
        return delegation.id


OVERFLOW_JS = """
() => {
  const box = document.querySelector('[data-testid="members"]').closest('.table-responsive');
  return box.scrollWidth - box.clientWidth;
}
"""


def test_member_table_fits_a_desktop_and_a_phone(browser, base_url, short_passport_delegation):
    url = f"{base_url}/doan/{short_passport_delegation}"
    page = signed_in(browser, base_url, "other.officer", DESKTOP)
    page.goto(url)
    badge = page.get_by_test_id("passport-short")
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("title", re.compile("^Còn hạn dưới 6 tháng từ ngày nhập cảnh"))
    expect(badge).to_contain_text("< 6 tháng")
    assert page.evaluate(OVERFLOW_JS) <= 0, "the member table scrolls at 1366 px"
    expect(page.get_by_test_id("members").get_by_role("link", name="Xóa")).to_be_in_viewport()
    page.context.close()

    phone = signed_in(browser, base_url, "other.officer", PHONE)
    phone.goto(url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(phone.get_by_test_id("passport-short")).to_contain_text("< 6 tháng")
    phone.context.close()
