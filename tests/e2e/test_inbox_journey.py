"""Browser journey of the inboxes (issue 14, part 6): a police officer opens the delegations
inbox, keeps only the overdue reviews and sorts by due date; an aid focal officer does the
same with the dossiers in the procedure; at 1366 and 390 px, nothing scrolls sideways."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.aid import services
from app.auth.models import User
from app.core.dates import today_vn
from app.delegations.models import Delegation
from app.delegations.states import DelegationStatus
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.aid import item_input
from tests.fixtures.delegations import insert_delegations
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def waiting_work(live_app):
    """Two delegations under review (one arrived 3 days ago: overdue; one in 40 days) and
    two dossiers in the procedure (appraisal due 5 days ago; in 30 days)."""
    today = today_vn()
    with live_app.app_context():
        if db.session.scalar(sa.select(Delegation.id).where(Delegation.code == "EIBL0000")):
            return
        under_review = DelegationStatus.DANG_XEM_XET
        for prefix, days in (("EIBL", -3), ("EIBS", 40)):
            insert_delegations(
                db,
                1,
                prefix=prefix,
                status=under_review,
                start_on=today + timedelta(days),
                submitted_on=today - timedelta(20),
                search_text=f"doan hop thu {prefix.lower()}",
            )
        planner = db.session.scalar(sa.select(User).where(User.username == "planning.officer"))
        donor = new_org(db, "E2E-IB-D", "DE", "Inbox Donor E2E")
        for code, days in (("E2E-IB-LATE", -5), ("E2E-IB-SOON", 30)):
            item = services.create_item(item_input([donor.id], code), user=planner)
            item.appraisal_due_on = today + timedelta(days)
        db.session.commit()


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def listed(page, testid: str) -> list[str]:
    return (
        page.get_by_test_id(testid)
        .locator("tbody tr")
        .evaluate_all("rows => rows.map(r => r.dataset.code)")
    )


def filter_overdue(page, search: str):
    filters = page.get_by_test_id("inbox-filters")
    filters.get_by_label("Tìm kiếm").fill(search)
    filters.get_by_label("Chỉ việc quá hạn").check()
    filters.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"qua_han=1"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_police_officer_filters_and_sorts_the_delegations_inbox(
    browser, base_url, waiting_work, viewport
):
    page = signed_in(browser, base_url, "police.officer", viewport)
    page.goto(f"{base_url}/doan/viec-can-xu-ly?q=hop+thu")
    assert listed(page, "to-review") == ["EIBL0000", "EIBS0000"]  # overdue first
    row = page.get_by_test_id("to-review").locator('tr[data-code="EIBL0000"]')
    expect(row.get_by_test_id("badge-overdue")).to_have_text("Quá hạn")
    no_sideways_scroll(page, viewport["width"])

    filter_overdue(page, "hop thu")
    assert listed(page, "to-review") == ["EIBL0000"]
    page.get_by_test_id("inbox-sort").get_by_role("link", name=re.compile("Hạn xử lý")).click()
    expect(page).to_have_url(re.compile(r"sap_xep=-han"))
    expect(page).to_have_url(re.compile(r"qua_han=1"))  # the sort keeps the filter
    assert listed(page, "to-review") == ["EIBL0000"]
    no_sideways_scroll(page, viewport["width"])

    page.goto(f"{base_url}/doan/viec-can-xu-ly?q=hop+thu&sap_xep=-han")
    assert listed(page, "to-review") == ["EIBS0000", "EIBL0000"]
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_aid_focal_officer_filters_and_sorts_the_aid_inbox(
    browser, base_url, waiting_work, viewport
):
    page = signed_in(browser, base_url, "planning.officer", viewport)
    page.goto(f"{base_url}/vien-tro/viec-can-xu-ly?q=e2e-ib&hop=ho_so")
    assert listed(page, "dossiers-inbox") == ["E2E-IB-LATE", "E2E-IB-SOON"]
    row = page.get_by_test_id("dossiers-inbox").locator('tr[data-code="E2E-IB-LATE"]')
    expect(row.get_by_test_id("badge-overdue")).to_have_text("Quá hạn")
    no_sideways_scroll(page, viewport["width"])

    filter_overdue(page, "e2e ib")
    assert listed(page, "dossiers-inbox") == ["E2E-IB-LATE"]
    page.get_by_test_id("inbox-sort").get_by_role("link", name=re.compile("Mã")).click()
    expect(page).to_have_url(re.compile(r"sap_xep=ma"))
    assert listed(page, "dossiers-inbox") == ["E2E-IB-LATE"]
    no_sideways_scroll(page, viewport["width"])

    page.goto(f"{base_url}/vien-tro/viec-can-xu-ly?q=e2e-ib&sap_xep=-han")
    assert listed(page, "dossiers-inbox") == ["E2E-IB-SOON", "E2E-IB-LATE"]
    page.context.close()
