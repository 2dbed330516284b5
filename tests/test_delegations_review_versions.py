"""Changes after review re-open it (issue 12, point 1): a change of the members, dates or
itinerary after a review or permit puts them on an earlier version, lists what changed,
puts the delegation back in the reviewers' inboxes, and approval waits until each reviewer
confirms ("Giữ nguyên ý kiến") or revises."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.dates import format_date, today_vn
from app.core.errors import DomainError, PermissionDenied
from app.core.models import AuditEntry
from app.delegations import services, workflow
from app.delegations.models import Delegation, DelegationChange, DelegationMember
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import border_commune, delegation_input, future, member


@pytest.fixture
def people(user):
    return user("other.officer"), user("foreign_affairs.officer"), user("police.officer")


def lines(db, delegation, personal=True):
    rows = db.session.scalars(
        sa.select(DelegationChange)
        .where(DelegationChange.delegation_id == delegation.id)
        .order_by(DelegationChange.id)
    )
    return [c.shown(personal) for c in rows]


def ready(delegation, fa) -> tuple[bool, bool]:
    """(the approval guard, its SQL twin) for this delegation."""
    in_sql = services_ready_ids(delegation.id)
    return workflow.may(delegation, "approve", fa), in_sql


def services_ready_ids(delegation_id) -> bool:
    from app.extensions import db

    query = sa.select(Delegation.id).where(
        Delegation.id == delegation_id, workflow.ready_to_approve_condition()
    )
    return db.session.scalar(query) is not None


def test_member_added_after_reviews_reopens_both_until_confirmed_or_revised(
    make_delegation, app_ctx, db, people
):
    host, fa, police = people
    d = make_delegation("RV-1", stage="reviewed")
    assert d.revision == 0 and ready(d, fa) == (True, True)

    services.add_member(d, member("Nguyễn Văn A", "VN", passport=None), user=host)
    assert d.revision == 1
    assert {r.reviewer_kind for r in d.outdated_reviews} == {"foreign_affairs", "police"}
    assert lines(db, d) == ["Thêm thành viên Nguyễn Văn A"]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == DelegationAudit.REVIEWS_REOPENED)
    )
    assert entry.object_id == str(d.id)
    assert "Thêm thành viên Nguyễn Văn A" in entry.changes["thay_doi"][1]
    assert ready(d, fa) == (False, False)
    with pytest.raises(DomainError, match="xác nhận lại"):
        services.approve_delegation(d, "1/UBND", today_vn(), user=fa)

    # Both reviewers find it in their inbox again, with the marker.
    for reviewer in (fa, police):
        box = services.inbox(user=reviewer)
        assert [x.code for x in box.to_review] == ["RV-1"] and box.to_review[0].reopened
    assert services.inbox_counts_by_box(user=police)["to_review"] == 1

    since = services.changes_since(d, [])
    assert [c.text for c in since["police"]] == ["Thêm thành viên Nguyễn Văn A"]

    services.confirm_review(d, "police", "Không thay đổi ý kiến", user=police)
    assert not d.review_by("police").is_outdated and ready(d, fa) == (False, False)
    assert services.inbox_counts_by_box(user=police)["to_review"] == 0
    with pytest.raises(DomainError, match="phiên bản hiện tại"):
        services.confirm_review(d, "police", user=police)
    # Revising the review works as well as confirming it.
    services.record_review(d, "foreign_affairs", "dong_y", "Vẫn phù hợp", user=fa)
    assert d.outdated_reviews == [] and ready(d, fa) == (True, True)
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert f"{DelegationAudit.REVIEW_CONFIRM}_police" in actions
    services.approve_delegation(d, "1/UBND", today_vn(), user=fa)
    assert d.is_approved


def test_only_the_reviewer_confirms_and_only_an_outdated_review(
    make_delegation, app_ctx, db, people
):
    host, fa, police = people
    d = make_delegation("RV-2", stage="reviewed")
    with pytest.raises(DomainError):
        services.confirm_review(d, "police", user=police)  # nothing changed yet
    services.update_member(
        d.members[0], {**member(), "position": "Phó đoàn"}, user=host, version=d.members[0].version
    )
    assert lines(db, d) == ["Sửa thành viên Kim Min-jun: chức vụ Trưởng đoàn → Phó đoàn"]
    with pytest.raises(PermissionDenied):
        services.confirm_review(d, "police", user=host)
    with pytest.raises(PermissionDenied):
        services.confirm_review(d, "police", user=fa)


def test_no_revision_before_any_review(make_delegation, app_ctx, db, people):
    host, _fa, _police = people
    d = make_delegation("RV-3", stage="under_review")
    services.add_member(d, member("Lee", passport="L1"), user=host)
    services.remove_member(d.members[-1], "Không đi", user=host)
    assert d.revision == 0 and lines(db, d) == []


def test_dates_itinerary_and_border_communes_are_listed(make_delegation, app_ctx, db, people):
    host = people[0]
    commune = border_commune(db)
    start = future(30)
    d = make_delegation("RV-4", stage="reviewed", start=start)
    data = delegation_input(
        "RV-4",
        start=start,
        end=start + timedelta(days=5),
        stops=[{"day": start, "commune_code": commune.code, "place": "Đồn", "activity": None}],
    )
    services.update_delegation(d, data, user=host, version=d.version)
    end_before, end_after = (
        format_date(start + timedelta(days=3)),
        format_date(start + timedelta(5)),
    )
    assert lines(db, d) == [
        f"Đổi ngày kết thúc {end_before} → {end_after}",
        f"Thêm điểm lịch trình: {format_date(start)}, {commune.name} (xã biên giới), Đồn",
        "Đoàn vào khu vực biên giới",
    ]
    assert d.revision == 1 and len(d.outdated_reviews) == 2
    # A change of the request's other fields (title) is not a change of what was reviewed.
    data.fields["title"] = "Tên khác"
    services.update_delegation(d, data, user=host, version=d.version)
    assert d.revision == 1


def test_passport_change_line_is_masked_for_masked_viewers(make_delegation, app_ctx, db, people):
    host, _fa, _police = people
    d = make_delegation("RV-5", stage="reviewed")
    target = d.members[0]
    values = {**member(), "passport_number": "N7654321"}
    services.update_member(target, values, user=host, version=target.version)
    assert lines(db, d) == ["Sửa thành viên Kim Min-jun: số hộ chiếu M1234567 → N7654321"]
    assert lines(db, d, personal=False) == ["Sửa thành viên Kim Min-jun: số hộ chiếu (đã thay đổi)"]
    mine = sa.select(AuditEntry).where(AuditEntry.object_id == str(d.id))
    entries = db.session.scalars(mine).all()
    assert not any("N7654321" in f"{e.summary}{e.changes}" for e in entries)


def test_border_permit_given_before_a_change_must_be_confirmed(
    make_delegation, app_ctx, db, people
):
    host, fa, police = people
    commune = border_commune(db)
    stops = [{"day": None, "commune_code": commune.code, "place": None, "activity": None}]
    d = make_delegation("RV-6", stage="reviewed", start=future(20), stops=stops)
    services.record_border_permit(d, "GP-1", today_vn(), d.start_on, d.end_on, user=police)
    services.record_border_notice(d, today_vn(), user=host)
    assert ready(d, fa) == (True, True)

    services.add_member(d, member("Park", passport="P99"), user=host)
    assert not workflow.has_valid_permit(d) and ready(d, fa) == (False, False)
    assert [x.code for x in services.inbox(user=police).permits_needed] == ["RV-6"]
    services.confirm_review(d, "police", user=police)
    services.confirm_review(d, "foreign_affairs", user=fa)
    assert ready(d, fa) == (False, False)  # the permit still waits
    with pytest.raises(DomainError, match="giấy phép vào khu vực biên giới xác nhận lại"):
        services.approve_delegation(d, "2/UBND", today_vn(), user=fa)
    services.confirm_border_permit(d, user=police)
    assert workflow.has_valid_permit(d) and ready(d, fa) == (True, True)


# --- Through the pages ----------------------------------------------------------------------


def test_police_sees_the_change_in_the_inbox_and_confirms(make_delegation, login, db):
    d = make_delegation("RV-WEB", stage="reviewed")
    host, police, fa = (
        login("other.officer"),
        login("police.officer"),
        login("foreign_affairs.officer"),
    )
    added = {"full_name": "Nguyễn Văn A", "nationality": "VN", "sex": "nam"}
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", added).status_code == 302

    inbox = police.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert "RV-WEB" in inbox and 'data-testid="reopened"' in inbox
    page = police.get(f"/doan/{d.id}").get_data(as_text=True)
    assert 'data-testid="since-police"' in page and "Thêm thành viên Nguyễn Văn A" in page
    assert "Ý kiến trên phiên bản trước" in page
    approve = {"number": "5/UBND", "approved_on": format_date(today_vn())}
    refused = fa.post(f"/doan/{d.id}/buoc/approve", approve)
    assert refused.status_code == 409 and "xác nhận lại" in refused.get_data(as_text=True)

    assert host.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", {}).status_code == 403
    assert police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", {}).status_code == 302
    page = police.get(f"/doan/{d.id}").get_data(as_text=True)
    assert (
        'data-testid="since-police"' not in page and 'data-testid="since-foreign_affairs"' in page
    )
    assert police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", {}).status_code == 409
    assert fa.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-ngoai-vu", {}).status_code == 302
    assert fa.post(f"/doan/{d.id}/buoc/approve", approve).status_code == 302


def test_masked_viewer_sees_the_change_without_the_passport(make_delegation, login, db, app):
    d = make_delegation("RV-MASK", stage="reviewed")
    target = db.session.get(DelegationMember, d.members[0].id)
    host = login("other.officer")
    edit = {
        "full_name": "Kim Min-jun",
        "nationality": "KR",
        "passport_number": "Z9999999",
        "birth_date": "01/05/1980",
        "position": "Trưởng đoàn",
        "version": str(target.version),
    }
    assert host.post(f"/doan/thanh-vien/{target.id}", edit).status_code == 302
    police_page = login("police.officer").get(f"/doan/{d.id}").get_data(as_text=True)
    assert "số hộ chiếu M1234567 → Z9999999" in police_page
    viewer_page = login("leadership.viewer").get(f"/doan/{d.id}").get_data(as_text=True)
    assert "số hộ chiếu (đã thay đổi)" in viewer_page and "Z9999999" not in viewer_page


def test_inbox_and_record_page_queries_do_not_grow_with_changes(
    make_delegation, login, db, app, user
):
    """The inbox's marker and the record page's lists are loaded in a bounded number of
    queries, whatever the number of reopened delegations and changes."""
    from tests.test_stats_web import selects

    host = user("other.officer")

    def reopen(code, changes):
        d = make_delegation(code, stage="reviewed")
        with app.app_context():
            for i in range(changes):
                services.add_member(
                    d, member(f"Người {i}", passport=f"{code.replace('-', '')}X{i}"), user=host
                )
            db.session.commit()
        return d

    police = login("police.officer")
    first = reopen("RV-Q0", 1)
    inbox_few = selects(db, lambda: police.get("/doan/viec-can-xu-ly"))
    page_few = selects(db, lambda: police.get(f"/doan/{first.id}"))
    more = [reopen(f"RV-Q{i}", 4) for i in range(1, 4)]
    inbox_many = selects(db, lambda: police.get("/doan/viec-can-xu-ly"))
    page_many = selects(db, lambda: police.get(f"/doan/{more[-1].id}"))
    assert len(inbox_many) == len(inbox_few)
    assert "RV-Q3" in police.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert len(page_many) == len(page_few)
    assert sum("delegation_change" in s for s in page_many) == 1


def _edited_export(change) -> bytes:
    """The registry workbook exported, with `change(book)` applied, as bytes."""
    import io

    from openpyxl import load_workbook

    from app.transfer.exporter import export_workbook

    book = load_workbook(io.BytesIO(export_workbook()))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column(sheet, key: str) -> int:
    """The 1-based column whose header (row 1) is the spec key or its label."""
    from app.transfer.schema import SHEETS

    labels = {c.key: c.label for c in SHEETS[sheet.title].columns}
    headers = [cell.value for cell in sheet[1]]
    return next(i + 1 for i, h in enumerate(headers) if h in (key, labels.get(key)))


def test_a_workbook_import_that_changes_a_reviewed_delegation_reopens_it(
    make_delegation, app_ctx, db, people, user
):
    """The import is one more way to change members and dates: the reviewers look again."""
    from app.transfer.importer import import_workbook

    _host, fa, _police = people
    made = make_delegation("DV-NHAP", stage="reviewed", members=[member()])
    delegation = db.session.get(Delegation, made.id)
    assert ready(delegation, fa) == (True, True)

    def change(book):
        trips, members = book["Doan"], book["ThanhVien"]
        end = _column(trips, "den_ngay")
        row = next(r for r in trips.iter_rows(min_row=2) if r[0].value == "DV-NHAP")
        row[end - 1].value = delegation.end_on + timedelta(days=2)
        copy = [cell.value for cell in next(members.iter_rows(min_row=2))]
        copy[_column(members, "ho_ten") - 1] = "Lee Ji-eun"
        copy[_column(members, "so_ho_chieu") - 1] = "M7654321"
        members.append(copy)

    report = import_workbook(_edited_export(change), "sua.xlsx", user("admin"))
    assert report.ok, [str(e) for e in report.errors[:3]]
    db.session.commit()
    delegation = db.session.get(Delegation, made.id)  # the import lets its records go
    assert delegation.revision == 2  # the dates (Doan), then the members (ThanhVien)
    shown = lines(db, delegation)
    assert any("đổi ngày kết thúc" in line for line in shown), shown
    assert any("danh sách thành viên được thay thế (2 người)" in line for line in shown), shown
    assert ready(delegation, fa) == (False, False)
    again = import_workbook(_edited_export(lambda book: None), "lai.xlsx", user("admin"))
    assert again.ok
    delegation = db.session.get(Delegation, made.id)
    assert delegation.revision == 2  # the same content again changes nothing


def test_migration_down_and_up_keeps_delegations_and_members(tmp_root):
    """Downgrading the revisions keeps every delegation and member (SQLite must not copy
    the delegation table, which members reference), and upgrading again starts at 0."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_delmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    now = "2025-01-01"
    with app.app_context():
        upgrade(revision="f7b2d3e4c5a6")
        _db.session.execute(
            sa.text("INSERT INTO agency (name, kind, active, created_at, updated_at, version) "
                    "VALUES ('A', 'other', :yes, :now, :now, 1)"),
            {"yes": True, "now": now},
        )  # fmt: skip
        _db.session.execute(
            sa.text(
                "INSERT INTO delegation (code, direction, title, search_text, purpose, status, "
                "country, start_on, end_on, author_agency_id, is_border_area, is_late_request, "
                "revision, "
                "created_at, updated_at, version) SELECT 'D1', 'vao', 'T', '', 'khao_sat', "
                "'dang_xem_xet', 'KR', :day, :day, id, :no, :no, 3, :now, :now, 1 FROM agency"
            ),
            {"day": date(2026, 5, 1), "no": False, "now": now},
        )
        _db.session.execute(
            sa.text(
                "INSERT INTO delegation_member (delegation_id, full_name, name_folded, "
                "nationality, is_head, created_at, updated_at, version) SELECT id, 'Kim', "
                "'kim', 'KR', :no, :now, :now, 1 FROM delegation"
            ),
            {"no": False, "now": now},
        )
        _db.session.commit()
        downgrade(revision="e6a1c2d3b4f5")
        count = "SELECT (SELECT count(*) FROM delegation), (SELECT count(*) FROM delegation_member)"
        assert tuple(_db.session.execute(sa.text(count)).one()) == (1, 1)
        _db.session.commit()
        upgrade(revision="f7b2d3e4c5a6")
        assert _db.session.execute(sa.text("SELECT revision FROM delegation")).scalar() == 0
        _db.session.commit()
        _db.engine.dispose()


def test_a_confirmation_covers_only_the_changes_the_reviewer_saw(make_delegation, login, db):
    """The police open the confirmation at revision 1; the host adds another member
    (revision 2); keeping the opinion from that page is refused (409) until the police look
    at the record again; the record page's link carries the revision it showed."""
    d = make_delegation("RV-SEEN", stage="reviewed")
    host, police = login("other.officer"), login("police.officer")
    first = {"full_name": "Nguyễn Văn A", "nationality": "VN", "sex": "nam"}
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", first).status_code == 302
    record = police.get(f"/doan/{d.id}").get_data(as_text=True)
    assert "giu-nguyen-cong-an?revision=1" in record
    confirm = police.get(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an?revision=1")
    assert 'name="revision" type="hidden" value="1"' in confirm.get_data(as_text=True)
    second = {"full_name": "Trần Thị B", "nationality": "VN", "sex": "nu"}
    assert host.post(f"/doan/{d.id}/thanh-vien/moi", second).status_code == 302
    stale = police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", {"revision": "1"})
    assert stale.status_code == 409 and "thay đổi thêm" in stale.get_data(as_text=True)
    seen = police.post(f"/doan/{d.id}/ghi-nhan/giu-nguyen-cong-an", {"revision": "2"})
    assert seen.status_code == 302
