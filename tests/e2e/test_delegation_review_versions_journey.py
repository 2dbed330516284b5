"""Browser journey (issue 12, point 1): the host unit adds a member after the police gave
its opinion; the police officer finds the delegation back in the inbox with a marker, sees
what changed on the record page, and keeps the opinion ("Giữ nguyên ý kiến")."""

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.delegations import services
from app.delegations.models import Delegation
from app.extensions import db
from tests.conftest import signed_in
from tests.fixtures.delegations import delegation_input, future, member, reviewed

pytestmark = pytest.mark.e2e

CODE = "E2E-RV-01"


@pytest.fixture
def reviewed_delegation(live_app):
    """A delegation both reviewers gave their opinion on (made through the services)."""
    with live_app.app_context():
        found = db.session.scalar(db.select(Delegation).where(Delegation.code == CODE))
        if found is not None:
            return found.id

        def user(name):
            return db.session.scalar(db.select(User).where(User.username == name))

        host, fa, police = (
            user("other.officer"),
            user("foreign_affairs.officer"),
            user("police.officer"),
        )
        created = services.create_delegation(delegation_input(CODE, start=future(25)), user=host)
        services.add_member(created, member("Kim Min-jun", passport="M7654321"), user=host)
        reviewed(created, host, fa, police)
        db.session.commit()
        return created.id


def test_member_added_after_police_review_is_seen_and_confirmed(
    browser, base_url, reviewed_delegation
):
    detail_url = f"{base_url}/doan/{reviewed_delegation}"
    host = signed_in(browser, base_url, "other.officer")
    host.goto(detail_url)
    host.get_by_role("link", name="+ Thêm thành viên").click()
    host.get_by_label("Họ và tên").fill("Nguyễn Văn A")
    host.get_by_label("Quốc tịch").select_option("VN")
    host.get_by_role("button", name="Lưu", exact=True).click()
    expect(host.get_by_test_id("members")).to_contain_text("Nguyễn Văn A")

    police = signed_in(browser, base_url, "police.officer")
    police.goto(f"{base_url}/doan/viec-can-xu-ly")
    row = police.get_by_test_id("to-review").get_by_role("row").filter(has_text=CODE)
    expect(row.get_by_test_id("reopened")).to_have_text("Ý kiến trên phiên bản trước")
    row.get_by_role("link", name=CODE).click()
    since = police.get_by_test_id("since-police")
    expect(since).to_contain_text("Ý kiến trên phiên bản trước")
    expect(since).to_contain_text("Thêm thành viên Nguyễn Văn A")
    since.get_by_role("link", name="Giữ nguyên ý kiến").click()
    police.get_by_label("Ghi chú / lý do").fill("Đã xem thành viên mới, không thay đổi ý kiến")
    police.get_by_role("button", name="Giữ nguyên ý kiến").click()
    expect(police.get_by_text("Đã lưu: Giữ nguyên ý kiến.")).to_be_visible()
    expect(police.get_by_test_id("since-police")).to_have_count(0)
    expect(police.get_by_test_id("review-police")).to_contain_text("Đồng ý")
    # Foreign affairs has not looked again yet: its opinion still shows what changed.
    expect(police.get_by_test_id("since-foreign_affairs")).to_contain_text("Nguyễn Văn A")

    police.goto(f"{base_url}/doan/viec-can-xu-ly")
    expect(police.get_by_text(CODE)).to_have_count(0)
