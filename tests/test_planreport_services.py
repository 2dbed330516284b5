"""The plan report's use cases: opening a report, the agencies' contributions (late, final,
stale, not asked), consolidation, finalising, the inbox; and its period-aware figures."""

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from app.auth.models import Agency, AgencyDuty, Duty
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry
from app.planreport import services, states
from app.planreport.models import (
    PlanContribution,
    PlanReport,
    PlanReportStep,
    period_bounds,
    period_key,
)
from app.planreport.states import PlanReportAudit
from app.stats import plan_figures as figures
from app.stats.frames import Frames


def agency_of(user, username):
    return user(username).agency_id


def data(user, *, kind="nua_nam", year=2026, half=1, deadline=None, asked=None):
    asked = asked or ["police.officer", "other.officer"]
    return services.ReportData(
        period_kind=kind,
        year=year,
        half=half,
        deadline=deadline or today_vn() + timedelta(days=10),
        agency_ids=[agency_of(user, name) for name in asked],
    )


@pytest.fixture
def fa(user):
    return user("foreign_affairs.officer")


@pytest.fixture
def opened(app_ctx, db, user, fa):
    report = services.create_report(data(user), user=fa)
    services.open_report(report, user=fa)
    db.session.flush()
    return report


def actions(db, report_or_row):
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.object_type == type(report_or_row).__tablename__,
                AuditEntry.object_id == str(report_or_row.id),
            )
            .order_by(AuditEntry.id)
        )
    )


# --- Periods -------------------------------------------------------------------------------


def test_periods_are_half_years_or_the_calendar_year():
    assert period_bounds("nua_nam", 2026, 1) == (date(2026, 1, 1), date(2026, 6, 30))
    assert period_bounds("nua_nam", 2026, 2) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_bounds("nam", 2026, None) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_key("nua_nam", 2026, 2) == "2026-H2"
    assert period_key("nam", 2026, None) == "2026-Y"


# --- Opening -------------------------------------------------------------------------------


def test_foreign_affairs_opens_a_draft_with_the_agencies_asked(app_ctx, db, user, fa):
    report = services.create_report(data(user), user=fa)
    assert report.status == states.INITIAL
    assert report.asked_agency_ids == {
        agency_of(user, "police.officer"),
        agency_of(user, "other.officer"),
    }
    assert report.title == "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân 6 tháng đầu năm 2026"
    assert actions(db, report) == [PlanReportAudit.CREATE]
    step = db.session.scalar(sa.select(PlanReportStep).where(PlanReportStep.report_id == report.id))
    assert step.to_status == states.INITIAL


def test_only_foreign_affairs_opens_a_report(app_ctx, db, user):
    with pytest.raises(PermissionDenied):
        services.create_report(data(user), user=user("police.officer"))
    with pytest.raises(PermissionDenied):
        services.create_report(data(user), user=user("foreign_affairs.viewer"))


def test_default_agencies_are_the_active_ones_with_a_duty_other_than_leadership(app_ctx, db):
    ids = set(services.default_agency_ids())
    leadership_only = db.session.scalars(
        sa.select(Agency.id).where(
            ~Agency.id.in_(
                sa.select(AgencyDuty.agency_id).where(AgencyDuty.duty != Duty.LEADERSHIP)
            )
        )
    ).all()
    assert leadership_only and not ids & set(leadership_only)
    police = db.session.scalar(sa.select(Agency.id).where(Agency.code == "CAT"))
    assert police in ids
    db.session.get(Agency, police).active = False
    db.session.flush()
    assert police not in services.default_agency_ids()


def test_bad_settings_are_all_reported_and_nothing_is_written(app_ctx, db, user, fa):
    before = db.session.scalar(sa.select(sa.func.count(PlanReport.id)))
    bad = services.ReportData("nua_nam", 1800, None, None, [])
    with pytest.raises(FieldError) as error:
        services.create_report(bad, user=fa)
    assert set(error.value.errors) == {"year", "half", "deadline", "agencies"}
    assert db.session.scalar(sa.select(sa.func.count(PlanReport.id))) == before


def test_one_report_per_period(app_ctx, db, user, fa):
    services.create_report(data(user), user=fa)
    with pytest.raises(FieldError) as error:
        services.create_report(data(user), user=fa)
    assert "Đã có báo cáo" in error.value.errors["year"]
    services.create_report(data(user, half=2), user=fa)  # the other half is free


def test_opening_needs_agencies_and_sends_it_to_their_inboxes(app_ctx, db, user, fa):
    police = user("police.officer")
    report = services.create_report(data(user), user=fa)
    assert ("Báo cáo kế hoạch cần đóng góp", 0, "planreport.inbox", {}) in services.inbox_counts(
        police
    )
    services.open_report(report, user=fa)
    assert report.status == states.COLLECTING
    assert ("Báo cáo kế hoạch cần đóng góp", 1, "planreport.inbox", {}) in services.inbox_counts(
        police
    )
    # Not asked: nothing waits for the border guard.
    assert services.inbox_counts(user("border_guard.officer"))[0][1] == 0
    assert PlanReportAudit.OPEN in actions(db, report)


# --- Contributions -------------------------------------------------------------------------


def test_an_asked_agency_writes_then_rewrites_an_item(db, user, opened):
    police = user("police.officer")
    row = services.contribute(
        opened, 3, "  Đã phối hợp quản lý 5 đoàn vào.  ", user=police, version=0
    )
    assert (row.text, row.item_no, row.is_late) == ("Đã phối hợp quản lý 5 đoàn vào.", 3, False)
    assert row.agency_id == police.agency_id
    again = services.contribute(opened, 3, "Bản sửa", user=police, version=row.version)
    assert again.id == row.id and again.text == "Bản sửa" and again.version == 2
    assert actions(db, row) == [PlanReportAudit.CONTRIBUTE, PlanReportAudit.CONTRIBUTE]
    # The inbox line goes once the agency has written something.
    assert services.inbox_counts(police)[0][1] == 0


def test_a_stale_contribution_is_refused(db, user, opened):
    police = user("police.officer")
    row = services.contribute(opened, 1, "Lần đầu", user=police, version=0)
    with pytest.raises(StaleObjectError):
        services.contribute(opened, 1, "Ghi đè", user=police, version=row.version - 1)
    with pytest.raises(StaleObjectError):  # a second "first text" of the same item
        services.contribute(opened, 1, "Ghi đè", user=police, version=0)
    assert row.text == "Lần đầu"


def test_an_agency_not_asked_may_not_contribute(db, user, opened):
    with pytest.raises(PermissionDenied):
        services.contribute(opened, 1, "Xin góp", user=user("border_guard.officer"), version=0)
    with pytest.raises(PermissionDenied):  # a viewer of an asked agency neither
        services.contribute(opened, 1, "Xin góp", user=user("police.viewer"), version=0)


def test_an_empty_or_too_long_text_is_refused_before_anything(db, user, opened):
    police = user("police.officer")
    with pytest.raises(FieldError) as error:
        services.contribute(opened, 1, "   ", user=police, version=0)
    assert error.value.errors == {"text": "Vui lòng nhập nội dung."}
    with pytest.raises(FieldError):
        services.contribute(opened, 1, "x" * 20_001, user=police, version=0)
    assert db.session.scalar(sa.select(sa.func.count(PlanContribution.id))) == 0


def test_after_the_deadline_a_text_is_taken_and_marked_late(db, user, opened, fa):
    services.update_report(
        opened,
        data(user, deadline=today_vn() - timedelta(days=1)),
        user=fa,
        version=opened.version,
    )
    row = services.contribute(opened, 2, "Muộn", user=user("other.officer"), version=0)
    assert row.is_late is True
    assert services.progress(opened, services.report_contributions(opened))[-1].late in (0, 1)
    late = [p for p in services.progress(opened, [row]) if p.agency.id == row.agency_id]
    assert (late[0].written, late[0].late) == (1, 1)


def test_a_draft_takes_no_contribution_and_a_final_report_nothing(db, user, fa):
    police = user("police.officer")
    report = services.create_report(data(user), user=fa)
    with pytest.raises(DomainError) as error:
        services.contribute(report, 1, "Sớm quá", user=police, version=0)
    assert error.value.status == 409
    services.open_report(report, user=fa)
    row = services.contribute(report, 1, "Kịp", user=police, version=0)
    services.consolidate(report, {1: "Tổng hợp mục 1"}, user=fa, version=report.version)
    services.finalize_report(report, user=fa)
    assert report.status == states.FINAL and report.finalized_by_id == fa.id
    with pytest.raises(DomainError) as error:
        services.contribute(report, 1, "Sửa sau khi chốt", user=police, version=row.version)
    assert error.value.status == 409 and "chốt" in error.value.message
    with pytest.raises(DomainError):
        services.consolidate(report, {1: "Đổi"}, user=fa, version=report.version)
    with pytest.raises(DomainError):
        services.update_report(report, data(user), user=fa, version=report.version)
    assert row.text == "Kịp" and report.consolidated_text(1) == "Tổng hợp mục 1"
    assert PlanReportAudit.FINALIZE in actions(db, report)


def test_consolidation_is_versioned_and_audited_by_item(db, user, fa, opened):
    version = opened.version
    services.consolidate(opened, {3: "Mục 3", 7: "Mục 7"}, user=fa, version=version)
    assert opened.version == version + 1
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == PlanReportAudit.CONSOLIDATE)
    )
    assert set(entry.changes) == {"item_3", "item_7"}
    with pytest.raises(StaleObjectError):
        services.consolidate(opened, {3: "Cũ"}, user=fa, version=version)
    with pytest.raises(PermissionDenied):
        services.consolidate(opened, {3: "x"}, user=user("police.officer"), version=opened.version)


def test_an_agency_that_wrote_cannot_be_dropped(db, user, fa, opened):
    services.contribute(opened, 1, "Có nội dung", user=user("police.officer"), version=0)
    with pytest.raises(FieldError) as error:
        services.update_report(
            opened, data(user, asked=["other.officer"]), user=fa, version=opened.version
        )
    assert "đã đóng góp" in error.value.errors["agencies"]


def test_who_sees_which_reports(db, user, opened):
    for name in ("foreign_affairs.viewer", "leadership.viewer", "police.officer", "admin"):
        assert opened in services.visible_reports(user(name))
    assert opened not in services.visible_reports(user("border_guard.officer"))


# --- Figures for a period ------------------------------------------------------------------


def _frames() -> Frames:
    items = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "status": ["da_phe_duyet", "dang_thuc_hien", "tiep_nhan"],
            "decision_date": [date(2026, 3, 1), date(2026, 9, 1), None],
            "start_on": [None, None, None],
            "end_on": [None, None, None],
            "modality": ["du_an"] * 3,
            "main_donor_id": [None] * 3,
            "value_vnd": [100, 250, 999],
            "counterpart_vnd": [10, 0, 0],
            "currency": ["VND"] * 3,
            "rate_vnd": [1.0] * 3,
            "rate_usd": [None] * 3,
        }
    )
    disbursements = pd.DataFrame(
        {
            "aid_item_id": [1, 2],
            "disbursed_on": [date(2026, 6, 30), date(2026, 7, 1)],
            "value_vnd": [40, 60],
            "currency": ["VND", "VND"],
            "rate_vnd": [1.0, 1.0],
            "rate_usd": [None, None],
        }
    )
    delegations = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "direction": ["vao", "ra", "vao"],
            "status": ["da_duyet", "hoan_thanh", "da_duyet"],
            "start_on": [date(2026, 1, 5), date(2026, 6, 30), date(2026, 12, 31)],
            "country": ["LA", "KR", "JP"],
            "purpose": ["khao_sat"] * 3,
            "is_border_area": [True, False, False],
        }
    )
    members = pd.DataFrame(
        {
            "delegation_id": [1, 1, 2, 3],
            "passport_number": ["A", "B", "C", "D"],
            "nationality": ["LA"] * 4,
        }
    )
    return Frames(
        items=items, disbursements=disbursements, delegations=delegations, members=members
    )


def _values(found):
    return {figure.label: figure.value for figure in found}


@pytest.mark.parametrize(
    ("half", "approved", "value", "paid", "incoming", "outgoing", "members"),
    [(1, 1, 100, 40, 1, 1, 3), (2, 1, 250, 60, 1, 0, 1), (None, 2, 350, 100, 2, 1, 4)],
)
def test_figures_of_a_half_year_count_only_its_dates(
    half, approved, value, paid, incoming, outgoing, members
):
    first, last = period_bounds("nua_nam" if half else "nam", 2026, half)
    aid = _values(figures.aid_figures(_frames(), first, last))
    assert aid["Khoản viện trợ được phê duyệt"] == approved
    assert aid["Giá trị viện trợ được phê duyệt (VNĐ)"] == value
    assert aid["Giá trị giải ngân (VNĐ)"] == paid
    moves = _values(figures.delegation_figures(_frames(), first, last))
    assert (moves["Đoàn vào"], moves["Đoàn ra"]) == (incoming, outgoing)
    assert moves["Lượt thành viên đoàn vào"] + moves["Lượt thành viên đoàn ra"] == members


def test_figures_of_a_report_read_the_registry(app_ctx, db, make_item):
    from app.aid.states import AidStatus

    make_item("VT-PR1", status=AidStatus.DA_PHE_DUYET)  # approved 25/03/2025
    first_half = figures.period_figures(
        db.session.connection(), date(2025, 1, 1), date(2025, 6, 30)
    )
    second_half = figures.period_figures(
        db.session.connection(), date(2025, 7, 1), date(2025, 12, 31)
    )
    assert _values(first_half["aid"])["Khoản viện trợ được phê duyệt"] == 1
    assert _values(second_half["aid"])["Khoản viện trợ được phê duyệt"] == 0


# --- The migration -------------------------------------------------------------------------


def test_migration_creates_the_tables_and_drops_them_on_downgrade(tmp_root):
    """Upgrade to the plan report's revision, write a report with an asked agency and a
    contribution, go down to the revision before (tables gone) and up again (empty)."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_planmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    tables = {"plan_report", "plan_report_agency", "plan_contribution", "plan_report_step"}
    now = "2026-01-01 00:00:00"
    with app.app_context():
        upgrade(revision="e8a0c2d4f6b9")
        assert tables <= set(sa.inspect(_db.engine).get_table_names())
        run = _db.session.execute
        run(
            sa.text(
                "INSERT INTO agency (name, kind, active, created_at, updated_at, version) "
                "VALUES ('Sở A', 'other', :yes, :now, :now, 1)"
            ),
            {"yes": True, "now": now},
        )
        run(
            sa.text(
                "INSERT INTO plan_report (period_kind, year, half, period_key, deadline, status,"
                " created_at, updated_at, version) VALUES ('nua_nam', 2026, 1, '2026-H1', :day,"
                " 'thu_thap', :now, :now, 1)"
            ),
            {"day": date(2026, 7, 10), "now": now},
        )
        run(
            sa.text(
                "INSERT INTO plan_report_agency (report_id, agency_id) "
                "SELECT plan_report.id, agency.id FROM plan_report, agency"
            )
        )
        run(
            sa.text(
                "INSERT INTO plan_contribution (report_id, agency_id, item_no, text, "
                "submitted_at, is_late, created_at, updated_at, version) SELECT report_id, "
                "agency_id, 3, 'Nội dung', :now, :no, :now, :now, 1 FROM plan_report_agency"
            ),
            {"now": now, "no": False},
        )
        _db.session.commit()
        assert run(sa.text("SELECT text FROM plan_contribution")).scalar() == "Nội dung"
        _db.session.commit()
        downgrade(revision="d7f9b1c3e5a8")
        assert not tables & set(sa.inspect(_db.engine).get_table_names())
        upgrade(revision="e8a0c2d4f6b9")
        assert run(sa.text("SELECT count(*) FROM plan_report")).scalar() == 0
        _db.session.commit()
        _db.engine.dispose()


def test_people_diplomacy_figures_of_a_half_year(app_ctx, db, user):
    from tests.test_stats_people_diplomacy import Y, build

    build(db, user)  # activities on 10/05 and 02/09, a course on 01/04, a pledge on 01/06
    connection = db.session.connection()
    first = figures.period_figures(connection, *period_bounds("nua_nam", Y, 1))
    second = figures.period_figures(connection, *period_bounds("nua_nam", Y, 2))
    assert _values(first["associations"])["Hoạt động của các hội hữu nghị"] == 1
    assert _values(second["associations"])["Hoạt động của các hội hữu nghị"] == 1
    assert _values(first["associations"])["Lượt người tham gia"] == 40
    assert _values(first["training"])["Lượt học viên"] == 5
    assert _values(second["training"])["Khóa đào tạo, bồi dưỡng"] == 0
    mobilised = _values(first["mobilisation"])
    assert mobilised["Đề xuất gửi nhà tài trợ"] == 1 and mobilised["Nhà tài trợ cam kết"] == 1
    assert mobilised["Giá trị cam kết (VNĐ)"] == 300_000_000
    assert _values(second["mobilisation"])["Nhà tài trợ cam kết"] == 0
    budget = _values(first["budget"])
    assert budget[f"Kinh phí được phân bổ năm {Y} (VNĐ)"] == 80_000_000
    assert budget[f"Kinh phí đã chi lũy kế đến 30/06/{Y} (VNĐ)"] == 30_000_000


def test_merging_agencies_folds_their_plan_report_texts(db, user, fa, opened):
    from app.auth.services import merge_agencies

    police, other = user("police.officer"), user("other.officer")
    services.contribute(opened, 3, "Công an", user=police, version=0)
    services.contribute(opened, 3, "Xã", user=other, version=0)
    services.contribute(opened, 4, "Chỉ xã", user=other, version=0)
    source, target = other.agency, police.agency
    moved = merge_agencies(source, target, user=user("admin"))
    assert moved["plan_contribution.folded"] == 1
    rows = db.session.scalars(
        sa.select(PlanContribution).where(PlanContribution.report_id == opened.id)
    ).all()
    assert sorted((r.item_no, r.agency_id) for r in rows) == [(3, target.id), (4, target.id)]
    item_3 = next(r for r in rows if r.item_no == 3)
    assert item_3.text == f"Công an\n\n[{source.name}] Xã"
    db.session.refresh(opened)
    assert opened.asked_agency_ids == {target.id}
