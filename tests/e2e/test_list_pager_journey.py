"""Browser journey of the lists' pager (issue 15): a planning officer picks a donor in the
aid list's filter (options rendered once per content), pages on with "Sau ›" (a keyset
link) and back with "‹ Trước", at 1366 px and at 390 px without sideways scroll."""

from datetime import date

import pytest

from app.aid.models import AidDonor, AidItem
from app.extensions import db
from app.orgs.models import Organization
from tests.conftest import signed_in

pytestmark = pytest.mark.e2e

ITEMS = 30


@pytest.fixture
def pager_donor(live_app):
    with live_app.app_context():
        donor = db.session.scalar(db.select(Organization).where(Organization.code == "E2E-PG"))
        if donor is None:
            donor = Organization(code="E2E-PG", name="Pager Foundation", kind="ngo", country="DE")
            db.session.add(donor)
            db.session.flush()
            for i in range(ITEMS):
                item = AidItem(
                    code=f"E2E-PG-{i:02d}",
                    name=f"Khoản phân trang {i}",
                    modality="phi_du_an",
                    value=1000,
                    currency="VND",
                    value_vnd=1000,
                    status="tiep_nhan",
                    search_text=f"e2e-pg-{i:02d}",
                    main_donor_id=donor.id,
                    dossier_received_on=date(2025, 1, 1 + i % 2),
                )
                db.session.add(item)
                db.session.flush()
                db.session.add(AidDonor(aid_item_id=item.id, organization_id=donor.id, position=0))
            db.session.commit()
        return donor.id


VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_filter_by_donor_and_page_on_and_back(browser, base_url, pager_donor, viewport):
    page = signed_in(browser, base_url, "planning.officer", viewport)
    page.goto(f"{base_url}/vien-tro/")
    page.select_option("#f-donor", str(pager_donor))
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(f"**/vien-tro/?*donor={pager_donor}*")
    assert page.locator("#f-donor").input_value() == str(pager_donor)
    assert f"Hiển thị 1–25 / {ITEMS} bản ghi" in page.content()
    first = set(page.locator("td a", has_text="E2E-PG-").all_inner_texts())
    assert len(first) == 25
    page.get_by_role("link", name="Sau ›").click()
    page.wait_for_url("**sau=*")
    assert f"Hiển thị 26–{ITEMS} / {ITEMS} bản ghi" in page.content()
    second = set(page.locator("td a", has_text="E2E-PG-").all_inner_texts())
    assert len(second) == ITEMS - 25 and not first & second
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("link", name="‹ Trước").click()
    page.wait_for_url("**page=1*")
    assert set(page.locator("td a", has_text="E2E-PG-").all_inner_texts()) == first
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.context.close()
