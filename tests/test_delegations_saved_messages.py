"""The message after saving a change that re-opens the reviews tells the host that the
agencies that gave their opinion will look at the record again (the removal page says it
before the removal; adding, correcting a member, changing the dates say it after)."""

from datetime import timedelta

from app.core.dates import format_date
from app.delegations.models import DelegationMember
from tests.test_delegations_web import member_form, request_form

LOOK_AGAIN = "Các cơ quan đã cho ý kiến sẽ phải xem lại hồ sơ."


def _flash(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_adding_a_member_after_review_says_the_reviewers_look_again(make_delegation, login, db):
    d = make_delegation("SM-1", stage="reviewed")
    host = login("other.officer")
    short = format_date(d.start_on + timedelta(days=60))
    added = member_form(
        full_name="Tanaka",
        nationality="JP",
        passport_number="T1",
        is_head="",
        passport_expiry=short,
    )
    page = _flash(host.post(f"/doan/{d.id}/thanh-vien/moi", added, follow_redirects=True))
    assert f"Đã thêm Tanaka vào danh sách đoàn. {LOOK_AGAIN}" in page
    assert "còn hạn dưới 6 tháng kể từ ngày nhập cảnh" in page  # the passport note stays


def test_no_such_note_before_any_review(make_delegation, login, db):
    d = make_delegation("SM-2", stage="under_review")
    host = login("other.officer")
    added = member_form(full_name="Tanaka", nationality="JP", passport_number="T1", is_head="")
    page = _flash(host.post(f"/doan/{d.id}/thanh-vien/moi", added, follow_redirects=True))
    assert "Đã thêm Tanaka vào danh sách đoàn." in page and LOOK_AGAIN not in page


def test_correcting_or_removing_a_member_after_review(make_delegation, login, db):
    d = make_delegation("SM-3", stage="reviewed")
    target = db.session.get(DelegationMember, d.members[0].id)
    host = login("other.officer")
    edit = member_form(position="Phó đoàn", is_head="", version=str(target.version))
    page = _flash(host.post(f"/doan/thanh-vien/{target.id}", edit, follow_redirects=True))
    assert f"Đã lưu thành viên. {LOOK_AGAIN}" in page
    # Saving the same values again changes nothing the reviewers saw: no note.
    edit["version"] = str(db.session.get(DelegationMember, target.id).version)
    page = _flash(host.post(f"/doan/thanh-vien/{target.id}", edit, follow_redirects=True))
    assert "Đã lưu thành viên." in page and LOOK_AGAIN not in page

    version = db.session.get(DelegationMember, target.id).version
    removal = {"reason": "Không đi", "version": str(version)}
    page = _flash(host.post(f"/doan/thanh-vien/{target.id}/xoa", removal, follow_redirects=True))
    assert f"khỏi danh sách đoàn. {LOOK_AGAIN}" in page


def test_changing_the_dates_after_review(make_delegation, login, db):
    d = make_delegation("SM-4", stage="reviewed")
    host = login("other.officer")
    form = request_form(
        code="SM-4",
        start_on=format_date(d.start_on),
        end_on=format_date(d.end_on + timedelta(days=1)),
        version=str(d.version),
        **{"stops-0-day": "", "stops-0-place": "", "stops-0-activity": ""},
    )
    page = _flash(host.post(f"/doan/{d.id}/sua", form, follow_redirects=True))
    assert f"Đã lưu hồ sơ đoàn. {LOOK_AGAIN}" in page
