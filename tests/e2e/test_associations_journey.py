"""Browser journey of friendship associations: a foreign-affairs officer creates an
association (after a refused Union date), records a member count and an activity linked to
a delegation, then finds the association by a search without diacritics; at desktop and
phone widths, with no sideways scroll."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.core.dates import today_vn
from app.delegations.models import Delegation
from app.delegations.states import DelegationStatus
from app.extensions import db
from tests.conftest import open_menu, signed_in

pytestmark = pytest.mark.e2e

VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


# The elements reaching past the viewport's right edge (named in a failure's message).
WIDE_JS = """
(w) => [...document.querySelectorAll('body *')]
  .map(e => [e, Math.round(e.getBoundingClientRect().right)]).filter(([e, right]) => right > w)
  .slice(0, 5).map(([e, right]) => `${e.tagName}.${e.className} ${right}`)
"""


def no_sideways_scroll(page, width: int):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, scroll, page.evaluate(WIDE_JS, width))


def seed_delegation(live_app, code: str) -> None:
    """A delegation sent by the host unit (so foreign affairs sees it)."""
    with live_app.app_context():
        if db.session.scalar(db.select(Delegation.id).where(Delegation.code == code)):
            return
        host = db.session.scalar(db.select(User).where(User.username == "other.officer"))
        start = today_vn() + timedelta(days=20)
        db.session.add(
            Delegation(
                code=code,
                direction="vao",
                title="Đoàn Hội hữu nghị Lào – Việt Nam tỉnh Attapeu",
                purpose="khao_sat",
                status=DelegationStatus.DA_GUI,
                country="LA",
                start_on=start,
                end_on=start + timedelta(days=2),
                author_agency_id=host.agency_id,
                host_agency_id=host.agency_id,
            )
        )
        db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_officer_records_an_association_and_its_activity(browser, base_url, live_app, viewport):
    width = viewport["width"]
    code, delegation = f"HHN-E2E-{width}", f"DV-HHN-{width}"
    seed_delegation(live_app, delegation)
    page = signed_in(browser, base_url, "foreign_affairs.officer", viewport)
    if width < 992:  # the menu is collapsed behind its toggler
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Mở menu").click()
    menu = open_menu(page, "Đối ngoại nhân dân")
    menu.get_by_role("link", name="Hội hữu nghị", exact=True).click()
    expect(page.get_by_role("heading", name="Hội hữu nghị", exact=True)).to_be_visible()
    no_sideways_scroll(page, width)

    # The association: a Union date without membership is refused, what was typed is kept.
    page.get_by_role("link", name="+ Thêm hội").click()
    page.get_by_label("Mã hội", exact=True).fill(code.lower())
    page.get_by_label("Tên hội", exact=True).fill(f"Hội hữu nghị Việt Nam – Lào {width}")
    page.get_by_label("Số quyết định thành lập", exact=True).fill("45/QĐ-UBND")
    page.get_by_label("Ngày quyết định thành lập", exact=True).fill("12/06/2008")
    page.get_by_label("Quốc gia đối tác", exact=True).select_option(label="Lào")
    page.get_by_label("Tình trạng hoạt động", exact=True).select_option(label="Đang hoạt động")
    page.get_by_label("Ngày gia nhập Liên hiệp", exact=True).fill("01/03/2024")
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Lưu").click()
    # The field's own box (a date field sits in an input group with its calendar button).
    joined_box = page.locator(".mb-3", has=page.locator("#union_joined_on"))
    expect(joined_box.locator(".invalid-feedback")).to_be_visible()
    expect(joined_box.locator(".invalid-feedback")).to_contain_text(
        "Chỉ ghi ngày gia nhập khi hội là thành viên"
    )
    expect(page.get_by_label("Số quyết định thành lập", exact=True)).to_have_value("45/QĐ-UBND")
    no_sideways_scroll(page, width)
    page.get_by_label("Là thành viên Liên hiệp các tổ chức hữu nghị tỉnh").check()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text(f"Đã tạo hội {code}.")).to_be_visible()
    expect(page.get_by_test_id("union")).to_have_text("Thành viên từ 01/03/2024")
    no_sideways_scroll(page, width)

    # A member count for last year.
    year = today_vn().year - 1
    page.get_by_label("Năm", exact=True).fill(str(year))
    page.get_by_label("Số hội viên", exact=True).fill("1250")
    page.get_by_role("button", name="Ghi số hội viên").click()
    expect(page.get_by_text(f"Đã ghi số hội viên năm {year}.")).to_be_visible()
    expect(page.get_by_test_id("member-counts")).to_contain_text("1.250")

    # An activity linked to the delegation by its code.
    page.get_by_role("link", name="+ Thêm hoạt động").click()
    page.get_by_label("Ngày hoạt động", exact=True).fill(f"02/09/{year}")
    page.get_by_label("Loại hoạt động", exact=True).select_option(label="Giao lưu")
    page.get_by_label("Tên, nội dung hoạt động", exact=True).fill("Giao lưu hữu nghị Quốc khánh")
    page.get_by_label("Quốc gia", exact=True).select_option(label=["Lào", "Campuchia"])
    page.get_by_label("Số người tham gia", exact=True).fill("60")
    page.get_by_label("Kinh phí sử dụng (VNĐ)", exact=True).fill("25.000.000")
    page.get_by_label("Mã đoàn liên quan", exact=True).fill(delegation.lower())
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Lưu hoạt động").click()
    expect(page.get_by_text("Đã thêm hoạt động.")).to_be_visible()
    row = page.get_by_test_id("activity-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Giao lưu hữu nghị Quốc khánh")
    expect(row).to_contain_text("25.000.000 ₫")
    expect(row.get_by_role("link", name=f"Đoàn {delegation}")).to_be_visible()
    no_sideways_scroll(page, width)

    # Found again by a search without diacritics.
    page.goto(f"{base_url}/hoi-huu-nghi/")
    page.get_by_placeholder("Tìm theo mã, tên hội").fill(f"hoi huu nghi viet nam lao {width}")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("association-row")).to_have_count(1)
    expect(page.get_by_role("link", name=code)).to_be_visible()
    no_sideways_scroll(page, width)
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Hội hữu nghị Việt Nam – Lào {width}")).to_be_visible()
    no_sideways_scroll(page, width)
