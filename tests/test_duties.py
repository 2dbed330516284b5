"""Permissions follow the duties the user's agency holds and the user's role (issue 11):
every rule tested per duty for officers and viewers, a two-duty agency, the services that
read duties (the opinion form's defaults, the delegation inbox) and the migration that
turned each former kind into its duty."""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.auth.models import Agency, AgencyKind, Duty, Role, User
from app.core.permissions import RULES
from tests.fixtures.orgs import new_org

D = Duty
ALL = frozenset(Duty)

# For an officer: the duties that grant each rule (applied without an object).
OFFICER_RULES = {
    "administer": set(),
    "read_audit_log": set(),
    "read_registry": ALL,
    "read_delegations": ALL,
    "create_delegation": ALL,
    "edit_delegation": ALL,  # without a delegation: the form may be opened
    "answer_opinion": ALL,  # without an opinion: its own agency's are checked later
    "manage_aid": {D.AID_FOCAL},
    "manage_organizations": {D.AID_FOCAL, D.FOREIGN_AFFAIRS},
    "transfer_data": {D.AID_FOCAL, D.FOREIGN_AFFAIRS},
    "review_foreign_affairs": {D.FOREIGN_AFFAIRS},
    "review_police": {D.POLICE},
    "see_personal_data": {D.FOREIGN_AFFAIRS, D.POLICE},
}
# A viewer reads, whatever its agency's duties.
READING = {"read_registry", "read_delegations"}
VIEWER_RULES = {name: (ALL if name in READING else set()) for name in OFFICER_RULES}


def person(role: Role, *duties: Duty, agency_id: int = 1) -> User:
    """A user (not saved) of an agency holding `duties`."""
    agency = Agency(id=agency_id, name="Cơ quan thử", kind=AgencyKind.OTHER, active=True)
    agency.set_duties(duties)
    return User(username="u", role=role, agency=agency, agency_id=agency_id, active=True)


def foreign_delegation(**fields):
    """A submitted delegation lodged by agency 99 (not the user's)."""
    values = dict(author_agency_id=99, is_draft=False, is_border_area=False, before_approval=True)
    return SimpleNamespace(**(values | fields))


@pytest.mark.parametrize("duty", list(Duty))
@pytest.mark.parametrize("rule_name", sorted(OFFICER_RULES))
@pytest.mark.parametrize("role,table", [(Role.OFFICER, OFFICER_RULES), (Role.VIEWER, VIEWER_RULES)])
def test_rule_per_duty(rule_name, duty, role, table):
    user = person(role, duty)
    assert RULES[rule_name].allows(user) is (duty in table[rule_name]), (rule_name, duty, role)


@pytest.mark.parametrize("rule_name", sorted(OFFICER_RULES))
def test_agency_without_duty_grants_only_what_every_officer_has(rule_name):
    expected = OFFICER_RULES[rule_name] == ALL
    assert RULES[rule_name].allows(person(Role.OFFICER)) is expected


@pytest.mark.parametrize("rule_name", sorted(OFFICER_RULES))
def test_two_duty_agency_holds_the_union(rule_name):
    """aid_focal + foreign_affairs: may do what either duty allows, nothing more."""
    both = person(Role.OFFICER, D.AID_FOCAL, D.FOREIGN_AFFAIRS)
    expected = bool(OFFICER_RULES[rule_name] & {D.AID_FOCAL, D.FOREIGN_AFFAIRS})
    assert RULES[rule_name].allows(both) is expected


def test_admin_administers_whatever_its_agency_holds():
    admin = person(Role.ADMIN)
    assert RULES["administer"].allows(admin) and RULES["see_personal_data"].allows(admin)
    assert not RULES["manage_aid"].allows(admin)


@pytest.mark.parametrize("duty", list(Duty))
def test_edit_someone_elses_delegation_needs_foreign_affairs(duty):
    delegation = foreign_delegation()
    allowed = RULES["edit_delegation"].allows(person(Role.OFFICER, duty), delegation)
    assert allowed is (duty == D.FOREIGN_AFFAIRS)
    own = foreign_delegation(author_agency_id=1)
    assert RULES["edit_delegation"].allows(person(Role.OFFICER, duty), own)


@pytest.mark.parametrize("duty", list(Duty))
def test_border_guard_sees_members_of_border_delegations_only(duty):
    rule = RULES["see_personal_data"]
    border = foreign_delegation(is_border_area=True, before_approval=False)
    inland = foreign_delegation(is_border_area=False, before_approval=False)
    officer = person(Role.OFFICER, duty)
    reviewer = duty in (D.FOREIGN_AFFAIRS, D.POLICE)
    assert rule.allows(officer, border) is (reviewer or duty == D.BORDER_GUARD)
    assert rule.allows(officer, inland) is reviewer
    assert not rule.allows(person(Role.VIEWER, duty), border)


def test_duties_parse_names_the_unknown_ones():
    assert Duty.parse(["police", " host "]) == {D.POLICE, D.HOST}
    with pytest.raises(ValueError, match="army") as error:
        Duty.parse(["police", "army"])
    assert "aid_focal" in str(error.value)  # the valid keys are listed


def test_every_duty_has_a_vietnamese_label_and_description():
    for duty in Duty:
        assert duty.label and duty.description.endswith(".")
    assert D.AID_FOCAL.label == "Đầu mối quản lý viện trợ"


def test_set_duties_keeps_held_rows():
    agency = Agency(name="X", kind=AgencyKind.OTHER)
    agency.set_duties([D.POLICE, D.HOST])
    police_row = next(r for r in agency.duty_rows if r.duty == D.POLICE)
    agency.set_duties(["police", "border_guard"])
    assert agency.duties == {D.POLICE, D.BORDER_GUARD}
    assert police_row in agency.duty_rows
    assert agency.has(D.BORDER_GUARD) and not agency.has(D.HOST)
    assert agency.duties_text == "border_guard, police"


# --- With the database --------------------------------------------------------------------


@pytest.fixture
def dual(app, db):
    """An officer of an agency holding aid_focal + foreign_affairs (committed)."""
    from app.auth import services

    with app.app_context():
        agency = services.create_agency(
            {
                "name": "Sở thử hai nhiệm vụ",
                "short_name": "HAI",
                "kind": AgencyKind.OTHER,
                "active": True,
                "duties": ["aid_focal", "foreign_affairs"],
            }
        )
        services.create_user(
            {
                "username": "dual.test",
                "full_name": "Cán bộ hai nhiệm vụ",
                "email": None,
                "agency_id": agency.id,
                "role": Role.OFFICER,
                "active": True,
            },
            "demo12345",
        )
        db.session.commit()
    return db.session.scalar(sa.select(User).where(User.username == "dual.test"))


def test_two_duty_agency_manages_aid_and_approves_a_delegation(app, db, dual, make_delegation):
    from app.aid import services as aid
    from app.core.dates import today_vn
    from app.delegations import services as delegations
    from app.delegations.states import DelegationStatus
    from tests.fixtures.aid import item_input

    with app.app_context():
        donor = new_org(db, "D-HAI")
        item = aid.create_item(item_input([donor.id], "VT-HAI"), user=dual)
        assert item.id
    delegation = make_delegation("DV-HAI", stage="reviewed")
    with app.app_context():
        delegation = db.session.merge(delegation)
        delegations.approve_delegation(delegation, "5/UBND-NgV", today_vn(), "Chủ tịch", user=dual)
        db.session.flush()
        assert delegation.status == DelegationStatus.DA_DUYET


def test_two_duty_agency_logs_in_and_sees_both_inboxes(login, dual, make_delegation):
    make_delegation("DV-HOP", stage="submitted")
    web = login("dual.test")
    assert web.get("/vien-tro/moi").status_code == 200
    inbox = web.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert "DV-HOP" in inbox


def test_opinion_form_ticks_the_consulted_duties_and_not_the_askers_agency(
    login, make_item, user, dual
):
    item = make_item("VT-YK")
    page = login("planning.officer").get(f"/vien-tro/{item.id}/buoc/request_opinions")
    text = page.get_data(as_text=True)
    planner_agency = user("planning.officer").agency.name
    finance = user("finance.officer").agency
    assert planner_agency not in text  # the agency that asks is not offered
    checked = r'<input checked[^>]*name="agency_ids"[^>]*value="(\d+)"'
    ticked = {int(v) for v in re.findall(checked, text)}
    assert finance.id in ticked and user("police.officer").agency_id in ticked
    # The two-duty agency (aid focal too) is offered, not ticked by default.
    assert "Sở thử hai nhiệm vụ" in text and dual.agency_id not in ticked


def test_agency_list_filters_by_duty(login):
    web = login("admin")
    listing = web.get("/quan-tri/co-quan?duty=police").get_data(as_text=True)
    assert "Công an tỉnh Quảng Ngãi" in listing and "Sở Ngoại vụ" not in listing


# --- The migration ------------------------------------------------------------------------


def test_migration_turns_each_kind_into_its_duty(tmp_root):
    """On a database at the previous revision, one agency of each kind gets its duty."""
    from flask_migrate import downgrade, upgrade  # noqa: F401

    from app import create_app
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_mig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    from app.extensions import db as _db

    with app.app_context():
        upgrade(revision="08f6ce1c0542")
        for i, kind in enumerate(AgencyKind):
            _db.session.execute(
                sa.text(
                    "INSERT INTO agency (name, kind, active, created_at, updated_at, version) "
                    "VALUES (:name, :kind, :active, :now, :now, 1)"
                ),
                {"name": f"A{i}", "kind": kind.value, "active": True, "now": "2025-01-01"},
            )
        _db.session.commit()
        upgrade()
        rows = _db.session.execute(
            sa.text("SELECT a.kind, d.duty FROM agency a JOIN agency_duty d ON d.agency_id = a.id")
        ).all()
        _db.session.remove()
        _db.engine.dispose()
    assert sorted(rows) == sorted(
        [
            ("planning", "aid_focal"),
            ("foreign_affairs", "foreign_affairs"),
            ("police", "police"),
            ("finance", "finance"),
            ("leadership", "leadership"),
            ("other", "host"),
        ]
    )


def test_admin_sets_duties_on_the_agency_form_audited(login, db):
    from app.core.models import AuditEntry

    web = login("admin")
    form = web.get("/quan-tri/co-quan/moi").get_data(as_text=True)
    assert "Bộ đội Biên phòng" in form and D.BORDER_GUARD.description in form
    created = web.post(
        "/quan-tri/co-quan/moi",
        {"name": "Bộ Chỉ huy BĐBP thử", "kind": "other", "duties": ["border_guard", "host"]},
    )
    assert created.status_code == 302
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == "Bộ Chỉ huy BĐBP thử"))
    assert agency.duties == {D.BORDER_GUARD, D.HOST}
    edit = web.get(f"/quan-tri/co-quan/{agency.id}").get_data(as_text=True)
    assert re.search(r'value="border_guard"[^>]*checked', edit)
    assert not re.search(r'value="police"[^>]*checked', edit)
    saved = web.post(
        f"/quan-tri/co-quan/{agency.id}",
        {
            "name": agency.name,
            "kind": "other",
            "duties": ["border_guard"],
            "active": "y",
            "version": agency.version,
        },
    )
    assert saved.status_code == 302
    db.session.refresh(agency)
    assert agency.duties == {D.BORDER_GUARD}
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "agency", AuditEntry.object_id == str(agency.id))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes["duties_text"] == ["border_guard, host", "border_guard"]


def test_unknown_duty_on_the_form_is_a_clear_422(login, db):
    response = login("admin").post(
        "/quan-tri/co-quan/moi", {"name": "Cơ quan X", "kind": "other", "duties": ["army"]}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Nhiệm vụ không tồn tại: army" in text
    assert db.session.scalar(sa.select(Agency).where(Agency.name == "Cơ quan X")) is None


def test_duties_come_with_the_user_in_its_one_query(login, db):
    """Rules read the duties on every request: no query of their own."""
    from tests.test_stats_web import selects

    web = login("police.officer")
    statements = selects(db, lambda: web.get("/doan/"))
    reading_duties = [s for s in statements if "agency_duty" in s]
    assert len(reading_duties) == 1  # the user loader's query (quoted "user" on PostgreSQL)
    assert reading_duties[0].replace('"', "").startswith("SELECT user.")


def test_leadership_sees_what_waits_for_a_decision(login, make_item, make_delegation):
    """The leadership duty reads what waits for a decision: appraised aid items and
    delegations ready for approval, on its home page and in the delegation inbox (read
    only: it cannot approve)."""
    from app.aid.states import AidStatus

    appraised = make_item("VT-CHO", status=AidStatus.THAM_DINH)
    make_item("VT-XIN", status=AidStatus.XIN_Y_KIEN)
    ready = make_delegation("DV-CHO", stage="reviewed")
    web = login("leadership.viewer")
    home = web.get("/").get_data(as_text=True)
    assert re.search(r"Khoản viện trợ chờ quyết định phê duyệt</a>: <strong>1<", home)
    assert re.search(r"Hồ sơ đoàn đủ điều kiện phê duyệt</a>: <strong>1<", home)
    listing = web.get("/vien-tro/?status=tham_dinh").get_data(as_text=True)
    assert f">{appraised.code}<" in listing and ">VT-XIN<" not in listing
    inbox = web.get("/doan/viec-can-xu-ly")
    assert inbox.status_code == 200 and ready.code in inbox.get_data(as_text=True)
    assert web.get(f"/doan/{ready.id}/buoc/approve").status_code == 403
    other = login("other.officer").get("/").get_data(as_text=True)
    assert "chờ quyết định phê duyệt" not in other
