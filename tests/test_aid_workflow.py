"""The aid workflow table: steps and entries, one predicate (`may`) for services, views and
templates, and the service convention (rule first, then data, then state)."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid import services, workflow
from app.aid.states import AidAudit, AidStatus
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry

S = AidStatus
FOLLOW_UP_ONLY = "Chỉ ghi nhận giải ngân, báo cáo, kiểm tra cho khoản viện trợ đã được phê duyệt"


@pytest.mark.parametrize("status", list(AidStatus))
def test_make_item_walks_the_services_to_any_status(make_item, status):
    item = make_item(status=status)
    assert item.status == status


def add_one_disbursement(item, user, day=date(2025, 4, 2)):
    return services.add_disbursement(
        item, disbursed_on=day, amount=Decimal(1000), currency="VND", user=user
    )


def test_follow_up_is_recorded_only_for_approved_items(app_ctx, make_item, user):
    planner = user("planning.officer")
    waiting = make_item("W-1", status=S.XIN_Y_KIEN)
    with pytest.raises(DomainError) as refused:
        add_one_disbursement(waiting, planner)
    assert refused.value.status == 409
    assert refused.value.message == f"{FOLLOW_UP_ONLY} (hiện tại: Đang xin ý kiến)."
    for call in (
        lambda: services.add_report(waiting, "nam", None, None, date(2025, 4, 2), user=planner),
        lambda: services.add_inspection(
            waiting, inspected_on=date(2025, 4, 2), team="Sở Tài chính", user=planner
        ),
    ):
        with pytest.raises(DomainError, match=FOLLOW_UP_ONLY):
            call()
    running = make_item("R-1", status=S.DANG_THUC_HIEN)
    assert add_one_disbursement(running, planner).value_vnd == 1000


def test_follow_up_refused_to_other_users_and_on_archived_items(app_ctx, make_item, user, db):
    item = make_item(status=S.DA_PHE_DUYET)
    with pytest.raises(PermissionDenied):
        add_one_disbursement(item, user("planning.viewer"))
    planner = user("planning.officer")
    services.archive_item(item, "Nhập trùng", user=planner, version=item.version)
    with pytest.raises(DomainError, match="đã lưu trữ"):
        add_one_disbursement(item, planner)
    with pytest.raises(DomainError, match="đã lưu trữ"):
        services.attach_file(item, None, user=planner)


def test_the_rule_is_checked_before_the_data(app_ctx, make_item, user):
    item = make_item(status=S.THAM_DINH)
    viewer = user("planning.viewer")
    with pytest.raises(PermissionDenied):
        services.approve(item, "", None, "", user=viewer)  # every field wrong, but not allowed
    with pytest.raises(PermissionDenied):
        services.update_item(item, None, user=viewer, version=item.version)
    with pytest.raises(FieldError) as error:
        services.approve(item, "", None, "", user=user("planning.officer"))
    assert set(error.value.errors) == {"number", "signed_on", "signer"}  # all at once


def test_may_answers_for_steps_and_entries(app_ctx, make_item, user):
    planner, viewer = user("planning.officer"), user("planning.viewer")
    received = make_item("A-1")
    approved = make_item("A-2", status=S.DA_PHE_DUYET)
    flow = workflow.AID_WORKFLOW
    assert flow.may(received, "edit", planner) and not flow.may(approved, "edit", planner)
    assert flow.may(approved, "disbursement", planner)
    assert not flow.may(received, "disbursement", planner)
    assert not any(flow.may(approved, key, viewer) for key in workflow.ENTRIES)
    assert {a.key for a in flow.available_entries(approved, planner)} == {
        "attach",
        "archive",
        "disbursement",
        "planned_disbursement",
        "report",
        "inspection",
        "inspection_follow_up",
    }
    assert flow.why_not(approved, "edit", planner) == (
        "Khoản viện trợ đã có quyết định; mọi thay đổi phải ghi qua quyết định điều chỉnh."
    )


def test_inspection_remedies_followed_after_revocation_and_stale_refused(
    app_ctx, make_item, user, db
):
    planner = user("planning.officer")
    item = make_item(status=S.DANG_THUC_HIEN)
    inspection = services.add_inspection(
        item, inspected_on=date(2025, 6, 1), team="Sở Tài chính", user=planner
    )
    services.revoke(item, "300/QĐ-UBND", date(2025, 9, 1), None, "Vi phạm", user=planner)
    db.session.flush()
    with pytest.raises(StaleObjectError):
        services.update_inspection_follow_up(
            inspection, "da_xu_ly", user=planner, version=inspection.version + 1
        )
    services.update_inspection_follow_up(
        inspection, "da_xu_ly", user=planner, version=inspection.version
    )
    assert inspection.follow_up == "da_xu_ly"
    with pytest.raises(DomainError, match=FOLLOW_UP_ONLY):
        add_one_disbursement(item, planner)


def test_approval_audit_keeps_the_changed_value(app_ctx, make_item, user, db):
    item = make_item(status=S.THAM_DINH)
    services.approve(
        item,
        "88/QĐ-UBND",
        date(2025, 3, 25),
        "Chủ tịch",
        approved_value=Decimal("90000"),
        user=user("planning.officer"),
    )
    db.session.flush()
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "aid.approve", AuditEntry.object_id == str(item.id)
        )
    )
    assert entry.changes["status"] == [S.THAM_DINH, S.DA_PHE_DUYET]
    assert entry.changes["value_vnd"] == [2_500_000_000, 2_250_000_000]


def test_amendment_with_equal_numbers_changes_nothing(app_ctx, make_item, user):
    item = make_item(status=S.DA_PHE_DUYET)
    with pytest.raises(FieldError, match="không thay đổi"):
        services.amend(
            item,
            "151/QĐ-UBND",
            date(2025, 6, 1),
            None,
            None,
            {"value": Decimal("100000.00"), "currency": "USD"},
            user=user("planning.officer"),
        )
    assert item.status == S.DA_PHE_DUYET


def test_audit_names_come_from_the_vocabulary(app_ctx, make_item, db):
    item = make_item(status=S.DANG_THUC_HIEN)
    actions = set(
        db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(item.id)))
    )
    assert AidAudit.CREATE in actions and "aid.start" in actions


def test_init_app_registers_once(app):
    from app import aid
    from app.core.permissions import ATTACHMENT_READERS
    from app.core.views import INBOX_PROVIDERS

    aid.init_app(app)
    aid.init_app(app)
    assert INBOX_PROVIDERS.count(services.inbox_counts) == 1
    assert {"opinion", "aid_report", "aid_item"} <= set(ATTACHMENT_READERS)
