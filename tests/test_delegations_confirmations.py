"""What a reviewer's "Giữ nguyên" leaves on the record page: under the review (and the
border permit), when and by whom it was kept, the note, and the changes it covered, for
everyone who reads the record, personal data masked as the viewer must see it."""

import sqlalchemy as sa

from app.core import audit
from app.core.dates import format_date, today_vn
from app.core.models import AuditEntry
from app.delegations import services
from app.delegations.models import DelegationMember
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import border_commune, future, member


def _block(page: str, testid: str) -> str:
    """The HTML of the first element carrying data-testid, up to its closing div."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</div>", start)]


def test_everyone_sees_that_the_police_kept_their_opinion_and_what_they_saw(
    make_delegation, login, db, user
):
    d = make_delegation("CF-1", stage="reviewed")
    target = db.session.get(DelegationMember, d.members[0].id)
    host, police = login("other.officer"), login("police.officer")
    added = {"full_name": "Nguyễn Văn A", "nationality": "VN", "sex": "nam"}
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", added).status_code == 302
    edit = {
        "full_name": "Kim Min-jun",
        "nationality": "KR",
        "passport_number": "Z9999999",
        "birth_date": "01/05/1980",
        "position": "Trưởng đoàn",
        "version": str(target.version),
    }
    assert host.post(f"/doan/thanh-vien/{target.id}", edit).status_code == 302
    page = police.get(f"/doan/{d.id}").get_data(as_text=True)
    assert 'data-testid="confirmed-police"' not in page  # nothing kept yet

    note = {"comment": "Đã kiểm tra thành viên bổ sung"}
    assert police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", note).status_code == 302

    officer = user("police.officer")
    kept = (
        f"Đã xem lại và giữ nguyên ngày {format_date(today_vn())} ({officer.full_name}, "
        f"{officer.agency.name}): Đã kiểm tra thành viên bổ sung"
    )
    fa_page = login("foreign_affairs.officer").get(f"/doan/{d.id}").get_data(as_text=True)
    block = _block(fa_page, "confirmed-police")
    assert kept in block
    assert "Thêm thành viên Nguyễn Văn A" in block
    assert "số hộ chiếu M1234567 → Z9999999" in block  # foreign affairs sees personal data
    assert 'data-testid="confirmed-foreign_affairs"' not in fa_page  # FA has not confirmed

    viewer_page = login("leadership.viewer").get(f"/doan/{d.id}").get_data(as_text=True)
    block = _block(viewer_page, "confirmed-police")
    assert kept in block and "Thêm thành viên Nguyễn Văn A" in block
    assert "số hộ chiếu (đã thay đổi)" in block and "Z9999999" not in viewer_page


def test_a_second_confirmation_lists_only_the_later_changes_and_a_new_review_clears_them(
    make_delegation, login, db
):
    d = make_delegation("CF-2", stage="reviewed")
    host, fa = login("other.officer"), login("foreign_affairs.officer")
    first = {"full_name": "Người Một", "nationality": "VN"}
    second = {"full_name": "Người Hai", "nationality": "VN"}
    url = f"/doan/{d.id}/ghi-nhan/giu-nguyen-ngoai-vu"
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", first).status_code == 302
    assert fa.post(url, {}).status_code == 302
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", second).status_code == 302
    assert fa.post(url, {"comment": "Lần hai"}).status_code == 302

    page = fa.get(f"/doan/{d.id}").get_data(as_text=True)
    parts = page.split('data-testid="confirmed-foreign_affairs"')[1:]
    blocks = [part.split("</div>")[0] for part in parts]
    assert len(blocks) == 2
    assert "Người Một" in blocks[0] and "Người Hai" not in blocks[0]
    assert "Lần hai" in blocks[1] and "Người Hai" in blocks[1] and "Người Một" not in blocks[1]

    # The opinion given again replaces the one that was kept: no confirmation shown.
    review = {"verdict": "dong_y", "text": "Ý kiến mới", "reviewed_on": format_date(today_vn())}
    assert fa.post(f"/doan/{d.id}/ghi-nhan/y-kien-ngoai-vu", review).status_code == 302
    page = fa.get(f"/doan/{d.id}").get_data(as_text=True)
    assert 'data-testid="confirmed-foreign_affairs"' not in page


def test_the_kept_border_permit_shows_under_the_permit(make_delegation, login, db, app, user):
    commune = border_commune(db)
    stops = [{"day": None, "commune_code": commune.code, "place": None, "activity": None}]
    d = make_delegation("CF-3", stage="reviewed", start=future(20), stops=stops)
    with app.app_context():
        services.record_border_permit(
            d, "GP-9", today_vn(), d.start_on, d.end_on, user=user("police.officer")
        )
        db.session.commit()
    host, police = login("other.officer"), login("police.officer")
    added = {"full_name": "Park", "nationality": "KR", "passport_number": "P99"}
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", added).status_code == 302
    note = {"comment": "Giấy phép vẫn phù hợp"}
    assert police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-giay-phep", note).status_code == 302
    page = login("leadership.viewer").get(f"/doan/{d.id}").get_data(as_text=True)
    block = _block(page, "confirmed-permit")
    assert "Đã xem lại và giữ nguyên ngày" in block and "Giấy phép vẫn phù hợp" in block
    assert "Thêm thành viên Park" in block


def test_an_entry_written_before_the_revisions_were_kept_still_shows(
    make_delegation, app_ctx, db, user
):
    """Confirmations audited before their note and revisions were stored: the note from
    the summary, the changes made before the confirmation."""
    host, police = user("other.officer"), user("police.officer")
    d = make_delegation("CF-4", stage="reviewed")
    services.add_member(d, member("Lee", passport="L1"), user=host)
    review = d.review_by("police")
    review.given_on_revision = d.revision
    audit.record(
        f"{DelegationAudit.REVIEW_CONFIRM}_police",
        d,
        user=police,
        summary=f"Giữ nguyên ý kiến an ninh, trật tự: Đồng ý (đoàn {d.code}). Ghi chú cũ",
    )
    db.session.flush()
    _since, confirmed = services.review_history(d, [])
    (kept,) = confirmed["police"]
    assert kept.comment == "Ghi chú cũ" and [c.text for c in kept.changes] == [
        "Thêm thành viên Lee"
    ]


def test_the_record_page_reads_confirmations_in_bounded_queries(
    make_delegation, login, db, app, user
):
    from tests.test_stats_web import selects

    host, police_user = user("other.officer"), user("police.officer")

    def confirmed(code, times):
        d = make_delegation(code, stage="reviewed")
        with app.app_context():
            for i in range(times):
                services.add_member(d, member(f"Người {i}", passport=f"{code[-1]}X{i}"), user=host)
                services.confirm_review(d, "police", f"Lần {i}", user=police_user)
            db.session.commit()
        return d

    fa = login("foreign_affairs.officer")
    few, many = confirmed("CF-Q1", 1), confirmed("CF-Q2", 5)
    page_few = selects(db, lambda: fa.get(f"/doan/{few.id}"))
    page_many = selects(db, lambda: fa.get(f"/doan/{many.id}"))
    assert len(page_many) == len(page_few)
    assert sum("delegation_change" in s for s in page_many) == 1
    assert sum("audit_entry" in s and s.lstrip().upper().startswith("SELECT") for s in page_many)
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == f"{DelegationAudit.REVIEW_CONFIRM}_police")
    ).all()
    assert entries and entries[-1].changes["ghi_chu"] == [None, "Lần 4"]
