"""The yearly budget's rules: the workflow table, the flags (30/09 rule with a fixed day),
one owner per line, spending checks, and the migration (issue 13, part 3)."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.budget import queries, rules, services, workflow
from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import BudgetAudit, BudgetFlag, BudgetStatus, Verdict
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry

S = BudgetStatus
F = BudgetFlag
YEAR = 2025


def _propose(user, amount=100_000_000, year=YEAR, **data):
    return services.propose({"year": year, "proposed_vnd": amount, **data}, user=user)


def _allocated(user, finance, amount=100_000_000, allocated=80_000_000):
    line = _propose(user, amount)
    services.allocate(line, allocated, "12/QĐ-UBND", date(YEAR, 2, 1), user=finance)
    return line


def _spend(line, user, amount, day=date(YEAR, 3, 1), **extra):
    return services.add_spending(
        line, day, amount, "CT-01", "Đón đoàn hữu nghị", user=user, **extra
    )


def _actions(user):
    return [e.action for e in AuditEntry.query.filter_by(user_id=user.id).order_by(AuditEntry.id)]


# --- The workflow table -----------------------------------------------------------------------


def test_workflow_table_is_proposed_allocated_checked_with_return_and_reopen():
    table = {(state, key): t.target for (state, key), t in workflow.TRANSITIONS.items()}
    assert table == {
        (S.DE_XUAT, "allocate"): S.DA_PHAN_BO,
        (S.DE_XUAT, "return"): S.YEU_CAU_SUA,
        (S.YEU_CAU_SUA, "resubmit"): S.DE_XUAT,
        (S.DA_PHAN_BO, "reallocate"): None,
        (S.DA_PHAN_BO, "check"): S.DA_KIEM_TRA,
        (S.DA_KIEM_TRA, "reopen"): S.DA_PHAN_BO,
    }
    finance_only = {"allocate", "return", "reallocate", "check", "reopen"}
    for (_state, key), transition in workflow.TRANSITIONS.items():
        expected = "allocate_budget" if key in finance_only else "record_own_budget"
        assert transition.action.rule.name == expected


def test_full_path_writes_steps_and_audit(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _propose(owner)
    assert line.status == S.DE_XUAT and line.agency_id == owner.agency_id
    services.return_proposal(line, "Thiếu thuyết minh", user=finance)
    assert line.status == S.YEU_CAU_SUA
    services.update_proposal(
        line,
        {"year": YEAR, "proposed_vnd": 90_000_000, "proposal_note": "Đón 3 đoàn"},
        user=owner,
        version=line.version,
    )
    services.resubmit(line, user=owner)
    services.allocate(line, 70_000_000, "12/QĐ-UBND", date(YEAR, 2, 1), user=finance)
    assert (line.status, line.allocated_vnd, line.allocation_number) == (
        S.DA_PHAN_BO,
        70_000_000,
        "12/QĐ-UBND",
    )
    services.check_line(line, Verdict.DUNG_MUC_DICH, None, user=finance)
    assert line.status == S.DA_KIEM_TRA and line.checked_by_id == finance.id
    assert [s.action for s in line.steps] == [
        "create", "return", "resubmit", "allocate", "check"
    ]  # fmt: skip
    assert _actions(finance) == ["budget.return", "budget.allocate", "budget.check"]
    assert _actions(owner) == [BudgetAudit.CREATE, BudgetAudit.UPDATE, "budget.resubmit"]


def test_owner_cannot_allocate_and_finance_cannot_record_others_spending(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _propose(owner)
    with pytest.raises(PermissionDenied):
        services.allocate(line, 1, "1/QĐ", date(YEAR, 1, 5), user=owner)
    with pytest.raises(PermissionDenied):
        _spend(line, finance, 1_000)
    with pytest.raises(PermissionDenied):
        _spend(line, user("police.officer"), 1_000)
    assert line.status == S.DE_XUAT


def test_checked_line_takes_no_spending_until_reopened(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _allocated(owner, finance)
    services.check_line(line, Verdict.CAN_GIAI_TRINH, "Giải trình chứng từ CT-01", user=finance)
    with pytest.raises(DomainError, match="đã được cơ quan tài chính kiểm tra"):
        _spend(line, owner, 1_000)
    services.reopen(line, "Đã giải trình", user=finance)
    assert _spend(line, owner, 1_000).amount_vnd == 1_000


def test_check_needs_remarks_unless_as_intended(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _allocated(owner, finance)
    with pytest.raises(FieldError) as error:
        services.check_line(line, Verdict.KHONG_DUNG_MUC_DICH, "  ", user=finance)
    assert "finance_remarks" in error.value.errors
    with pytest.raises(FieldError):
        services.check_line(line, "tot", None, user=finance)
    assert line.status == S.DA_PHAN_BO


def test_stale_version_is_refused(app_ctx, db, user):
    owner = user("other.officer")
    line = _propose(owner)
    with pytest.raises(StaleObjectError):
        services.update_proposal(
            line, {"year": YEAR, "proposed_vnd": 5}, user=owner, version=line.version - 1
        )


# --- One owner, one live line a year ------------------------------------------------------------


def test_one_live_line_per_owner_and_year(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _propose(owner)
    with pytest.raises(FieldError) as error:
        _propose(owner)
    assert "year" in error.value.errors
    services.archive_line(line, "Nhập trùng", user=owner)
    assert _propose(owner).id != line.id  # archived lines stay beside the new one
    assert _propose(finance).agency_id == finance.agency_id


def test_owner_is_an_agency_xor_an_association(app_ctx, db, user):
    """The database refuses a line with both owners or none (check constraint)."""
    owner = user("other.officer")
    for agency_id, association_id in ((None, None), (owner.agency_id, _association(db).id)):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(
                BudgetLine(
                    year=YEAR,
                    agency_id=agency_id,
                    association_id=association_id,
                    status=S.DE_XUAT,
                    proposed_vnd=1,
                )
            )
            db.session.flush()


def _association(db, code="HHN-VN-NHAT"):
    from app.associations.models import Association
    from app.associations.states import AssociationStatus

    found = Association(
        code=code, name=f"Hội hữu nghị {code}", status=next(iter(AssociationStatus))
    )
    db.session.add(found)
    db.session.flush()
    return found


def test_association_line_is_foreign_affairs_business(app_ctx, db, user):
    association = _association(db)
    fa, owner = user("foreign_affairs.officer"), user("other.officer")
    with pytest.raises(FieldError):
        _propose(owner, association_id=association.id)
    line = _propose(fa, association_id=association.id)
    assert (line.agency_id, line.association_id) == (None, association.id)
    assert _spend(line, fa, 5_000).line_id == line.id
    with pytest.raises(PermissionDenied):
        _spend(line, owner, 5_000)


# --- Spending -------------------------------------------------------------------------------------


def test_spending_date_in_the_line_year_and_amount_positive(app_ctx, db, user):
    owner = user("other.officer")
    line = _propose(owner)
    with pytest.raises(FieldError) as error:
        services.add_spending(line, date(YEAR + 1, 1, 2), -5, "", "x", user=owner)
    assert {"spent_on", "amount_vnd", "document_number"} <= set(error.value.errors)
    with pytest.raises(FieldError, match="phần lẻ"):
        _spend(line, owner, 10.5)
    assert db.session.scalar(sa.select(sa.func.count(BudgetSpending.id))) == 0


def test_spending_links_at_most_one_record(app_ctx, db, user, make_delegation):
    owner = user("other.officer")
    line = _propose(owner)
    delegation = make_delegation("D-NS-1")
    with pytest.raises(FieldError):
        _spend(line, owner, 1_000, delegation_id=delegation.id, training_course_id=999_999)
    assert _spend(line, owner, 1_000, delegation_id=delegation.id).delegation_id == delegation.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        row = BudgetSpending(
            line_id=line.id,
            spent_on=date(YEAR, 3, 3),
            amount_vnd=0,
            document_number="x",
            description="x",
            over_allocation=False,
        )
        db.session.add(row)
        db.session.flush()


def test_spending_above_the_allocation_needs_confirmation(app_ctx, db, user):
    owner, finance = user("other.officer"), user("finance.officer")
    line = _allocated(owner, finance, allocated=10_000)
    _spend(line, owner, 6_000)
    with pytest.raises(FieldError) as error:
        _spend(line, owner, 5_000)
    assert "confirm_over" in error.value.errors and "11.000" in error.value.message
    entry = _spend(line, owner, 5_000, confirm_over=True)
    assert entry.over_allocation is True
    assert _actions(owner)[-1] == BudgetAudit.SPENDING_OVER_ALLOCATION
    services.archive_spending(entry, "Nhập nhầm", user=owner)
    assert _spend(line, owner, 4_000).over_allocation is False  # archived ones do not count


# --- Flags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "allocated, spent, early, as_of, expected",
    [
        (100, 101, 101, date(YEAR, 5, 1), [F.VUOT_PHAN_BO]),
        (100, 100, 100, date(YEAR, 5, 1), []),
        (None, 1, 1, date(YEAR, 5, 1), [F.CHUA_PHAN_BO]),
        (None, 0, 0, date(YEAR + 1, 5, 1), []),
        # 30/09 not passed yet: no low-use flag, however little was spent
        (100, 0, 0, date(YEAR, 9, 30), []),
        # passed: under the share by 30/09 is flagged, even if spent later
        (100, 90, 49, date(YEAR, 10, 1), [F.SU_DUNG_THAP]),
        (100, 50, 50, date(YEAR, 10, 1), []),
        (100, 120, 10, date(YEAR + 1, 1, 1), [F.VUOT_PHAN_BO, F.SU_DUNG_THAP]),
        (0, 0, 0, date(YEAR + 1, 1, 1), []),
    ],
)
def test_line_flags(allocated, spent, early, as_of, expected):
    assert rules.line_flags(YEAR, allocated, spent, early, 50, as_of) == [f.value for f in expected]


def test_flags_in_sql_say_the_same_as_in_python(app_ctx, db, user):
    """The list's flag filter (SQL) and the badges (Python) agree, the 30/09 rule with a
    fixed day included."""
    owner, finance = user("other.officer"), user("finance.officer")
    fa = user("foreign_affairs.officer")
    over = _allocated(owner, finance, allocated=10_000)
    _spend(over, owner, 3_000, date(YEAR, 3, 1))
    _spend(over, owner, 9_000, date(YEAR, 11, 1), confirm_over=True)
    unallocated = _propose(fa)
    _spend(unallocated, fa, 2_000)
    fine = _allocated(user("police.officer"), finance, allocated=10_000)
    _spend(fine, user("police.officer"), 6_000, date(YEAR, 9, 30))
    lines = [over, unallocated, fine]
    for as_of in (date(YEAR, 9, 30), date(YEAR, 10, 1)):
        figures = queries.figures_of(lines, as_of, 50)
        for flag in F.labels():
            query = queries.lines_query(
                queries.BudgetFilters(year=YEAR, flag=flag), user("admin"), as_of, 50
            )
            in_sql = {line.id for line in db.session.scalars(query)}
            in_python = {line.id for line in lines if flag in figures[line.id].flags}
            assert in_sql == in_python, (flag, as_of)
    late = queries.figures_of(lines, date(YEAR, 10, 1), 50)
    assert late[over.id].flags == [F.VUOT_PHAN_BO, F.SU_DUNG_THAP]
    assert late[unallocated.id].flags == [F.CHUA_PHAN_BO]
    assert late[fine.id].flags == []
    assert queries.figures_of(lines, date(YEAR, 9, 30), 50)[over.id].flags == [F.VUOT_PHAN_BO]
    assert late[over.id].share_used == 120.0


def test_share_setting_is_read_from_the_config(app, app_ctx):
    assert app.config["BUDGET_MIN_SHARE_BY_SEPT"] == 50
    assert queries.min_share() == 50


def test_share_setting_must_be_a_percent(monkeypatch):
    from app.config import ConfigError, load_config

    monkeypatch.setenv("BUDGET_MIN_SHARE_BY_SEPT", "70")
    assert load_config()["BUDGET_MIN_SHARE_BY_SEPT"] == 70
    monkeypatch.setenv("BUDGET_MIN_SHARE_BY_SEPT", "170")
    with pytest.raises(ConfigError):
        load_config()


def test_visibility_own_agency_and_association_lines(app_ctx, db, user):
    owner, fa, police = (
        user("other.officer"),
        user("foreign_affairs.officer"),
        user("police.officer"),
    )
    own = _propose(owner)
    theirs = _propose(police)
    association_line = _propose(fa, association_id=_association(db).id)

    def seen(who):
        query = queries.lines_query(queries.BudgetFilters(year=YEAR), who, date(YEAR, 5, 1), 50)
        return {line.id for line in db.session.scalars(query)}

    assert seen(owner) == {own.id}
    assert seen(fa) == {association_line.id}
    everyone = {own.id, theirs.id, association_line.id}
    for reader in ("finance.viewer", "leadership.viewer", "admin", "planning.officer"):
        assert seen(user(reader)) == everyone


# --- The migration ----------------------------------------------------------------------------


def test_migration_creates_and_drops_the_tables(tmp_root):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_budgetmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="c6e8a0b2d4f7")
        inspector = sa.inspect(_db.engine)
        assert {"budget_line", "budget_line_step", "budget_spending"} <= set(
            inspector.get_table_names()
        )
        indexes = {ix["name"] for ix in inspector.get_indexes("budget_line")}
        assert {"uq_budget_line_year_agency", "ix_budget_line_year"} <= indexes
        _db.session.remove()
        downgrade(revision="b5d7f9a1c3e6")
        assert "budget_line" not in sa.inspect(_db.engine).get_table_names()
        _db.session.remove()
        upgrade(revision="c6e8a0b2d4f7")
        assert "budget_spending" in sa.inspect(_db.engine).get_table_names()
        _db.session.remove()
        _db.engine.dispose()
    reset_database(url)


def test_audit_log_names_every_budget_action(app):
    from app.core.audit_labels import action_label, known_labels, object_label

    with app.app_context():
        labels = known_labels()
        assert action_label("budget.allocate") == "Phân bổ kinh phí"
        assert object_label("budget_line") == "Ngân sách đối ngoại nhân dân"
    for name, code in vars(BudgetAudit).items():
        if name.isupper():
            assert labels.get(code), code


def test_agency_merge_moves_its_lines_unless_both_have_one_a_year(app_ctx, db, user):
    """A merge (after a reorganisation) moves the source's lines to the remaining agency;
    two live lines of the same year would break "one line per owner and year": refused."""
    from app.auth.services import merge_agencies

    police, host, finance = user("police.officer"), user("other.officer"), user("finance.officer")
    moved = _propose(police, year=YEAR - 1)
    _propose(police)
    _propose(host)
    with pytest.raises(FieldError, match=f"năm {YEAR}"):
        merge_agencies(police.agency, host.agency, user=user("admin"))
    assert moved.agency_id == police.agency_id
    merge_agencies(police.agency, finance.agency, user=user("admin"))
    db.session.expire_all()
    assert db.session.get(BudgetLine, moved.id).agency_id == finance.agency_id
