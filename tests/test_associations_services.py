"""Friendship associations (issue 13): the services' rules, audit and locking, the queries
behind the list and the log, and the migration on both databases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.associations import queries, services
from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationMemberCount,
)
from app.associations.states import AssociationAudit, AssociationStatus
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry


def association_data(**changes) -> dict:
    data = {
        "code": "hhn-lao",
        "name": "Hội hữu nghị Việt Nam – Lào tỉnh Quảng Ngãi",
        "name_vi": None,
        "founding_decision_number": "123/QĐ-UBND",
        "founding_decision_date": date(2010, 5, 4),
        "countries": ["la"],
        "leaders": "Chủ tịch: Nguyễn Văn Á",
        "address": "Quảng Ngãi",
        "phone": "0255 3822 000",
        "email": "hhn@example.vn",
        "status": "hoat_dong",
        "union_member": True,
        "union_joined_on": date(2024, 3, 1),
        "notes": "",
    }
    data.update(changes)
    return data


def activity_data(**changes) -> dict:
    data = {
        "held_on": date(2025, 9, 2),
        "kind": "giao_luu",
        "title": "Giao lưu văn hóa Việt – Lào",
        "partners": "Hội hữu nghị Lào – Việt Nam tỉnh Attapeu",
        "countries": ["LA"],
        "participants": 40,
        "funds_vnd": Decimal("15000000"),
        "delegation_code": "",
        "aid_item_code": "",
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def officer(user):
    return user("foreign_affairs.officer")


@pytest.fixture
def made(app_ctx, db, officer):
    association = services.create_association(association_data(), user=officer)
    db.session.commit()
    return association


def audit_actions(db, object_type="association"):
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == object_type)
        .order_by(AuditEntry.id)
    ).all()


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


# --- The association -------------------------------------------------------------------------


def test_create_stores_code_upper_case_countries_and_union_membership(made, db):
    assert made.code == "HHN-LAO"
    assert made.countries == ["LA"]
    assert made.status == AssociationStatus.HOAT_DONG
    assert made.union_member is True and made.union_joined_on == date(2024, 3, 1)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AssociationAudit.CREATE)
    ).one()
    assert entry.changes["countries"] == [[], ["LA"]]
    assert entry.changes["code"] == [None, "HHN-LAO"]


def test_search_text_is_folded_for_diacritic_insensitive_search(made, db):
    filters = queries.AssociationFilters(q="viet nam lao")
    found = db.session.scalars(queries.associations_query(filters)).all()
    assert [a.code for a in found] == ["HHN-LAO"]
    filters = queries.AssociationFilters(q="campuchia")
    assert db.session.scalars(queries.associations_query(filters)).all() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "HỘI 1"}, "code"),
        ({"name": "  "}, "name"),
        ({"status": ""}, "status"),
        ({"status": "active"}, "status"),
        ({"countries": ["XX"]}, "countries"),
        ({"email": "not-an-email"}, "email"),
        ({"founding_decision_date": today_vn() + timedelta(days=1)}, "founding_decision_date"),
        ({"union_member": False}, "union_joined_on"),  # a date without membership
        ({"union_joined_on": date(2009, 1, 1)}, "union_joined_on"),  # before founding
    ],
)
def test_bad_data_is_a_field_error_and_nothing_is_written(app_ctx, db, officer, changes, field):
    before = count(db, Association)
    with pytest.raises(FieldError) as error:
        services.create_association(association_data(**changes), user=officer)
    assert field in error.value.errors
    db.session.rollback()
    assert count(db, Association) == before


def test_every_broken_rule_is_reported_at_once(app_ctx, officer):
    with pytest.raises(FieldError) as error:
        services.create_association(
            association_data(code="", name="", status="", countries=["ZZ"]), user=officer
        )
    assert {"code", "name", "status", "countries"} <= set(error.value.errors)


def test_duplicate_code_is_refused_next_to_the_code(made, officer):
    with pytest.raises(FieldError) as error:
        services.create_association(association_data(code="hhn-LAO"), user=officer)
    assert error.value.field == "code"


@pytest.mark.parametrize(
    "username", ["planning.officer", "foreign_affairs.viewer", "police.officer"]
)
def test_only_foreign_affairs_officers_and_admins_manage(app_ctx, user, username):
    with pytest.raises(PermissionDenied):
        services.create_association(association_data(), user=user(username))


def test_an_administrator_may_manage(app_ctx, user):
    created = services.create_association(association_data(), user=user("admin"))
    assert created.id


def test_update_needs_the_current_version_and_audits_the_diff(made, db, officer):
    with pytest.raises(StaleObjectError):
        services.update_association(
            made, association_data(name="X"), user=officer, version=made.version - 1
        )
    db.session.rollback()
    version = made.version
    services.update_association(
        made, association_data(countries=["LA", "KH"], status="tam_ngung"), user=officer,
        version=version,
    )  # fmt: skip
    db.session.commit()
    assert made.version == version + 1
    assert made.countries == ["LA", "KH"]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AssociationAudit.UPDATE)
    ).one()
    assert entry.changes == {
        "status": ["hoat_dong", "tam_ngung"],
        "countries": [["LA"], ["LA", "KH"]],
    }


def test_a_countries_only_change_bumps_the_version(made, db, officer):
    version = made.version
    services.update_association(
        made, association_data(countries=["LA", "TH"]), user=officer, version=version
    )
    db.session.commit()
    assert made.version == version + 1


def test_archive_needs_a_reason_then_refuses_edits_and_restore_brings_it_back(made, db, officer):
    with pytest.raises(FieldError):
        services.archive_association(made, "  ", user=officer)
    services.archive_association(made, "Nhập trùng", user=officer, version=made.version)
    db.session.commit()
    assert made.is_archived
    with pytest.raises(DomainError):
        services.update_association(made, association_data(), user=officer, version=made.version)
    db.session.rollback()
    with pytest.raises(DomainError):
        services.add_activity(made, activity_data(), user=officer)
    db.session.rollback()
    services.restore_association(made, user=officer, version=made.version)
    db.session.commit()
    assert not made.is_archived
    assert audit_actions(db) == [
        AssociationAudit.CREATE,
        AssociationAudit.ARCHIVE,
        AssociationAudit.RESTORE,
    ]


# --- Member counts ---------------------------------------------------------------------------


def test_member_count_is_one_row_per_year_and_a_second_entry_replaces_it(made, db, officer):
    services.set_member_count(made, 2024, 120, user=officer)
    services.set_member_count(made, 2025, 150, user=officer)
    services.set_member_count(made, 2025, 155, user=officer)
    db.session.commit()
    assert queries.member_count_years(made.id) == [(2025, 155), (2024, 120)]
    assert count(db, AssociationMemberCount) == 2
    changes = db.session.scalars(
        sa.select(AuditEntry.changes)
        .where(AuditEntry.action == AssociationAudit.MEMBER_COUNT)
        .order_by(AuditEntry.id)
    ).all()
    assert changes[-1] == {"member_count_2025": [150, 155]}
    assert queries.latest_member_counts([made.id]) == {made.id: (2025, 155)}


@pytest.mark.parametrize(
    ("year", "number", "field"),
    [(None, 5, "year"), (1800, 5, "year"), (today_vn().year + 1, 5, "year"), (2024, -1, "count")],
)
def test_member_count_rules(made, db, officer, year, number, field):
    with pytest.raises(FieldError) as error:
        services.set_member_count(made, year, number, user=officer)
    assert field in error.value.errors


# --- Activities ------------------------------------------------------------------------------


def test_activity_links_a_delegation_and_an_aid_item_by_code(
    made, db, officer, make_delegation, make_item
):
    delegation = make_delegation("DV-HHN", stage="submitted")
    item = make_item("VT-HHN")
    activity = services.add_activity(
        made,
        activity_data(delegation_code="dv-hhn", aid_item_code=" vt-hhn ", countries=["la", "KH"]),
        user=officer,
    )
    db.session.commit()
    assert activity.delegation_id == delegation.id and activity.aid_item_id == item.id
    assert activity.countries == ["LA", "KH"]
    assert activity.funds_vnd == Decimal("15000000")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AssociationAudit.ACTIVITY_ADD)
    ).one()
    assert entry.object_type == "association_activity"
    assert entry.changes["delegation_id"] == [None, delegation.id]


def test_a_draft_delegation_of_another_agency_cannot_be_linked(made, officer, make_delegation):
    make_delegation("DV-DRAFT")  # a draft of the host unit: not visible to foreign affairs
    with pytest.raises(FieldError) as error:
        services.add_activity(made, activity_data(delegation_code="DV-DRAFT"), user=officer)
    assert error.value.errors["delegation_code"] == "Không có đoàn mã DV-DRAFT."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": None}, "held_on"),
        ({"kind": "exchange"}, "kind"),
        ({"title": ""}, "title"),
        ({"participants": -1}, "participants"),
        ({"funds_vnd": Decimal("-1")}, "funds_vnd"),
        ({"funds_vnd": Decimal("10.5")}, "funds_vnd"),
        ({"delegation_code": "NOPE"}, "delegation_code"),
        ({"aid_item_code": "NOPE"}, "aid_item_code"),
        ({"countries": ["QQ"]}, "countries"),
    ],
)
def test_activity_rules(made, db, officer, changes, field):
    with pytest.raises(FieldError) as error:
        services.add_activity(made, activity_data(**changes), user=officer)
    assert field in error.value.errors
    db.session.rollback()
    assert count(db, AssociationActivity) == 0


def test_update_activity_is_locked_and_audited_and_archive_keeps_the_row(made, db, officer):
    activity = services.add_activity(made, activity_data(), user=officer)
    db.session.commit()
    with pytest.raises(StaleObjectError):
        services.update_activity(activity, activity_data(), user=officer, version=0)
    db.session.rollback()
    services.update_activity(
        activity, activity_data(kind="ket_nghia", countries=[]), user=officer,
        version=activity.version,
    )  # fmt: skip
    db.session.commit()
    assert activity.kind == "ket_nghia" and activity.countries == []
    assert count(db, AssociationActivityCountry) == 0
    services.archive_activity(activity, "Ghi nhầm", user=officer, version=activity.version)
    db.session.commit()
    assert activity.is_archived and count(db, AssociationActivity) == 1
    assert audit_actions(db, "association_activity") == [
        AssociationAudit.ACTIVITY_ADD,
        AssociationAudit.ACTIVITY_UPDATE,
        AssociationAudit.ACTIVITY_ARCHIVE,
    ]


def test_the_log_filters_by_year_kind_and_country(made, db, officer):
    services.add_activity(made, activity_data(), user=officer)
    services.add_activity(
        made, activity_data(held_on=date(2024, 1, 5), kind="ho_tro", countries=["KH"]),
        user=officer,
    )  # fmt: skip
    db.session.commit()

    def codes(**filters):
        query = queries.activities_query(queries.ActivityFilters(association_id=made.id, **filters))
        return [a.held_on.year for a in db.session.scalars(query).unique()]

    assert codes() == [2025, 2024]  # latest first
    assert codes(year=2024) == [2024]
    assert codes(kind="giao_luu") == [2025]
    assert codes(country="KH") == [2024]
    assert queries.activity_years(made.id) == [2025, 2024]


def test_list_filters_by_status_union_and_country(app_ctx, db, officer):
    services.create_association(association_data(), user=officer)
    services.create_association(
        association_data(
            code="HHN-CAM", name="Hội hữu nghị Việt Nam – Campuchia", countries=["KH"],
            union_member=False, union_joined_on=None, status="tam_ngung",
        ),
        user=officer,
    )  # fmt: skip
    db.session.commit()

    def codes(**filters):
        query = queries.associations_query(queries.AssociationFilters(**filters))
        return [a.code for a in db.session.scalars(query)]

    assert codes() == ["HHN-CAM", "HHN-LAO"]
    assert codes(union="1") == ["HHN-LAO"]
    assert codes(union="0") == ["HHN-CAM"]
    assert codes(country="KH") == ["HHN-CAM"]
    assert codes(status="tam_ngung") == ["HHN-CAM"]
    assert [code for code, _name in queries.countries_in_use()] == ["KH", "LA"]


# --- The migration ---------------------------------------------------------------------------


def test_migration_creates_the_tables_and_drops_them_on_downgrade(tmp_root):
    """Upgrade to the associations revision, write an association with an activity, go down
    to the revision before (tables gone) and up again (tables empty), on the test database."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_assocmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    tables = {
        "association",
        "association_country",
        "association_member_count",
        "association_activity",
        "association_activity_country",
    }
    now = "2025-01-01 00:00:00"
    with app.app_context():
        upgrade(revision="a4c6e8f0b2d5")
        assert tables <= set(sa.inspect(_db.engine).get_table_names())
        _db.session.execute(
            sa.text(
                "INSERT INTO association (code, name, search_text, status, union_member, "
                "created_at, updated_at, version) VALUES ('A', 'Hội A', 'a', 'hoat_dong', "
                ":no, :now, :now, 1)"
            ),
            {"no": False, "now": now},
        )
        _db.session.execute(
            sa.text(
                "INSERT INTO association_activity (association_id, held_on, kind, title, "
                "funds_vnd, created_at, updated_at, version) SELECT id, :day, 'ho_tro', 'T', "
                "1500000, :now, :now, 1 FROM association"
            ),
            {"day": date(2025, 3, 1), "now": now},
        )
        _db.session.commit()
        funds = _db.session.execute(sa.text("SELECT funds_vnd FROM association_activity"))
        assert Decimal(str(funds.scalar())) == Decimal("1500000")
        _db.session.commit()
        downgrade(revision="c3e5a7b9d1f4")
        assert not tables & set(sa.inspect(_db.engine).get_table_names())
        upgrade(revision="a4c6e8f0b2d5")
        assert _db.session.execute(sa.text("SELECT count(*) FROM association")).scalar() == 0
        _db.session.commit()
        _db.engine.dispose()


def test_every_audit_action_and_object_has_a_vietnamese_label(app):
    from app.core.audit_labels import known_labels, object_label

    with app.app_context():
        labels = known_labels()
    for name, code in vars(AssociationAudit).items():
        if name.isupper():
            assert labels.get(code), code
    assert object_label("association") == "Hội hữu nghị"
    assert object_label("association_activity") == "Hoạt động của hội hữu nghị"
