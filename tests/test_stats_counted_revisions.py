"""Revisions of the rows that can count (issue 15; migration b7e9a1c3d5f6): drafting (a new
dossier, a donor nobody refers to, a draft delegation and its members) keeps the figures of
the statistics and the follow-up alerts; anything a figure can read moves them. And what
they keep equals a computation without any cache after each such change."""

import importlib.util
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.aid import states as aid_states
from app.aid.models import AidItem, AidSector, Disbursement
from app.aid.services import watch
from app.core import revision_cache
from app.delegations import services as delegation_services
from app.delegations import states as delegation_states
from app.delegations.states import DelegationStatus
from app.extensions import db as _db
from app.stats import cache, loaders, report, revisions, services
from tests.fixtures.delegations import member
from tests.fixtures.orgs import new_org
from tests.test_aid_web import dossier_form
from tests.test_delegations_web import member_form
from tests.test_stats_precomputed import count_statements, queries_run

Y = 2025
MIGRATION = (
    Path(__file__).resolve().parents[1] / "migrations/versions/b7e9a1c3d5f6_counted_revisions.py"
)


def migration():
    spec = importlib.util.spec_from_file_location("counted_revisions", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def keys(sql_list: str) -> set[str]:
    return set(re.findall(r"'(\w+)'", sql_list))


def series(name: str) -> tuple:
    """The revision rows of one series (plain or counted), as the caches read them."""
    fingerprint = revisions.fingerprint(_db.session.connection())
    assert fingerprint is not None
    return revisions.covering(fingerprint, (name,))


def moved(name: str, change) -> bool:
    before = series(name)
    change()
    _db.session.commit()
    return series(name) != before


def paid(item_id: int, day: date, vnd: int) -> Disbursement:
    """A disbursement of `vnd` đồng to the item."""
    return Disbursement(
        aid_item_id=item_id, disbursed_on=day, amount=Decimal(vnd), currency="VND", value_vnd=vnd
    )


def sql(statement: str, **params):
    return lambda: _db.session.execute(sa.text(statement), params)


def test_the_migration_names_the_registry_statuses():
    module = migration()
    assert keys(module.IN_PROCEDURE) == set(aid_states.IN_PROCEDURE)
    assert keys(module.COUNTED_DELEGATIONS) == set(delegation_states.COUNTED)
    assert set(module.TABLES) == set(revisions.COUNTED_TABLES)


def test_the_statistics_read_no_organisation_column_the_edit_rule_leaves_out(app, app_ctx, db):
    """An organisation's edit moves its counted series only when code, name or country
    changes: those must be all the statistics read of it (besides its id)."""
    statements = count_statements(app, lambda: services.annual_report(Y))
    statements += count_statements(app, lambda: services.year_page(Y - 1))
    read = {c for s in statements for c in re.findall(r"organization\.(\w+)", s)}
    assert read  # the report does read the donors
    assert read <= {"id", *migration().ORGANIZATION_COLUMNS}


@pytest.mark.parametrize("status", sorted(aid_states.AidStatus))
def test_an_item_moves_the_counted_series_unless_in_the_procedure(app_ctx, db, status):
    donor = new_org(db, f"D-{status.value}")
    db.session.commit()
    plain_before = series("aid_item")
    insert = sql(
        "INSERT INTO aid_item (code, name, search_text, modality, regime, status, value, "
        "currency, value_vnd, is_budget_revenue, main_donor_id, created_at, updated_at, "
        "version) VALUES (:code, 'X', 'x', 'du_an', 'nd313_2025', :status, 100, 'VND', 100, "
        "false, :donor, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
        code=f"C-{status.value}",
        status=status.value,
        donor=donor.id,
    )
    counts = status.value not in aid_states.IN_PROCEDURE
    assert moved("aid_item:counted", insert) is counts
    assert series("aid_item") != plain_before  # the plain series moves with every change
    item_id = db.session.scalar(sa.select(AidItem.id).where(AidItem.code == f"C-{status.value}"))
    edit = sql("UPDATE aid_item SET objectives = 'y' WHERE id = :id", id=item_id)
    assert moved("aid_item:counted", edit) is counts
    sector = sql("INSERT INTO aid_sector (aid_item_id, sector) VALUES (:id, 'y_te')", id=item_id)
    assert moved("aid_sector:counted", sector) is counts


def test_an_item_in_the_procedure_with_money_counts(app_ctx, db, make_item):
    item = make_item("M-1")  # received: in the procedure
    edit = sql("UPDATE aid_item SET objectives = 'y' WHERE id = :id", id=item.id)
    assert not moved("aid_item:counted", edit)
    assert moved("disbursement", lambda: db.session.add(paid(item.id, date(Y, 1, 2), 5)))
    edit = sql("UPDATE aid_item SET objectives = 'z' WHERE id = :id", id=item.id)
    assert moved("aid_item:counted", edit)


def test_a_decision_moves_the_counted_series(app_ctx, db, make_item, user):
    from app.aid import services as aid_services

    item = make_item("M-2", status=aid_states.AidStatus.THAM_DINH)
    item = db.session.get(AidItem, item.id)
    planner = user("planning.officer")

    def approve():
        aid_services.approve(item, "9/QĐ-UBND", date(Y, 3, 25), "Chủ tịch", user=planner)

    assert moved("aid_item:counted", approve)


def test_delegations_and_members_count_once_approved(app_ctx, db, make_delegation, user):
    draft = make_delegation("DV-D", members=[])
    host = user("other.officer")

    def add(delegation, passport):
        def change():
            record = db.session.get(type(delegation), delegation.id)
            delegation_services.add_member(record, member(passport=passport), user=host)

        return change

    assert not moved("delegation_member:counted", add(draft, "P0000001"))
    edit = sql("UPDATE delegation SET notes = 'n' WHERE id = :id", id=draft.id)
    assert not moved("delegation:counted", edit)
    approved = make_delegation("DV-A", stage="approved")
    assert db.session.get(type(approved), approved.id).status == DelegationStatus.DA_DUYET
    fix = sql(
        "UPDATE delegation_member SET position = 'x' WHERE delegation_id = :id", id=approved.id
    )
    assert moved("delegation_member:counted", fix)  # a fix in SQL: approved ones are locked
    edit = sql("UPDATE delegation SET notes = 'n' WHERE id = :id", id=approved.id)
    assert moved("delegation:counted", edit)


def test_a_donor_counts_once_referred_to_or_renamed(app_ctx, db, make_item):
    insert = sql(
        "INSERT INTO organization (code, name, search_text, kind, country, created_at, "
        "updated_at, version) VALUES ('NEW-ORG', 'Org', 'org', 'ngo', 'DE', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
    )
    assert not moved("organization:counted", insert)
    address = sql("UPDATE organization SET address = 'Hà Nội' WHERE code = 'NEW-ORG'")
    assert not moved("organization:counted", address)
    for column, value in (("name", "Org 2"), ("code", "NEW-ORG-2"), ("country", "FR")):
        rename = sql(
            f"UPDATE organization SET {column} = :v WHERE id = "  # noqa: S608
            "(SELECT max(id) FROM organization)",
            v=value,
        )
        assert moved("organization:counted", rename), column


# --- What they keep is what a computation without a cache gives -------------------------


def fresh_figures() -> tuple:
    """The year page's report, the key figures and the alert lists, computed from the rows."""
    cache.figures.clear()
    services.notes_cache.clear()
    revision_cache.clear()
    frames = loaders.load_frames(_db.session.connection(), Y)
    data = report.annual_report(frames, Y, people=services.people_input(Y))
    data.pop("generated_at", None)
    notes = services.year_notes(Y)
    return data, services.key_figures(Y), notes.over_disbursed_count, watch._over_disbursed_count()


def kept_figures() -> tuple:
    page = services.year_page(Y)
    page.report.pop("generated_at", None)
    kept = (page.report, services.key_figures(Y), page.notes.over_disbursed_count)
    return (*kept, watch.kept_over_disbursed_count())


def test_drafting_keeps_figures_equal_to_a_computation_without_cache(
    app, db, make_item, make_delegation, login
):
    """The load test's three writes, through the web: kept figures, equal to fresh ones."""
    running = make_item("RUN-1", status=aid_states.AidStatus.DANG_THUC_HIEN)
    make_delegation("DV-OK", stage="approved", start=date(Y, 6, 1), end=date(Y, 6, 3))
    draft = make_delegation("DV-DRAFT", members=[])
    with app.app_context():
        db.session.add(paid(running.id, date(Y, 4, 10), 2_000_000))
        donor = SimpleNamespace(id=new_org(db, "NEW-DONOR").id)
        db.session.commit()
    planner = login("planning.officer")
    host = login("other.officer")
    writes = [
        lambda: planner.post("/vien-tro/moi", dossier_form(donor, code="DRAFT-1")),
        lambda: planner.post(
            "/to-chuc/moi", {"code": "LOAD-1", "name": "Donor", "kind": "ngo", "country": "DE"}
        ),
        lambda: host.post(f"/doan/{draft.id}/thanh-vien/moi", member_form(is_head="")),
    ]
    for write in writes:
        with app.app_context():
            kept_figures()  # computed (fresh_figures() clears the caches) and kept
        assert write().status_code == 302
        with app.app_context():
            statements = queries_run(kept_figures)
            assert len(statements) == 3, statements  # one revision read per use: all kept
            assert all("stats_revision" in s for s in statements)
            assert kept_figures() == fresh_figures()
    with app.app_context():
        draft_item = sa.select(AidSector.id).join(AidItem).where(AidItem.code == "DRAFT-1")
        assert db.session.scalar(draft_item)  # the dossier and its sectors were written
        assert fresh_figures()[0]["delegations"]["incoming"]["count"] == 1
