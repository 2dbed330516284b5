"""Delegations: every transition and role, members, border rules, visibility, views."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.dates import add_working_days, today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied
from app.core.models import AuditEntry
from app.delegations import services, workflow
from app.delegations.models import DelegationMember, DelegationStep
from tests.fixtures.delegations import (
    border_commune,
    delegation_input,
    future,
    member,
    reviewed,
    under_review,
)


@pytest.fixture
def host(user):
    return user("other.officer")


@pytest.fixture
def fa(user):
    return user("foreign_affairs.officer")


@pytest.fixture
def police(user):
    return user("police.officer")


@pytest.fixture
def delegation(app_ctx, db, host):
    created = services.create_delegation(delegation_input(), user=host)
    services.add_member(created, member(), user=host)
    db.session.commit()
    return created


def test_create_sets_author_and_host(delegation, host):
    assert delegation.status == "du_thao"
    assert delegation.author_agency_id == host.agency_id == delegation.host_agency_id
    assert "kim min-jun" in delegation.search_text


def test_full_review_to_completion(delegation, host, fa, police, db):
    services.submit_delegation(delegation, user=host)
    assert delegation.status == "da_gui" and delegation.submitted_on == today_vn()
    assert delegation.is_late_request is False  # 30 days ahead
    services.receive_delegation(delegation, user=fa)
    assert delegation.status == "dang_xem_xet"
    with pytest.raises(DomainError, match="Chưa đủ điều kiện phê duyệt"):
        services.approve_delegation(delegation, "12/UBND-NgV", today_vn(), "Chủ tịch", user=fa)
    services.record_review(delegation, "foreign_affairs", "dong_y", "Phù hợp", user=fa)
    services.record_review(delegation, "police", "dong_y_co_dieu_kien", "Lưu ý", user=police)
    services.approve_delegation(
        delegation, "12/UBND-NgV", today_vn(), "Chủ tịch UBND tỉnh", user=fa
    )
    assert delegation.status == "da_duyet"
    assert delegation.report_due_on == add_working_days(delegation.end_on, 10)
    with pytest.raises(DomainError, match="báo cáo kết quả"):
        services.complete_delegation(delegation, user=host)
    with pytest.raises(FieldError, match="trước khi đoàn bắt đầu"):
        services.record_visit_report(delegation, today_vn(), "Tốt", user=host)
    delegation.start_on = today_vn() - timedelta(days=5)
    delegation.end_on = today_vn() - timedelta(days=2)
    services.record_visit_report(delegation, today_vn(), "Đoàn làm việc hiệu quả", user=host)
    services.complete_delegation(delegation, user=host)
    assert delegation.status == "hoan_thanh"
    steps = db.session.scalars(
        sa.select(DelegationStep.action)
        .where(DelegationStep.delegation_id == delegation.id)
        .order_by(DelegationStep.id)
    ).all()
    assert steps == ["create", "submit", "receive", "approve", "complete"]


def test_submit_needs_members_and_flags_late_requests(app_ctx, db, host):
    empty = services.create_delegation(delegation_input("DV-2", start=future(2)), user=host)
    with pytest.raises(DomainError, match="danh sách thành viên"):
        services.submit_delegation(empty, user=host)
    services.add_member(empty, member(), user=host)
    services.submit_delegation(empty, user=host)
    assert empty.is_late_request is True  # not refused, flagged


def test_police_disagreement_blocks_approval(delegation, host, fa, police):
    reviewed(delegation, host, fa, police, police_verdict="khong_dong_y")
    with pytest.raises(DomainError, match="không đồng ý"):
        services.approve_delegation(delegation, "12/UBND", today_vn(), "X", user=fa)
    services.refuse_delegation(delegation, "Không đảm bảo an ninh", user=fa)
    assert delegation.status == "tu_choi" and delegation.refusal_reason


def test_border_area_needs_permit_and_notice(app_ctx, db, host, fa, police):
    commune = border_commune(db)
    start = future(20)
    visit = services.create_delegation(
        delegation_input(
            "DV-BG",
            start=start,
            stops=[
                {
                    "day": start,
                    "commune_code": commune.code,
                    "place": "Đồn BP",
                    "activity": "Khảo sát",
                }
            ],
        ),
        user=host,
    )
    assert visit.is_border_area is True
    services.add_member(visit, member(), user=host)
    reviewed(visit, host, fa, police)
    with pytest.raises(DomainError, match="giấy phép vào khu vực biên giới"):
        services.approve_delegation(visit, "1/UBND", today_vn(), "X", user=fa)
    with pytest.raises(FieldError, match="suốt thời gian đoàn"):
        services.record_border_permit(visit, "GP-1", today_vn(), start, start, user=police)
    with pytest.raises(PermissionDenied):
        services.record_border_permit(visit, "GP-1", today_vn(), start, visit.end_on, user=fa)
    services.record_border_permit(visit, "GP-1", today_vn(), start, visit.end_on, user=police)
    with pytest.raises(DomainError, match="thông báo cho Công an và Bộ đội Biên phòng"):
        services.approve_delegation(visit, "1/UBND", today_vn(), "X", user=fa)
    with pytest.raises(FieldError, match="sau ngày hôm nay"):
        services.record_border_notice(visit, future(1), user=host)
    late = services.create_delegation(
        delegation_input(
            "DV-BG2",
            start=today_vn(),
            stops=[{"day": None, "commune_code": commune.code, "place": None, "activity": None}],
        ),
        user=host,
    )
    with pytest.raises(DomainError):  # still a draft: no notice yet
        services.record_border_notice(late, today_vn(), user=host)
    services.record_border_notice(visit, today_vn(), user=host)
    services.approve_delegation(visit, "1/UBND", today_vn(), "X", user=fa)
    assert visit.status == "da_duyet"


def test_notice_must_be_24_hours_ahead(app_ctx, db, host, fa, police):
    commune = border_commune(db)
    visit = services.create_delegation(
        delegation_input(
            "DV-BG3",
            start=today_vn(),
            stops=[{"day": None, "commune_code": commune.code, "place": None, "activity": None}],
        ),
        user=host,
    )
    services.add_member(visit, member(), user=host)
    services.submit_delegation(visit, user=host)
    with pytest.raises(FieldError, match="24 giờ"):
        services.record_border_notice(visit, today_vn(), user=host)


@pytest.mark.parametrize(("state", "action"), sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("username", ["police.viewer", "leadership.viewer", "finance.officer"])
def test_every_transition_refused_to_other_roles(delegation, user, db, state, action, username):
    delegation.status = state
    db.session.flush()
    with pytest.raises(PermissionDenied), workflow.step(delegation, action, user(username), "x"):
        pass
    assert delegation.status == state


@pytest.mark.parametrize(
    ("action", "username"),
    [
        ("receive", "other.officer"),
        ("receive", "police.officer"),
        ("approve", "police.officer"),
        ("approve", "other.officer"),
        ("refuse", "other.officer"),
    ],
)
def test_review_steps_belong_to_foreign_affairs(delegation, user, db, action, username):
    delegation.status = "da_gui" if action == "receive" else "dang_xem_xet"
    with pytest.raises(PermissionDenied), workflow.step(delegation, action, user(username), "x"):
        pass


def test_wrong_state_is_refused(delegation, host, fa):
    with pytest.raises(DomainError) as error:
        services.receive_delegation(delegation, user=fa)
    assert error.value.status == 409 and "Dự thảo" in error.value.message


def test_only_each_agency_records_its_review(delegation, host, fa, police):
    under_review(delegation, host, fa)
    with pytest.raises(PermissionDenied):
        services.record_review(delegation, "police", "dong_y", "x", user=fa)
    with pytest.raises(PermissionDenied):
        services.record_review(delegation, "foreign_affairs", "dong_y", "x", user=police)
    with pytest.raises(PermissionDenied):
        services.record_review(delegation, "police", "dong_y", "x", user=host)
    first = services.record_review(delegation, "police", "dong_y", "Ổn", user=police)
    again = services.record_review(delegation, "police", "khong_dong_y", "Đổi", user=police)
    assert first is again and again.verdict == "khong_dong_y"  # revised, one per agency


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"passport": None}, "passport_number", "phải có số hộ chiếu"),
        ({"passport": "m1234567"}, "passport_number", "đã có trong danh sách"),
        ({"birth_date": future(1)}, "birth_date", "trong quá khứ"),
        ({"passport_expiry": future(31)}, "passport_expiry", "trước khi kết thúc"),
        ({"name": "  "}, "full_name", "họ và tên"),
    ],
)
def test_member_rules(delegation, host, values, field, message):
    extra = {k: v for k, v in values.items() if k not in ("passport", "name")}
    data = member(name=values.get("name", "Lee"), passport=values.get("passport", "X9999"), **extra)
    with pytest.raises(FieldError) as error:
        services.add_member(delegation, data, user=host)
    assert message in error.value.errors[field]


def test_vietnamese_member_needs_no_passport_and_passport_normalised(delegation, host):
    vn = services.add_member(delegation, member("Nguyễn Văn A", "VN", None), user=host)
    assert vn.passport_number is None
    other = services.add_member(delegation, member("Park", "KR", " b12 34 "), user=host)
    assert other.passport_number == "B1234"


def test_member_rows_all_or_nothing(delegation, host, db):
    rows = [
        (2, member("A", passport="P111")),
        (3, member("B", passport=None)),
        (4, member("C", passport="P111")),
    ]
    errors = services.add_members_from_rows(
        delegation, rows, user=host, labels={"passport_number": "Số hộ chiếu"}
    )
    assert [(e.row, e.column) for e in errors] == [(3, "Số hộ chiếu"), (4, "Số hộ chiếu")]
    assert len(delegation.members) == 1
    ok = services.add_members_from_rows(delegation, rows[:1], user=host, labels={})
    assert ok == [] and len(delegation.members) == 2


def test_remove_member_archives(delegation, host, db):
    target = delegation.members[0]
    services.remove_member(target, "Không đi", user=host)
    assert db.session.get(DelegationMember, target.id).archived_at is not None
    assert delegation.members == []


def test_drafts_visible_only_to_author_agency(delegation, user, db, host):
    query = services.delegations_query(services.DelegationFilters(), user=user("police.officer"))
    assert delegation not in db.session.scalars(query).all()
    mine = services.delegations_query(services.DelegationFilters(), user=user("other.viewer"))
    assert delegation in db.session.scalars(mine).all()
    admin = services.delegations_query(services.DelegationFilters(), user=user("admin"))
    assert delegation in db.session.scalars(admin).all()
    services.submit_delegation(delegation, user=host)
    assert delegation in db.session.scalars(query).all()


def test_person_search_by_passport_and_name(delegation, host, user, db):
    services.submit_delegation(delegation, user=host)
    police = user("police.officer")
    assert [m.full_name for m in services.person_search("m 1234567", user=police)] == [
        "Kim Min-jun"
    ]
    assert [m.full_name for m in services.person_search("kim min", user=police)] == ["Kim Min-jun"]
    viewer = user("leadership.viewer")
    assert (
        services.person_search("M1234567", user=viewer) == []
    )  # no passport search without rights
    assert len(services.person_search("min-jun", user=viewer)) == 1


def test_upcoming_inbox_and_alerts(app_ctx, db, host, fa, police, user):
    soon = services.create_delegation(delegation_input("SOON", start=future(3)), user=host)
    added = services.add_member(soon, member(), user=host)
    added.passport_expiry = future(4)  # as an import or a later date change can leave it
    services.submit_delegation(soon, user=host)
    later = services.create_delegation(delegation_input("LATER", start=future(60)), user=host)
    services.add_member(later, member(), user=host)
    services.submit_delegation(later, user=host)
    assert [(d.code, n) for d, n in services.upcoming(user=fa)] == [("SOON", 1)]
    assert [d.code for d in services.inbox(user=fa).to_receive] == ["SOON", "LATER"]
    services.receive_delegation(soon, user=fa)
    assert [d.code for d in services.inbox(user=police).to_review] == ["SOON"]
    found = services.alerts(user=fa)
    assert [(d.code, n) for d, n in found["passports_expiring"]] == [("SOON", 1)]
    assert found["more"] == {
        "no_permit": False,
        "reports_overdue": False,
        "passports_expiring": False,
    }
    again = services.create_delegation(delegation_input("AGAIN", start=future(5)), user=host)
    services.add_member(again, member(), user=host).passport_expiry = future(6)
    services.add_member(again, member(passport="B7654321"), user=host).passport_expiry = future(6)
    services.submit_delegation(again, user=host)
    bounded = services.alerts(user=fa, limit=1)
    assert [(d.code, n) for d, n in bounded["passports_expiring"]] == [("SOON", 1)]
    assert bounded["more"]["passports_expiring"]  # shown as "1+" on the page
    counted = services.alerts(user=fa)["passports_expiring"]
    assert [(d.code, n) for d, n in counted] == [("SOON", 1), ("AGAIN", 2)]


def test_changes_are_audited_with_personal_data_masked(delegation, host, db):
    target = delegation.members[0]
    services.update_member(
        target, {**member(), "passport_number": "NEW123"}, user=host, version=target.version
    )
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "delegation.member_update")
    )
    assert entry.changes["passport_number"] == ["***", "***"]


def test_member_sanity_rules(delegation, host):
    from datetime import date

    with pytest.raises(FieldError) as error:
        services.add_member(
            delegation,
            member("Old", passport="TK 12#$%<b>", birth_date=date(1800, 1, 1)),
            user=host,
        )
    assert "trước năm 1900" in error.value.errors["birth_date"]
    assert "chữ cái không dấu" in error.value.errors["passport_number"]
    services.add_member(delegation, member("Head", passport="H1234", is_head=True), user=host)
    with pytest.raises(FieldError, match="đã có trưởng đoàn"):
        services.add_member(delegation, member("Head2", passport="H5678", is_head=True), user=host)
