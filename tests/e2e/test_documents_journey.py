"""Browser journey (issue 14): an aid officer downloads the opinion-request letter from an
item's page, opens it (the item's code, the date written out, the amount in words), and
marks it sent; the file is then among the item's files. At 1366 px and at 390 px (no
horizontal scroll)."""

import pytest
import sqlalchemy as sa
from docx import Document
from playwright.sync_api import expect

from app.aid import services
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.auth.models import User
from app.core.dates import format_date, today_vn
from app.documents.wording import date_in_words
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.aid import advance, item_input
from tests.fixtures.orgs import new_org

pytestmark = pytest.mark.e2e

LETTER = "Công văn xin ý kiến các cơ quan"


def _item_asking_opinions(live_app, code: str) -> int:
    with live_app.app_context():
        item = db.session.scalar(sa.select(AidItem).where(AidItem.code == code))
        if item is None:

            def user(username):
                return db.session.scalar(sa.select(User).where(User.username == username))

            planner = user("planning.officer")
            donor = new_org(db, f"{code}-D", "DE", "Documents Donor E2E")
            item = services.create_item(item_input([donor.id], code), user=planner)
            advance(item, AidStatus.XIN_Y_KIEN, planner, db, user)
            db.session.commit()
        return item.id


def _text(path) -> str:
    document = Document(path)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("width", "code"), [(1366, "E2E-DOC-W"), (390, "E2E-DOC-P")], ids=["1366px", "390px"]
)
def test_officer_downloads_the_letter_and_marks_it_sent(browser, base_url, live_app, width, code):
    item_id = _item_asking_opinions(live_app, code)
    page = signed_in(browser, base_url, "planning.officer", {"width": width, "height": 900})
    page.goto(f"{base_url}/vien-tro/{item_id}")
    card = page.get_by_test_id("record-documents")
    expect(card).to_contain_text("Văn bản soạn thảo")
    with page.expect_download() as download_info:
        card.get_by_role("button", name=f"Soạn: {LETTER} (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"aid_opinion_request_{code}_")
    text = _text(str(download.path()))
    assert code in text and date_in_words(today_vn()) in text
    assert "(bằng chữ: Hai tỷ năm trăm triệu đồng)" in text

    page.reload()
    listed = page.get_by_test_id("document-list")
    expect(listed).to_contain_text(LETTER)
    expect(listed).to_contain_text("Chưa gửi")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    listed.get_by_role("link", name="Đánh dấu đã gửi").first.click()
    page.get_by_role("button", name="Lưu").click()  # no number: asked next to the field
    expect(page.get_by_text("Vui lòng nhập số văn bản.")).to_be_visible()
    page.get_by_label("Số văn bản").fill("15/STC-VT")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_text(f"Đã ghi nhận gửi “{LETTER}”; tệp đã lưu vào hồ sơ.")).to_be_visible()
    listed = page.get_by_test_id("document-list")
    expect(listed).to_contain_text(f"Đã gửi {format_date(today_vn())}, số 15/STC-VT")
    expect(page.get_by_test_id("item-files")).to_contain_text(f"aid_opinion_request_{code}_")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()
