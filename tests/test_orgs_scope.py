"""The area of a donor's certificate (issue 12, point 8; Decree 58/2022/NĐ-CP Art 8(1)):
provinces and fields recorded as codes, audited and version-checked; warnings (never
refusals) for an item's communes or sectors outside its donors' recorded scope."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid import services as aid_services
from app.core.errors import FieldError, StaleObjectError
from app.core.models import AuditEntry, Commune
from app.orgs import scope, services
from app.orgs.models import Organization, OrganizationField, OrganizationProvince
from tests.fixtures.aid import item_input
from tests.fixtures.orgs import new_org
from tests.test_orgs import (
    assert_field_error,
    by_code,
    org_audit,
    org_count,
    org_data,
    service_data,
)
from tests.test_stats_web import selects

HOME = 51  # Quảng Ngãi


@pytest.fixture
def manager(user):
    return user("planning.officer")


def commune_in(db, home: bool) -> Commune:
    where = Commune.province_code == HOME if home else Commune.province_code != HOME
    return db.session.scalar(sa.select(Commune).where(where).order_by(Commune.code).limit(1))


def scoped_org(db, code, provinces=(), fields=()) -> Organization:
    org = new_org(db, code)
    scope.apply_scope(
        org, {"certificate_provinces": list(provinces), "certificate_fields": list(fields)}
    )
    db.session.flush()
    return org


def scope_rows(db) -> int:
    provinces = db.session.scalar(sa.select(sa.func.count(OrganizationProvince.id)))
    fields = db.session.scalar(sa.select(sa.func.count(OrganizationField.id)))
    return provinces + fields


# --- Recording the scope ------------------------------------------------------------------


def test_create_records_provinces_and_fields_as_codes_audited(app_ctx, db, manager):
    org = services.create_organization(
        service_data(
            certificate_provinces=["51", "1", "051"], certificate_fields=["y_te", "giao_duc"]
        ),
        user=manager,
    )
    db.session.commit()
    assert org.certificate_provinces == ["1", "51"]  # duplicates dropped, ascending
    assert org.certificate_fields == ["giao_duc", "y_te"]  # the vocabulary's order
    [entry] = org_audit(db, "organization.create")
    assert entry.changes["certificate_provinces"] == [[], ["1", "51"]]
    assert entry.changes["certificate_fields"] == [[], ["giao_duc", "y_te"]]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"certificate_provinces": ["51", "99"]}, "certificate_provinces", "99"),
        ({"certificate_provinces": ["Quảng Ngãi"]}, "certificate_provinces", "không hợp lệ"),
        ({"certificate_fields": ["y_te", "quoc_phong"]}, "certificate_fields", "quoc_phong"),
    ],
)
def test_unknown_codes_are_refused_and_nothing_is_written(
    app_ctx, db, manager, changes, field, message
):
    with pytest.raises(FieldError) as error:
        services.create_organization(service_data(**changes), user=manager)
    assert error.value.field == field and message in error.value.message
    db.session.rollback()
    assert org_count(db) == 0 and scope_rows(db) == 0


def test_editing_only_the_scope_bumps_the_version_and_is_audited(app_ctx, db, manager):
    org = services.create_organization(service_data(certificate_provinces=["51"]), user=manager)
    db.session.commit()
    version = org.version
    data = service_data(certificate_provinces=["51", "48"], certificate_fields=["y_te"])
    services.update_organization(org, data, user=manager, version=version)
    db.session.commit()
    assert org.version == version + 1
    [entry] = org_audit(db, "organization.update")
    assert entry.changes == {
        "certificate_provinces": [["51"], ["48", "51"]],
        "certificate_fields": [[], ["y_te"]],
    }
    # A stale form (the version shown before) changes nothing.
    with pytest.raises(StaleObjectError):
        services.update_organization(
            org, service_data(certificate_provinces=[]), user=manager, version=version
        )
    db.session.rollback()
    assert by_code(db, "ORG-1").certificate_provinces == ["48", "51"]


def test_callers_without_the_scope_keep_it(app_ctx, db, manager):
    org = services.create_organization(
        service_data(certificate_provinces=["51"], certificate_fields=["y_te"]), user=manager
    )
    db.session.commit()
    services.update_organization(org, service_data(name="Khác"), user=manager, version=org.version)
    db.session.commit()
    assert org.certificate_provinces == ["51"] and org.certificate_fields == ["y_te"]
    # Emptied on purpose: unknown again.
    data = service_data(certificate_provinces=[], certificate_fields=[])
    services.update_organization(org, data, user=manager, version=org.version)
    db.session.commit()
    assert org.certificate_provinces == [] and scope_rows(db) == 0


# --- Warnings -----------------------------------------------------------------------------


def new_item(db, user, code, donors, communes, sectors):
    """An item received by the planning officer with these donors (the first is main)."""
    item = aid_services.create_item(
        item_input([d.id for d in donors], code, communes=communes, sectors=sectors),
        user=user("planning.officer"),
    )
    db.session.commit()
    return item


WATER_AND_HEALTH = [("nuoc_ve_sinh", Decimal("60")), ("y_te", Decimal("40"))]


def test_item_breaches_list_each_donor_and_what_lies_outside(app_ctx, db, user):
    home, away = commune_in(db, True), commune_in(db, False)
    main = scoped_org(db, "MAIN", provinces=["51"], fields=["y_te"])
    co = scoped_org(db, "CO", provinces=["51"])  # provinces only: fields unknown
    fields_only = scoped_org(db, "FIELDS", fields=["y_te", "nuoc_ve_sinh"])  # all in
    unknown = new_org(db, "UNKNOWN")  # nothing recorded: never warned about
    item = new_item(
        db,
        user,
        "SC-1",
        [main, co, fields_only, unknown],
        [home.code, away.code],
        WATER_AND_HEALTH,
    )
    breaches = scope.item_breaches(item.id)
    assert [(b.org_code, b.item_code) for b in breaches] == [("CO", "SC-1"), ("MAIN", "SC-1")]
    co_breach, main_breach = breaches
    assert main_breach.communes == [f"{away.name} ({away.province_name})"]
    assert main_breach.sectors == ["Nước sạch và vệ sinh môi trường"]
    assert co_breach.communes == main_breach.communes and co_breach.sectors == []
    inside = new_item(db, user, "SC-2", [main], [home.code], [("y_te", None)])
    assert scope.item_breaches(inside.id) == []
    assert (
        scope.item_breaches(new_item(db, user, "SC-3", [unknown], [away.code], WATER_AND_HEALTH).id)
        == []
    )


def test_organization_breaches_list_its_items_outside_as_donor_or_co_donor(app_ctx, db, user):
    home, away = commune_in(db, True), commune_in(db, False)
    org = scoped_org(db, "NGO", provinces=["51"], fields=["y_te"])
    other = new_org(db, "OTHER")
    new_item(db, user, "A-IN", [org], [home.code], [("y_te", None)])
    new_item(db, user, "B-AWAY", [other, org], [away.code], [("y_te", None)])
    new_item(db, user, "C-SECTOR", [org], [home.code], WATER_AND_HEALTH)
    breaches = scope.organization_breaches(org.id)
    assert [b.item_code for b in breaches] == ["B-AWAY", "C-SECTOR"]
    assert breaches[0].communes and not breaches[0].sectors
    assert breaches[1].sectors == ["Nước sạch và vệ sinh môi trường"]
    assert scope.organization_breaches(other.id) == []


def test_breaches_take_one_query_however_many_donors_and_items(app_ctx, db, user):
    away = commune_in(db, False)
    donors = [scoped_org(db, f"N{i}", provinces=["51"], fields=["y_te"]) for i in range(5)]
    item = new_item(db, user, "Q-1", donors, [away.code], WATER_AND_HEALTH)
    for i in range(4):
        new_item(db, user, f"Q-{i + 2}", [donors[0]], [away.code], WATER_AND_HEALTH)
    item_id, org_id = item.id, donors[0].id
    db.session.expire_all()
    statements = selects(db, lambda: scope.item_breaches(item_id))
    assert len(statements) == 1 and len(scope.item_breaches(item_id)) == 5
    statements = selects(db, lambda: scope.organization_breaches(org_id))
    assert len(statements) == 1 and len(scope.organization_breaches(org_id)) == 5


# --- Over HTTP (real login and CSRF) --------------------------------------------------------


def test_officer_records_the_scope_in_the_form_and_sees_it(login, db):
    web = login("planning.officer")
    form = web.get("/to-chuc/moi").get_data(as_text=True)
    assert "Tỉnh, thành phố được phép hoạt động" in form and form.count('value="51"') == 1
    data = org_data(code="SCOPE", certificate_provinces=["51", "48"], certificate_fields="y_te")
    response = web.post("/to-chuc/moi", data)
    assert response.status_code == 302
    org = by_code(db, "SCOPE")
    assert org.certificate_provinces == ["48", "51"] and org.certificate_fields == ["y_te"]
    profile = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert "Thành phố Đà Nẵng; Quảng Ngãi" in profile and ">Y tế<" in profile
    edit = web.get(f"/to-chuc/{org.id}/sua").get_data(as_text=True)
    assert '<option selected value="51">' in edit and '<option selected value="y_te">' in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("certificate_provinces", ["51", "77"], "Mã tỉnh, thành phố không hợp lệ: 77."),
        ("certificate_fields", ["an_ninh"], "Lĩnh vực không hợp lệ: an_ninh."),
    ],
)
def test_unknown_code_comes_back_next_to_its_field_with_422(login, db, field, value, message):
    web = login("planning.officer")
    response = web.post("/to-chuc/moi", org_data(code="BAD", **{field: value}))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert org_count(db) == 0 and scope_rows(db) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.object_type == "organization")
        )
        == 0
    )


def test_a_stale_form_changing_only_the_scope_is_refused(login, db, make_org):
    org = make_org("LOCK")
    version = org.version
    first, second = login("planning.officer"), login("foreign_affairs.officer")
    saved = first.post(
        f"/to-chuc/{org.id}/sua",
        org_data(code="LOCK", certificate_provinces=["51"], version=version),
    )
    assert saved.status_code == 302
    stale = second.post(
        f"/to-chuc/{org.id}/sua",
        org_data(code="LOCK", certificate_provinces=["1"], version=version),
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Organization, org.id).certificate_provinces == ["51"]


def test_item_page_and_profile_warn_about_what_lies_outside(app, login, db, user):
    with app.app_context():
        home, away = commune_in(db, True), commune_in(db, False)
        org = scoped_org(db, "NGO-SCOPE", provinces=["51"], fields=["y_te"])
        free = new_org(db, "FREE")  # nothing recorded
        item = new_item(db, user, "OUT-1", [org, free], [home.code, away.code], WATER_AND_HEALTH)
        inside = new_item(db, user, "IN-1", [org], [home.code], [("y_te", None)])
    web = login("police.officer")
    page = web.get(f"/vien-tro/{item.id}")
    assert page.status_code == 200
    warning = warning_block(page.get_data(as_text=True))
    assert "Organisation NGO-SCOPE" in warning and "FREE" not in warning
    assert f"{away.name} ({away.province_name})" in warning and home.name not in warning
    assert "Nước sạch và vệ sinh môi trường" in warning and "Y tế" not in warning
    assert 'data-testid="scope-warning"' not in web.get(f"/vien-tro/{inside.id}").get_data(
        as_text=True
    )
    profile = warning_block(web.get(f"/to-chuc/{org.id}").get_data(as_text=True))
    assert "OUT-1" in profile and "IN-1" not in profile
    free_profile = web.get(f"/to-chuc/{free.id}").get_data(as_text=True)
    assert 'data-testid="scope-warning"' not in free_profile


def warning_block(page: str) -> str:
    start = page.index('data-testid="scope-warning"')
    return page[start : page.index("</ul>", start)]
