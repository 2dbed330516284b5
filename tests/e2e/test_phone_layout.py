"""Browser check at phone width (390 px): the pages officials open on a phone do not scroll
sideways as a whole (wide tables scroll in their own box) and table cells keep words and
dates whole instead of breaking them letter by letter."""

from datetime import date

import pytest

from app.aid.models import AidItem, Disbursement
from app.auth.models import User
from app.delegations.models import Delegation, DelegationMember
from app.extensions import db
from app.orgs.models import Organization
from tests.conftest import signed_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DONOR_NAME = "Good Neighbors International Phone Layout Foundation"

# Cells whose text is one word (a date, an amount, a name) and that render on more than one
# line: the symptom of `overflow-wrap: anywhere` on table cells. A hyphen is a normal place
# to break, so hyphenated codes are left out.
BROKEN_CELLS_JS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const text = cell.innerText.trim();
    if (!text || /[\\s-]/.test(text) || text.length > 24) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) {
      const box = cell.closest('[data-testid]');
      broken.push(`${text} (${box ? box.dataset.testid : cell.closest('table').className})`);
    }
  }
  return broken;
}
"""


@pytest.fixture
def phone_records(live_app):
    """An approved item with a long donor name and a disbursement, and a delegation with a
    member: the tables that broke at phone width."""
    with live_app.app_context():
        item_id = db.session.scalar(db.select(AidItem.id).where(AidItem.code == "E2E-PH-1"))
        if item_id is None:
            donor = Organization(code="E2E-PH", name=DONOR_NAME, kind="ngo", country="KR")
            db.session.add(donor)
            db.session.flush()
            item = AidItem(
                code="E2E-PH-1",
                name="Nước sạch cho các thôn vùng biên",
                modality="du_an",
                value=1_234_567_000,
                currency="VND",
                value_vnd=1_234_567_000,
                status="dang_thuc_hien",
                decision_number="1234/QĐ-UBND",
                decision_date=date(2022, 12, 3),
                main_donor_id=donor.id,
            )
            db.session.add(item)
            db.session.flush()
            db.session.add(
                Disbursement(
                    aid_item_id=item.id,
                    disbursed_on=date(2022, 12, 20),
                    amount=507_000_000,
                    currency="VND",
                    value_vnd=507_000_000,
                )
            )
            author = db.session.scalar(db.select(User).where(User.username == "other.officer"))
            delegation = Delegation(
                code="E2E-PH-D",
                direction="vao",
                title="Đoàn khảo sát nước sạch",
                purpose="khao_sat",
                status="hoan_thanh",
                country="KR",
                start_on=date(2022, 12, 5),
                end_on=date(2022, 12, 7),
                author_agency_id=author.agency_id,
            )
            db.session.add(delegation)
            db.session.flush()
            db.session.add(
                DelegationMember(
                    delegation_id=delegation.id,
                    full_name="Kim Min-jun",
                    name_folded="kim min-jun",
                    nationality="KR",
                    passport_number="M12345678",
                    birth_date=date(1980, 4, 12),
                )
            )
            db.session.commit()
            item_id = item.id
        delegation_id = db.session.scalar(
            db.select(Delegation.id).where(Delegation.code == "E2E-PH-D")
        )
        donor_id = db.session.scalar(
            db.select(Organization.id).where(Organization.code == "E2E-PH")
        )
    return {"item": item_id, "delegation": delegation_id, "donor": donor_id}


def phone_page(browser, base_url, username):
    """A signed-in page at phone width, in Vietnamese."""
    return signed_in(browser, base_url, username, PHONE)


def check_pages(browser, base_url, username, paths):
    """Each page fits the phone's width and keeps its cells' words whole."""
    page = phone_page(browser, base_url, username)
    for path in paths:
        url = base_url + path
        page.goto(url)
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} scrolls sideways: {width} px"
        broken = page.evaluate(BROKEN_CELLS_JS)
        assert broken == [], f"{url}: cells broken across lines: {broken[:5]}"
    page.context.close()


def test_pages_fit_a_phone(browser, base_url, phone_records):
    check_pages(
        browser,
        base_url,
        "police.officer",
        (
            f"/vien-tro/{phone_records['item']}",
            "/vien-tro/",
            f"/to-chuc/{phone_records['donor']}",
            f"/doan/{phone_records['delegation']}",
            "/doan/viec-can-xu-ly",
            "/doan/lich",
            "/doan/tra-cuu?q=Kim",
            "/thong-ke/2022",
        ),
    )
    check_pages(
        browser,
        base_url,
        "admin",
        (
            "/quan-tri/nhat-ky",
            "/quan-tri/nguoi-dung",
            "/quan-tri/co-quan",
            "/quan-tri/co-quan/1",
            "/quan-tri/cai-dat",
        ),
    )


def test_itinerary_fields_are_usable_on_a_phone(browser, base_url):
    page = phone_page(browser, base_url, "other.officer")
    page.goto(f"{base_url}/doan/moi")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for label in ("Xã, phường, dòng 1", "Địa điểm, dòng 1", "Nội dung, dòng 1"):
        box = page.get_by_label(label).bounding_box()
        assert box["width"] >= 120, f"{label}: {box['width']} px wide"
    page.context.close()
