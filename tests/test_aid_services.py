"""The aid procedure: every transition allowed and refused, by role, with its records."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.aid import services, workflow
from app.aid.models import AidItem, Decision, Opinion, WorkflowStep
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry
from tests.fixtures.aid import agency_ids, item_input, to_appraised, to_approved
from tests.fixtures.orgs import new_org


@pytest.fixture
def planner(user):
    return user("planning.officer")


@pytest.fixture
def org(db):
    return new_org(db)


@pytest.fixture
def item(app_ctx, db, org, planner):
    created = services.create_item(item_input([org.id]), user=planner)
    db.session.commit()
    return created


def audit_actions(db, item):
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "aid_item", AuditEntry.object_id == str(item.id))
        .order_by(AuditEntry.id)
    ).all()


def test_create_item_computes_values_and_deadline(item, db):
    assert item.status == "tiep_nhan"
    assert item.value_vnd == 2_500_000_000
    assert item.rate_usd == Decimal("25000")  # USD: its own rate
    assert item.value_usd == Decimal("100000")
    # 20 calendar days from the complete dossier (setting AID_APPRAISAL_DEADLINE).
    assert item.appraisal_due_on == date(2025, 3, 25)
    assert [d.position for d in item.donors] == [0]
    assert item.main_donor_id == item.donors[0].organization_id
    assert "nuoc sach" in item.search_text and "organisation org1" in item.search_text
    assert audit_actions(db, item) == ["aid.create"]
    step = db.session.scalar(sa.select(WorkflowStep).where(WorkflowStep.aid_item_id == item.id))
    assert (step.action, step.to_status) == ("receive", "tiep_nhan")


def test_value_rounds_half_up(app_ctx, db, org, planner):
    created = services.create_item(
        item_input([org.id], value=Decimal("10.5"), currency="EUR", rate_vnd=Decimal("1")),
        user=planner,
    )
    assert created.value_vnd == 11


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"value": Decimal("-1")}, "value", "không được âm"),
        ({"rate_vnd": None}, "rate_vnd", "tỷ giá"),
        ({"rate_vnd": Decimal("0")}, "rate_vnd", "lớn hơn 0"),
        (
            {"start_on": date(2025, 5, 1), "end_on": date(2025, 4, 1)},
            "end_on",
            "trước ngày bắt đầu",
        ),
        ({"sectors": [("y_te", Decimal("60")), ("giao_duc", Decimal("30"))]}, "sectors", "100%"),
        ({"sectors": [("y_te", Decimal("60")), ("giao_duc", None)]}, "sectors", "tất cả"),
        ({"sectors": []}, "sectors", "ít nhất một"),
        ({"sectors": [("y_te", None), ("y_te", None)]}, "sectors", "hai lần"),
        ({"dossier_received_on": date(2099, 1, 1)}, "dossier_received_on", "sau ngày hôm nay"),
        ({"dossier_complete_on": date(2025, 3, 1)}, "dossier_complete_on", "trước ngày nhận"),
        ({"counterpart_vnd": -5}, "counterpart_vnd", "không được âm"),
        ({"communes": ["99999"]}, "communes", "không tồn tại"),
    ],
)
def test_create_item_rejects_bad_values(app_ctx, db, org, planner, overrides, field, message):
    with pytest.raises(FieldError) as error:
        services.create_item(item_input([org.id], **overrides), user=planner)
    assert message in error.value.errors[field]


def test_equal_split_and_duplicate_code(app_ctx, db, org, planner, item):
    equal = services.create_item(
        item_input([org.id], code="VT-002", sectors=[("y_te", None), ("giao_duc", None)]),
        user=planner,
    )
    assert [s.share for s in equal.sectors] == [None, None]
    with pytest.raises(FieldError, match="đã được dùng"):
        services.create_item(item_input([org.id], code="VT-001"), user=planner)


def test_full_procedure_to_closing(item, planner, db, user):
    finance, police = agency_ids(db, "finance"), agency_ids(db, "police")
    opinions = services.request_opinions(item, finance + police, "Đề nghị góp ý", user=planner)
    assert item.status == "xin_y_kien" and len(opinions) == 2
    # 10 working days from today, with Vietnamese holidays.
    from app.core.dates import add_working_days, today_vn

    assert all(o.due_on == add_working_days(today_vn(), 10) for o in opinions)
    with pytest.raises(DomainError, match="Chưa đủ ý kiến"):
        services.appraise(item, "lay_y_kien", date(2025, 3, 20), "Kết luận", user=planner)
    for opinion in opinions:
        officer = user(f"{opinion.agency.kind}.officer")
        services.answer_opinion(
            opinion,
            "dong_y_co_dieu_kien",
            "Đồng ý, cần bổ sung cam kết",
            "45/CAT",
            None,
            FileStorage(io.BytesIO(b"%PDF-1.4"), filename="gop-y.pdf"),
            user=officer,
        )
    services.appraise(item, "hoi_nghi", date(2025, 3, 20), "Đủ điều kiện phê duyệt", user=planner)
    assert item.status == "tham_dinh"
    decision = services.approve(
        item, "123/QĐ-UBND", date(2025, 3, 25), "Chủ tịch", "", user=planner
    )
    assert (item.status, item.decision_number, item.decision_date) == (
        "da_phe_duyet",
        "123/QĐ-UBND",
        date(2025, 3, 25),
    )
    assert decision.kind == "phe_duyet"
    services.start(item, date(2025, 4, 1), None, user=planner)
    assert item.status == "dang_thuc_hien" and item.actual_start_on == date(2025, 4, 1)
    assert item.start_on is None  # the planned start is kept (issue 12, point 5)
    services.add_disbursement(
        item,
        date(2025, 4, 10),
        Decimal("40000"),
        "USD",
        Decimal("25500"),
        None,
        "Sao kê TK",
        True,
        user=planner,
    )
    totals = services.disbursement_totals(item)
    # The share is taken in the item's currency (40 000 of 100 000 USD): the payment's own
    # rate (25 500, the item's is 25 000) changes the VND total, not the share.
    assert totals == {
        "total_vnd": 1_020_000_000,
        "total": Decimal("40000"),
        "share": Decimal("40.0"),
        "over": False,
    }
    services.add_inspection(
        item,
        inspected_on=date(2025, 6, 1),
        team="Sở Tài chính; Công an tỉnh",
        findings="Đúng tiến độ",
        recommendations="Bổ sung sổ sách",
        follow_up="chua_xu_ly",
        user=planner,
    )
    with pytest.raises(DomainError, match="báo cáo kết thúc"):
        services.complete(item, None, user=planner)
    services.add_report(
        item,
        "ket_thuc",
        date(2025, 4, 1),
        date(2025, 10, 1),
        date(2025, 10, 15),
        "Hoàn thành",
        None,
        user=planner,
    )
    services.complete(item, "Đã nghiệm thu", user=planner)
    db.session.commit()
    assert item.status == "hoan_thanh"
    steps = db.session.scalars(
        sa.select(WorkflowStep.action)
        .where(WorkflowStep.aid_item_id == item.id)
        .order_by(WorkflowStep.id)
    ).all()
    assert steps == ["receive", "request_opinions", "appraise", "approve", "start", "complete"]
    assert audit_actions(db, item) == [
        "aid.create",
        "aid.request_opinions",
        "aid.appraise",
        "aid.approve",
        "aid.start",
        "aid.complete",
    ]


def test_transitions_refused_in_wrong_state(item, planner):
    for action_call in (
        lambda: services.approve(item, "1/QĐ-UBND", date(2025, 3, 25), "X", None, user=planner),
        lambda: services.start(item, date(2025, 4, 1), None, user=planner),
        lambda: services.complete(item, None, user=planner),
        lambda: services.revoke(item, "2/QĐ-UBND", date(2025, 4, 1), None, "Lý do", user=planner),
        lambda: services.resume(item, None, user=planner),
    ):
        with pytest.raises(DomainError) as error:
            action_call()
        assert error.value.status == 409 and "Tiếp nhận hồ sơ" in error.value.message
    assert item.status == "tiep_nhan"


@pytest.mark.parametrize(
    "username", ["planning.viewer", "finance.officer", "police.officer", "admin"]
)
def test_only_planning_officers_move_items(item, user, username):
    with pytest.raises(PermissionDenied):
        services.return_dossier(item, "Thiếu văn kiện", user=user(username))
    assert item.status == "tiep_nhan"


def test_request_opinions_needs_complete_dossier(app_ctx, db, org, planner):
    incomplete = services.create_item(item_input([org.id], dossier_complete_on=None), user=planner)
    assert incomplete.appraisal_due_on is None
    with pytest.raises(DomainError, match="hồ sơ hợp lệ"):
        services.request_opinions(incomplete, agency_ids(db, "finance"), None, user=planner)
    with pytest.raises(FieldError):
        services.request_opinions(incomplete, [], None, user=planner)


def test_emergency_relief_skips_opinions(app_ctx, db, org, planner):
    relief = services.create_item(item_input([org.id], modality="khac_phuc_hau_qua"), user=planner)
    services.appraise(
        relief, "lay_y_kien", date(2025, 3, 6), "Cấp bách, đủ điều kiện", user=planner
    )
    assert relief.status == "tham_dinh"


def test_project_cannot_skip_opinions(item, planner):
    with pytest.raises(DomainError, match="khắc phục hậu quả"):
        services.appraise(item, "lay_y_kien", date(2025, 3, 6), "Kết luận", user=planner)


def test_opinion_answered_only_by_its_agency_once(item, planner, db, user):
    (opinion,) = services.request_opinions(item, agency_ids(db, "police"), None, user=planner)
    for username in ("finance.officer", "police.viewer", "planning.officer"):
        with pytest.raises(PermissionDenied):
            services.answer_opinion(opinion, "dong_y", "OK", None, None, user=user(username))
    with pytest.raises(FieldError, match="sau ngày hôm nay"):
        services.answer_opinion(
            opinion, "dong_y", "OK", None, date(2099, 1, 1), user=user("police.officer")
        )
    services.answer_opinion(
        opinion, "khong_dong_y", "Không đảm bảo an ninh", None, None, user=user("police.officer")
    )
    with pytest.raises(DomainError, match="đã được trả lời"):
        services.answer_opinion(opinion, "dong_y", "Đổi ý", None, None, user=user("police.officer"))
    assert opinion.verdict == "khong_dong_y"


def test_stale_opinion_answer_refused(item, planner, db, user):
    (opinion,) = services.request_opinions(item, agency_ids(db, "police"), None, user=planner)
    with pytest.raises(StaleObjectError):
        services.answer_opinion(
            opinion,
            "dong_y",
            "OK",
            None,
            None,
            version=opinion.version + 1,
            user=user("police.officer"),
        )


def test_return_and_resubmit_cancels_open_opinions(item, planner, db):
    services.request_opinions(item, agency_ids(db, "finance"), None, user=planner)
    with pytest.raises(FieldError):
        services.return_dossier(item, "", user=planner)
    services.return_dossier(item, "Thiếu bản dịch", user=planner)
    assert item.status == "tra_lai"
    assert all(not o.is_open for o in item.opinions)
    services.resubmit(item, "Đã bổ sung", date(2025, 3, 10), user=planner)
    assert item.status == "tiep_nhan" and item.dossier_received_on == date(2025, 3, 10)


def test_refuse_records_notice(item, planner, db, user):
    to_appraised(item, planner, db, user)
    with pytest.raises(FieldError):
        services.refuse(item, "", None, date(2025, 3, 25), user=planner)
    decision = services.refuse(
        item, "Không phù hợp quy hoạch", None, date(2025, 3, 25), user=planner
    )
    assert item.status == "khong_chap_thuan" and decision.kind == "khong_chap_thuan"


@pytest.mark.parametrize(
    ("number", "signed_on", "signer", "field"),
    [
        ("", date(2025, 3, 25), "X", "number"),
        ("QĐ 123", date(2025, 3, 25), "X", "number"),
        ("123/QĐ-UBND", None, "X", "signed_on"),
        ("123/QĐ-UBND", date(2099, 1, 1), "X", "signed_on"),
        ("123/QĐ-UBND", date(2025, 1, 1), "X", "signed_on"),  # before the dossier
        ("123/QĐ-UBND", date(2025, 3, 25), "", "signer"),
    ],
)
def test_approval_needs_decision_data(item, planner, db, user, number, signed_on, signer, field):
    to_appraised(item, planner, db, user)
    with pytest.raises(FieldError) as error:
        services.approve(item, number, signed_on, signer, None, user=planner)
    assert error.value.field == field
    assert item.status == "tham_dinh"


def test_suspend_resume_revoke(item, planner, db, user):
    to_approved(item, planner, db, user)
    services.start(item, date(2025, 4, 1), None, user=planner)
    with pytest.raises(FieldError):
        services.suspend(item, "", user=planner)
    services.suspend(item, "Chờ bổ sung vốn", user=planner)
    assert item.status == "tam_dung"
    services.resume(item, None, user=planner)
    services.revoke(
        item, "200/QĐ-UBND", date(2025, 9, 1), "Chủ tịch", "Vi phạm cam kết", user=planner
    )
    assert item.status == "thu_hoi"
    kinds = db.session.scalars(
        sa.select(Decision.kind).where(Decision.aid_item_id == item.id).order_by(Decision.id)
    ).all()
    assert kinds == ["phe_duyet", "thu_hoi"]
    with pytest.raises(DomainError):
        services.add_disbursement(
            item, date(2025, 9, 2), Decimal(1), "VND", None, None, None, False, user=planner
        )


def test_amendment_keeps_history(item, planner, db, user):
    to_approved(item, planner, db, user)
    with pytest.raises(FieldError, match="không thay đổi"):
        services.amend(item, "150/QĐ-UBND", date(2025, 6, 1), None, None, {}, user=planner)
    decision = services.amend(
        item,
        "150/QĐ-UBND",
        date(2025, 6, 1),
        "Chủ tịch",
        "Tăng vốn",
        {"value": Decimal("120000"), "end_on": date(2026, 12, 31)},
        user=planner,
    )
    assert item.status == "da_phe_duyet" and item.value_vnd == 3_000_000_000
    assert decision.changes["value"] == ["100000.00", "120000"]
    assert decision.changes["value_vnd"] == [2_500_000_000, 3_000_000_000]
    assert decision.changes["end_on"] == [None, "2026-12-31"]


def test_edit_refused_after_decision_and_when_stale(item, planner, db, user, org):
    with pytest.raises(StaleObjectError):
        services.update_item(
            item, item_input([org.id], name="Tên mới"), user=planner, version=item.version - 1
        )
    services.update_item(
        item, item_input([org.id], name="Tên mới"), user=planner, version=item.version
    )
    assert item.name == "Tên mới"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "aid.update"))
    assert entry.changes["name"] == ["Dự án nước sạch xã Đăk Tô", "Tên mới"]
    to_approved(item, planner, db, user)
    with pytest.raises(DomainError, match="điều chỉnh"):
        services.update_item(item, item_input([org.id]), user=planner, version=item.version)


def test_disbursement_rules(item, planner, db, user):
    to_approved(item, planner, db, user)
    for bad in (
        {"amount": Decimal("0")},
        {"amount": Decimal("-5")},
        {"disbursed_on": date(2099, 1, 1)},
        {"disbursed_on": date(2025, 3, 1)},  # before the approval
        {"currency": "EUR", "rate_vnd": None},
    ):
        values = {
            "disbursed_on": date(2025, 4, 1),
            "amount": Decimal("10"),
            "currency": "USD",
            "rate_vnd": Decimal("25000"),
            **bad,
        }
        with pytest.raises(FieldError):
            services.add_disbursement(
                item,
                values["disbursed_on"],
                values["amount"],
                values["currency"],
                values["rate_vnd"],
                None,
                None,
                False,
                user=planner,
            )
    d = services.add_disbursement(
        item, date(2025, 4, 1), Decimal("1000000"), "VND", None, None, None, False, user=planner
    )
    assert d.value_vnd == 1_000_000 and d.rate_vnd is None
    services.archive_disbursement(d, "Nhập nhầm", user=planner)
    assert services.disbursement_totals(item)["total_vnd"] == 0
    assert db.session.get(type(d), d.id) is not None  # archived, not deleted


def test_inbox_and_overdue(item, planner, db, user, app):
    from app.core.dates import today_vn

    late = services.items_query(services.ItemFilters(overdue=True), today=date(2025, 3, 26))
    assert [i.id for i in db.session.scalars(late)] == [item.id]
    on_time = services.items_query(services.ItemFilters(overdue=True), today=date(2025, 3, 20))
    assert list(db.session.scalars(on_time)) == []
    rows = services.planning_inbox(date(2025, 3, 26))
    assert rows[0].item.id == item.id and rows[0].overdue
    assert "Xin ý kiến" in rows[0].task
    services.request_opinions(item, agency_ids(db, "police"), None, today_vn(), user=planner)
    police = user("police.officer")
    assert [o.aid_item_id for o in services.opinions_for_agency(police.agency_id)] == [item.id]
    assert services.opinions_for_agency(user("finance.officer").agency_id) == []


def test_alerts(app_ctx, db, org, planner, user):
    from app.core.dates import add_months, today_vn

    today = today_vn()
    old = services.create_item(
        item_input(
            [org.id],
            code="OLD",
            dossier_received_on=date(2024, 1, 2),
            dossier_complete_on=date(2024, 1, 3),
        ),
        user=planner,
    )
    to_approved(old, planner, db, user)
    old.decision_date = add_months(today, -7)
    ended = services.create_item(item_input([org.id], code="ENDED"), user=planner)
    to_approved(ended, planner, db, user)
    services.start(ended, date(2025, 4, 1), None, user=planner)
    ended.end_on = add_months(today, -8)
    org.certificate_expires_on = today
    db.session.flush()
    found = services.alerts(today)
    assert [i.code for i in found["not_started"]] == ["OLD"]
    assert "ENDED" in [i.code for i in found["closing_overdue"]]
    assert "ENDED" in [i.code for i in found["reports_overdue"]]
    assert org in found["certificates"]


def test_workflow_table_lists_available_actions(item, planner, user, db):
    ready, blocked = workflow.available_actions(item, planner)
    # Appraising without opinions applies only to emergency relief: hidden for a project.
    assert {a.key for a in ready} == {"return", "request_opinions"} and blocked == []
    assert workflow.available_actions(item, user("planning.viewer")) == ([], [])
    services.request_opinions(item, agency_ids(db, "finance"), None, user=planner)
    ready, blocked = workflow.available_actions(item, planner)
    assert {a.key for a in ready} == {"return", "refuse"}
    assert [(a.key, "Chưa đủ ý kiến" in why) for a, why in blocked] == [("appraise", True)]


def test_opinion_model_open_flag(item, planner, db):
    (opinion,) = services.request_opinions(item, agency_ids(db, "finance"), None, user=planner)
    assert opinion.is_open and opinion.verdict_label == "Chưa trả lời"
    assert db.session.scalar(sa.select(sa.func.count(Opinion.id))) >= 1
    assert isinstance(item, AidItem)


@pytest.mark.parametrize(("state", "action"), sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("username", ["planning.viewer", "police.officer", "leadership.viewer"])
def test_every_transition_refused_to_other_roles(item, user, db, state, action, username):
    item.status = state
    db.session.flush()
    with pytest.raises(PermissionDenied), workflow.step(item, action, user(username), "x"):
        pass
    assert item.status == state
    assert (
        db.session.scalar(
            sa.select(sa.func.count(WorkflowStep.id)).where(WorkflowStep.action == action)
        )
        == 0
    )


def test_decision_changes_are_shown_in_vietnamese(item, planner, db, user):
    to_approved(item, planner, db, user)
    decision = services.amend(
        item,
        "151/QĐ-UBND",
        date(2025, 6, 1),
        None,
        None,
        {"value": Decimal("120000"), "end_on": date(2026, 12, 31)},
        user=planner,
    )
    rows = dict((label, (old, new)) for label, old, new in decision.change_rows())
    assert rows["Giá trị (nguyên tệ)"] == ("100.000", "120.000")
    assert rows["Giá trị (VNĐ)"] == ("2.500.000.000 ₫", "3.000.000.000 ₫")
    assert rows["Ngày kết thúc"] == ("—", "31/12/2026")


def test_decision_numbers_and_dates_in_order(app_ctx, db, org, planner, user):
    first = services.create_item(item_input([org.id], code="A-1"), user=planner)
    to_approved(first, planner, db, user)
    second = services.create_item(item_input([org.id], code="A-2"), user=planner)
    to_appraised(second, planner, db, user)
    with pytest.raises(FieldError, match="đã được dùng"):
        services.approve(second, f"{first.id}/QĐ-UBND", date(2025, 3, 26), "X", None, user=planner)
    with pytest.raises(FieldError, match="trước ngày thẩm định"):
        services.approve(second, "900/QĐ-UBND", date(2025, 3, 19), "X", None, user=planner)
    with pytest.raises(FieldError, match="trước ngày phê duyệt"):
        services.add_inspection(
            first, inspected_on=date(2025, 1, 10), team="Sở Tài chính", user=planner
        )


def test_relief_skips_opinions_only_where_its_regime_allows(app, app_ctx, db, org, planner):
    """Decree 80/2020 Art 10(4) lets disaster relief be appraised without opinions; a regime
    whose setting says otherwise (ND313_RELIEF_OPINIONS_OPTIONAL=no) asks for them."""
    before = app.config["AID_REGIME_OVERRIDES"]
    app.config["AID_REGIME_OVERRIDES"] = {"nd313_2025": {"AID_RELIEF_OPINIONS_OPTIONAL": False}}
    try:
        relief = services.create_item(
            item_input([org.id], modality="khac_phuc_hau_qua", regime="nd313_2025"), user=planner
        )
        with pytest.raises(DomainError, match="khắc phục hậu quả"):
            services.appraise(relief, "lay_y_kien", date(2025, 3, 6), "Kết luận", user=planner)
        relief.regime = "nd80_2020"
        services.appraise(relief, "lay_y_kien", date(2025, 3, 6), "Kết luận", user=planner)
        assert relief.status == "tham_dinh"
    finally:
        app.config["AID_REGIME_OVERRIDES"] = before
