"""Issue 12, points 4-7, through the services: over-disbursement confirmed with a reason,
planned and actual dates with their delays, completion with the share disbursed and
corrections afterwards, the disbursement schedule by year; and their flags in the list,
the alerts, the home page's lines and the yearly statistics' notes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid import services
from app.aid.models import AidItem, Disbursement, PlannedDisbursement, WorkflowStep
from app.aid.services import queries
from app.aid.states import AidAudit, AidStatus
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError, StaleObjectError
from app.core.models import AuditEntry
from app.stats import notes as stats_notes
from app.stats import services as stats

S = AidStatus
PAID_ON = date(2025, 4, 10)


@pytest.fixture
def planner(user):
    return user("planning.officer")


@pytest.fixture
def running(app_ctx, make_item):
    """USD 100 000 at 25 000, approved 25/03/2025, started 01/04/2025."""
    return make_item("VT-RUN", status=S.DANG_THUC_HIEN)


def pay(item, amount, *, user, currency="USD", rate="25000", on=PAID_ON, **extra):
    return services.add_disbursement(
        item, on, Decimal(amount), currency, Decimal(rate) if rate else None, user=user, **extra
    )


def live_rows(db, item) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Disbursement.aid_item_id == item.id, Disbursement.archived_at.is_(None)
        )
    )


def actions(db, *names) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.in_(names)).order_by(AuditEntry.id)
    ).all()


def over_listed(item) -> bool:
    filters = services.ItemFilters(over_disbursed=True)
    return item.id in set(sa_ids(services.items_query(filters)))


def sa_ids(query):
    from app.extensions import db

    return db.session.scalars(query.with_only_columns(AidItem.id)).all()


# --- 4. Over-disbursement ---------------------------------------------------------------


def test_up_to_the_approved_value_needs_no_confirmation(db, running, planner):
    pay(running, "60000", user=planner)
    row = pay(running, "40000", user=planner)  # exactly 100 %
    assert not row.over_approved and row.reason is None
    assert not over_listed(running)


def test_over_the_value_is_refused_until_confirmed_with_a_reason(db, running, planner):
    pay(running, "90000", user=planner)
    with pytest.raises(FieldError) as error:
        pay(running, "20000", user=planner)
    assert set(error.value.errors) == {"confirm_over", "reason"}
    message = error.value.errors["confirm_over"]
    assert "110.000,00 USD" in message and "110,0%" in message and "100.000,00 USD" in message
    with pytest.raises(FieldError) as error:  # confirmed, but no reason
        pay(running, "20000", user=planner, confirm_over=True, reason="  ")
    assert set(error.value.errors) == {"confirm_over", "reason"}
    with pytest.raises(FieldError) as error:  # a reason, but not confirmed
        pay(running, "20000", user=planner, reason="Nhà tài trợ bổ sung")
    assert set(error.value.errors) == {"confirm_over"}
    assert live_rows(db, running) == 1

    row = pay(running, "20000", user=planner, confirm_over=True, reason="Nhà tài trợ bổ sung")
    db.session.commit()
    assert row.over_approved and row.reason == "Nhà tài trợ bổ sung"
    (entry,) = actions(db, AidAudit.DISBURSEMENT_OVER_APPROVED)
    assert "Nhà tài trợ bổ sung" in entry.summary and entry.changes["reason"][1]
    assert over_listed(running)


def test_the_issue_example_eur_is_refused(db, make_item, planner, app_ctx):
    item = make_item(
        "VT-EUR", status=S.DANG_THUC_HIEN, value=Decimal("250000"), currency="EUR",
        rate_vnd=Decimal("27000"), rate_usd=Decimal("25000"),
    )  # fmt: skip
    with pytest.raises(FieldError, match="400,0%"):
        pay(item, "1000000.5", user=planner, currency="EUR", rate="27000")
    assert live_rows(db, item) == 0


def test_other_currencies_count_at_the_items_rate(db, running, planner):
    """A payment's own rate never makes the item look over-disbursed: VND counts at the
    item's rate (25 000 VND per USD)."""
    pay(running, "99000", user=planner, rate="26000")  # same currency: its amount counts
    pay(running, "25000000", user=planner, currency="VND", rate=None)  # = 1 000 USD
    assert not over_listed(running)
    with pytest.raises(FieldError):
        pay(running, "25000", user=planner, currency="VND", rate=None)


def test_an_amendment_raising_the_value_clears_the_flag(db, running, planner):
    pay(running, "120000", user=planner, confirm_over=True, reason="Tạm ứng")
    assert over_listed(running)
    assert queries.over_disbursed_ids([running.id]) == {running.id}
    services.amend(
        running, "77/QĐ-UBND", date(2025, 5, 1), None, None, {"value": Decimal("130000")},
        user=planner,
    )  # fmt: skip
    assert not over_listed(running)
    assert services.disbursement_totals(running)["over"] is False


def test_over_disbursed_items_in_alerts_and_home_lines(db, running, planner):
    pay(running, "150000", user=planner, confirm_over=True, reason="Sai sót chứng từ")
    db.session.commit()
    assert [i.id for i in services.alerts()["over_disbursed"]] == [running.id]
    lines = {label: (count, args) for label, count, _e, args in services.inbox_counts(planner)}
    assert lines["Viện trợ giải ngân vượt giá trị phê duyệt"] == (1, {"over_disbursed": 1})


# --- 5. Planned and actual dates ----------------------------------------------------------


def test_start_keeps_the_planned_start_and_shows_the_delay(db, make_item, planner, app_ctx):
    item = make_item(
        "VT-LATE", status=S.DA_PHE_DUYET, start_on=date(2025, 3, 26), end_on=date(2025, 6, 30)
    )
    today = today_vn()
    assert item.start_delay(today) == (today - date(2025, 3, 26)).days  # not started yet
    assert item.id in sa_ids(services.items_query(services.ItemFilters(delayed=True)))
    services.start(item, date(2025, 4, 10), None, user=planner)
    db.session.commit()
    assert (item.start_on, item.actual_start_on) == (date(2025, 3, 26), date(2025, 4, 10))
    assert item.start_delay(today) == 15
    assert item.end_delay(today) == (today - date(2025, 6, 30)).days  # running past its end
    assert item.id in [i.id for i in services.alerts()["delayed"]]
    step = db.session.scalars(
        sa.select(WorkflowStep).where(WorkflowStep.aid_item_id == item.id)
    ).all()[-1]
    assert step.action == "start"


def test_on_time_items_are_not_delayed(db, make_item, app_ctx):
    soon = today_vn() + timedelta(days=30)
    item = make_item("VT-OK", status=S.DA_PHE_DUYET, start_on=soon, end_on=soon)
    assert item.start_delay(today_vn()) is None and item.end_delay(today_vn()) is None
    assert item.id not in sa_ids(services.items_query(services.ItemFilters(delayed=True)))


# --- 6. Closing -------------------------------------------------------------------------


def closing_report(item, planner):
    services.add_report(item, "ket_thuc", None, None, date(2025, 10, 15), "Xong", user=planner)


def test_completion_under_100_percent_asks_for_a_reason(db, running, planner):
    pay(running, "40000", user=planner)
    closing_report(running, planner)
    assert services.completion_note(running) == "Đã giải ngân 40,0% giá trị được phê duyệt"
    with pytest.raises(FieldError) as error:
        services.complete(running, None, date(2025, 10, 20), user=planner)
    assert "40,0%" in error.value.errors["comment"]
    assert running.status == S.DANG_THUC_HIEN
    services.complete(running, "Nhà tài trợ dừng tài trợ", date(2025, 10, 20), user=planner)
    db.session.commit()
    assert running.status == S.HOAN_THANH and running.actual_end_on == date(2025, 10, 20)
    entry = actions(db, "aid.complete")[-1]
    assert entry.changes["disbursed_share"] == [None, "40.0"]
    assert "Nhà tài trợ dừng tài trợ" in entry.summary


def test_completion_at_100_percent_needs_no_reason(db, running, planner):
    pay(running, "100000", user=planner)
    closing_report(running, planner)
    services.complete(running, None, date(2025, 10, 20), user=planner)
    assert running.status == S.HOAN_THANH


def test_after_completion_money_is_only_a_correction_with_a_reason(db, make_item, planner, app_ctx):
    item = make_item("VT-DONE", status=S.HOAN_THANH)
    with pytest.raises(FieldError) as error:
        pay(item, "1000", user=planner)
    assert "điều chỉnh" in error.value.errors["reason"]
    assert live_rows(db, item) == 0
    row = pay(item, "1000", user=planner, reason="Hoàn ứng chênh lệch tỷ giá")
    db.session.commit()
    assert row.is_correction and row.reason == "Hoàn ứng chênh lệch tỷ giá"
    (entry,) = actions(db, AidAudit.DISBURSEMENT_CORRECTION)
    assert "Hoàn ứng chênh lệch tỷ giá" in entry.summary
    notes = stats_notes.year_notes(db.session, PAID_ON.year)
    assert notes.corrections_count == 1 and notes.corrections_vnd == 25_000_000


# --- 7. Planned disbursements --------------------------------------------------------------


def test_schedule_by_year_beside_the_actual(db, running, planner):
    services.add_planned_disbursement(running, 2025, Decimal("60000"), "Đợt 1", user=planner)
    plan26 = services.add_planned_disbursement(running, 2026, Decimal("40000"), user=planner)
    pay(running, "50000", user=planner)
    pay(running, "25000000", user=planner, currency="VND", rate=None)  # 1 000 USD
    schedule = services.schedule(running)
    rows = {y.year: (y.planned, y.actual, y.difference) for y in schedule["years"]}
    assert rows == {
        2025: (Decimal("60000"), Decimal("51000"), Decimal("-9000")),
        2026: (Decimal("40000"), Decimal("0"), Decimal("-40000")),
    }
    assert schedule["planned_total"] == Decimal("100000")
    with pytest.raises(FieldError, match="Năm 2026 đã có"):
        services.add_planned_disbursement(running, 2026, Decimal("1"), user=planner)
    with pytest.raises(FieldError) as error:
        services.add_planned_disbursement(running, 1800, Decimal("-1"), user=planner)
    assert set(error.value.errors) == {"year", "amount"}

    db.session.commit()
    version = plan26.version
    services.update_planned_disbursement(
        plan26, 2026, Decimal("45000"), "Điều chỉnh", user=planner, version=version
    )
    db.session.commit()
    with pytest.raises(StaleObjectError):
        services.update_planned_disbursement(
            plan26, 2026, Decimal("1"), user=planner, version=version
        )
    services.archive_planned_disbursement(plan26, "Nhà tài trợ hủy đợt 2", user=planner)
    db.session.commit()
    assert db.session.get(PlannedDisbursement, plan26.id).is_archived  # kept, not deleted
    assert [y.year for y in services.schedule(running)["years"]] == [2025]
    assert [a.action for a in actions(db, AidAudit.PLAN_ADD, AidAudit.PLAN_UPDATE,
                                      AidAudit.PLAN_ARCHIVE)] == [
        AidAudit.PLAN_ADD, AidAudit.PLAN_ADD, AidAudit.PLAN_UPDATE, AidAudit.PLAN_ARCHIVE
    ]  # fmt: skip
    with pytest.raises(DomainError):
        services.archive_planned_disbursement(plan26, "lại", user=planner)


def test_schedule_is_refused_before_approval(db, make_item, planner, app_ctx):
    item = make_item("VT-NEW")
    with pytest.raises(DomainError) as error:
        services.add_planned_disbursement(item, 2025, Decimal("1"), user=planner)
    assert error.value.status == 409


# --- Statistics: notes added, figures unchanged -------------------------------------------


def test_stats_notes_name_over_disbursed_items_and_figures_count_them(db, running, planner):
    pay(running, "50000", user=planner)
    before = stats.annual_report(2025)["aid"]
    assert not stats_notes.year_notes(db.session, 2025)
    pay(running, "70000", user=planner, confirm_over=True, reason="Bổ sung")
    db.session.commit()
    notes = stats_notes.year_notes(db.session, 2025)
    assert notes.over_disbursed_count == 1
    assert [code for _id, code, _name in notes.over_disbursed] == ["VT-RUN"]
    after = stats.annual_report(2025)["aid"]
    assert after["disbursed"]["value_vnd"] == before["disbursed"]["value_vnd"] + 1_750_000_000
    assert after["approved"] == before["approved"]


def test_active_in_year_uses_the_actual_start_as_before(db, make_item, planner, app_ctx):
    """The "start" step used to overwrite start_on; the report now reads the actual start
    first, so an item planned for 2024 but started in 2025 is active in 2025 only, as
    before."""
    item = make_item("VT-ACT", status=S.DA_PHE_DUYET, start_on=date(2024, 1, 1),
                     end_on=date(2025, 12, 31))  # fmt: skip
    services.start(item, date(2025, 4, 1), None, user=planner)
    db.session.commit()
    assert stats.annual_report(2025)["aid"]["active_count"] >= 1
    active_2024 = stats.annual_report(2024)["aid"]["active_count"]
    item_2024 = db.session.scalar(sa.select(AidItem.id).where(AidItem.code == "VT-ACT"))
    assert item_2024 and active_2024 == 0


# --- The migration -------------------------------------------------------------------------


def test_migration_keeps_planned_dates_and_copies_the_actual_ones(tmp_root):
    """On a database at the previous revision: start/end stay the planned dates; started
    items get their start as the actual start, completed ones their end as the actual end;
    disbursements get the new flags off. The downgrade gives start_on the actual start."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_aidmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    insert = sa.text(
        "INSERT INTO aid_item (code, name, search_text, modality, regime, status, value, "
        "currency, value_vnd, is_budget_revenue, start_on, end_on, created_at, updated_at, "
        "version) VALUES (:code, 'X', '', 'du_an', 'nd80_2020', :status, 10, 'VND', 10, "
        ":no, :start, :end, :now, :now, 1)"
    )
    with app.app_context():
        upgrade(revision="d5f3b0e9a2c4")
        for code, status in (("A", "da_phe_duyet"), ("B", "dang_thuc_hien"), ("C", "hoan_thanh")):
            _db.session.execute(
                insert,
                {"code": code, "status": status, "no": False, "start": date(2025, 4, 1),
                 "end": date(2025, 12, 31), "now": "2025-01-01"},
            )  # fmt: skip
        _db.session.execute(
            sa.text(
                "INSERT INTO disbursement (aid_item_id, disbursed_on, amount, currency, "
                "value_vnd, verified, created_at, updated_at, version) SELECT id, :day, 5, "
                "'VND', 5, :no, :now, :now, 1 FROM aid_item WHERE code = 'B'"
            ),
            {"day": date(2025, 5, 1), "no": False, "now": "2025-01-01"},
        )
        _db.session.commit()
        upgrade(revision="e6a1c2d3b4f5")
        items = _db.session.execute(
            sa.text(
                "SELECT code, start_on, end_on, actual_start_on, actual_end_on FROM aid_item "
                "ORDER BY code"
            )
        ).all()
        flags = _db.session.execute(
            sa.text("SELECT over_approved, is_correction, reason FROM disbursement")
        ).all()
        _db.session.execute(sa.text("UPDATE aid_item SET actual_start_on = :d WHERE code = 'B'"),
                            {"d": date(2025, 4, 20)})  # fmt: skip
        _db.session.commit()
        downgrade(revision="d5f3b0e9a2c4")
        after = _db.session.execute(
            sa.text("SELECT code, start_on FROM aid_item ORDER BY code")
        ).all()
        _db.session.remove()
        _db.engine.dispose()

    def day(value):
        return value if isinstance(value, date) or value is None else date.fromisoformat(value)

    start, end = date(2025, 4, 1), date(2025, 12, 31)
    assert [(c, day(s), day(e), day(a), day(b)) for c, s, e, a, b in items] == [
        ("A", start, end, None, None),
        ("B", start, end, start, None),
        ("C", start, end, start, end),
    ]
    assert [(bool(o), bool(c), r) for o, c, r in flags] == [(False, False, None)]
    assert [(c, day(s)) for c, s in after] == [
        ("A", start),
        ("B", date(2025, 4, 20)),
        ("C", start),
    ]
