"""Aid mobilisation services: contacts, proposals, outcome and the linked aid item; who may
write; every rule reported at once; optimistic locking; audit entries; archiving."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid.states import AidStatus
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry
from app.mobilisation import queries, services
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.mobilisation.states import MobilisationAudit


def contact_data(donor="UNICEF-X", **overrides) -> dict:
    data = {
        "occurred_on": date(2025, 2, 10),
        "kind": "gap_go",
        "donor_code": donor,
        "participants": "Ông Nguyễn Văn A, Giám đốc Sở Ngoại vụ",
        "topic": "Trao đổi về nước sạch ở Đắk Tô",
        "notes": None,
    }
    return data | overrides


def proposal_data(donor="UNICEF-X", **overrides) -> dict:
    data = {
        "code": "DX-001",
        "title": "Đề xuất cấp nước sạch xã Đăk Tô",
        "donor_code": donor,
        "contact_id": "",
        "sent_on": date(2025, 3, 1),
        "sector": "nuoc_ve_sinh",
        "communes": [],
        "requested_value": Decimal("40000"),
        "currency": "USD",
        "rate_vnd": Decimal("25000"),
        "notes": None,
    }
    return data | overrides


@pytest.fixture
def fa(user):
    return user("foreign_affairs.officer")


@pytest.fixture
def donor(make_org):
    return make_org("UNICEF-X", "US", "Unicef X")


def entries(db, action):
    query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return db.session.scalars(query).all()


def test_a_foreign_affairs_officer_records_a_contact_audited(app_ctx, db, fa, donor):
    contact = services.create_contact(contact_data(donor="unicef-x "), user=fa)
    assert contact.organization_id == donor.id and contact.agency_id == fa.agency_id
    assert contact.kind == "gap_go" and contact.version == 1
    assert "dak to" in contact.search_text  # folded for the search
    (entry,) = entries(db, MobilisationAudit.CONTACT_CREATE)
    assert entry.object_id == str(contact.id) and entry.changes["topic"][1].startswith("Trao")


@pytest.mark.parametrize(
    "username", ["planning.officer", "foreign_affairs.viewer", "leadership.officer"]
)
def test_only_foreign_affairs_officers_and_admins_write(app_ctx, db, user, donor, username):
    with pytest.raises(PermissionDenied):
        services.create_contact(contact_data(), user=user(username))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MobilisationContact)) == 0
    assert services.create_contact(contact_data(), user=user("admin")).id
    assert services.create_contact(contact_data(), user=user("dual.officer")).id


def test_every_broken_contact_rule_at_once(app_ctx, db, fa, donor):
    future = today_vn() + timedelta(days=2)
    with pytest.raises(FieldError) as caught:
        services.create_contact(
            contact_data(donor="NOPE", kind="x", occurred_on=future, topic=" "), user=fa
        )
    assert set(caught.value.errors) == {"donor_code", "kind", "occurred_on", "topic"}
    assert "NOPE" in caught.value.errors["donor_code"]


def test_an_archived_donor_is_refused_for_a_new_contact(app_ctx, db, fa, make_org):
    from app.core.models import utcnow

    make_org("OLD", "FR", archived_at=utcnow(), archive_reason="x")
    with pytest.raises(FieldError) as caught:
        services.create_contact(contact_data(donor="OLD"), user=fa)
    assert "lưu trữ" in caught.value.errors["donor_code"]


def test_contact_edit_checks_the_version_and_audits_the_diff(app_ctx, db, fa, donor):
    contact = services.create_contact(contact_data(), user=fa)
    db.session.commit()
    with pytest.raises(StaleObjectError):
        services.update_contact(contact, contact_data(topic="Khác"), user=fa, version=0)
    services.update_contact(contact, contact_data(kind="thu", topic="Thư mời"), user=fa, version=1)
    db.session.commit()
    assert contact.version == 2 and contact.kind == "thu"
    (entry,) = entries(db, MobilisationAudit.CONTACT_UPDATE)
    assert entry.changes["kind"] == ["gap_go", "thu"]


def test_archive_needs_a_reason_and_then_refuses_edits(app_ctx, db, fa, donor):
    contact = services.create_contact(contact_data(), user=fa)
    with pytest.raises(FieldError):
        services.archive_contact(contact, " ", user=fa)
    services.archive_contact(contact, "Nhập trùng", user=fa, version=contact.version)
    assert contact.is_archived and contact.archive_reason == "Nhập trùng"
    with pytest.raises(DomainError):
        services.update_contact(contact, contact_data(), user=fa, version=contact.version)
    assert entries(db, MobilisationAudit.CONTACT_ARCHIVE)


def test_a_proposal_keeps_currency_rate_and_whole_dong(app_ctx, db, fa, donor):
    contact = services.create_contact(contact_data(), user=fa)
    proposal = services.create_proposal(
        proposal_data(contact_id=str(contact.id), communes=["23200", "23200"], code="dx-1"),
        user=fa,
    )
    assert proposal.code == "DX-1" and proposal.outcome == "cho_phan_hoi"
    assert proposal.requested_vnd == 1_000_000_000 and proposal.rate_vnd == Decimal("25000")
    assert proposal.commune_codes == ["23200"] and proposal.contact_id == contact.id
    (entry,) = entries(db, MobilisationAudit.PROPOSAL_CREATE)
    assert entry.changes["communes"] == [None, ["23200"]]


def test_every_broken_proposal_rule_at_once(app_ctx, db, fa, donor, make_org):
    other = make_org("JICA-X", "JP")
    elsewhere = services.create_contact(contact_data(donor=other.code), user=fa)
    services.create_proposal(proposal_data(), user=fa)
    with pytest.raises(FieldError) as caught:
        services.create_proposal(
            proposal_data(
                contact_id=str(elsewhere.id),
                sector="",
                communes=["99999"],
                rate_vnd=None,
                sent_on=None,
            ),
            user=fa,
        )
    errors = caught.value.errors
    assert set(errors) == {"code", "contact_id", "sector", "communes", "rate_vnd", "sent_on"}
    assert "JICA-X" in errors["contact_id"] and "99999" in errors["communes"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MobilisationProposal)) == 1


def test_the_outcome_pledged_links_the_resulting_item(app_ctx, db, fa, donor, make_item):
    item = make_item("VT-MOB", status=AidStatus.DA_PHE_DUYET, donor=donor)
    proposal = services.create_proposal(proposal_data(), user=fa)
    data = {
        "outcome": "cam_ket",
        "outcome_on": date(2025, 3, 10),
        "pledged_value": Decimal("30000"),
        "aid_item_code": "vt-mob",
    }
    services.record_outcome(proposal, data, user=fa, version=proposal.version)
    assert proposal.aid_item_id == item.id and proposal.pledged_vnd == 750_000_000
    assert queries.link_warning(proposal) is None
    (entry,) = entries(db, MobilisationAudit.PROPOSAL_OUTCOME)
    assert entry.changes["outcome"] == ["cho_phan_hoi", "cam_ket"] and "VT-MOB" in entry.summary


def test_an_item_of_another_donor_is_linked_with_a_warning(app_ctx, db, fa, donor, make_item):
    make_item("VT-OTHER", status=AidStatus.DA_PHE_DUYET)  # its own donor
    proposal = services.create_proposal(proposal_data(), user=fa)
    data = {"outcome": "cam_ket", "outcome_on": date(2025, 3, 10),
            "pledged_value": Decimal("1"), "aid_item_code": "VT-OTHER"}  # fmt: skip
    services.record_outcome(proposal, data, user=fa, version=proposal.version)
    assert "VT-OTHER" in queries.link_warning(proposal)
    assert "UNICEF-X" in queries.link_warning(proposal)


def test_outcome_rules(app_ctx, db, fa, donor):
    proposal = services.create_proposal(proposal_data(), user=fa)
    before = proposal.version
    with pytest.raises(FieldError) as caught:
        services.record_outcome(
            proposal,
            {"outcome": "cam_ket", "outcome_on": date(2025, 2, 1), "pledged_value": None,
             "aid_item_code": "NOPE"},
            user=fa, version=before,
        )  # fmt: skip
    assert set(caught.value.errors) == {"outcome_on", "pledged_value", "aid_item_code"}
    with pytest.raises(FieldError) as caught:
        services.record_outcome(
            proposal,
            {"outcome": "khong_tai_tro", "outcome_on": None, "pledged_value": Decimal("5"),
             "aid_item_code": ""},
            user=fa, version=before,
        )  # fmt: skip
    assert set(caught.value.errors) == {"outcome_on", "pledged_value"}
    with pytest.raises(StaleObjectError):
        services.record_outcome(proposal, {"outcome": "cho_phan_hoi"}, user=fa, version=0)
    assert proposal.outcome == "cho_phan_hoi" and proposal.version == before


def test_a_commune_only_change_bumps_the_version(app_ctx, db, fa, donor):
    proposal = services.create_proposal(proposal_data(), user=fa)
    db.session.commit()
    services.update_proposal(proposal, proposal_data(communes=["23200"]), user=fa, version=1)
    db.session.commit()
    assert proposal.version == 2 and proposal.commune_codes == ["23200"]
    with pytest.raises(StaleObjectError):
        services.update_proposal(proposal, proposal_data(), user=fa, version=1)


def test_search_ignores_diacritics_and_reads_the_donor(app, db, fa, donor, make_org):
    make_org("JICA-X", "JP", "Japan International")
    with app.test_request_context("/van-dong-vien-tro/"):
        services.create_contact(contact_data(), user=fa)
        services.create_contact(contact_data(donor="JICA-X", topic="Học bổng"), user=fa)
        _search(db)


def _search(db):
    found = lambda q: [  # noqa: E731
        c.topic for c in db.session.scalars(queries.contacts_query(queries.ContactFilters(q=q)))
    ]
    assert found("dak to nuoc") == ["Trao đổi về nước sạch ở Đắk Tô"]
    assert found("japan hoc bong") == ["Học bổng"]
    by_country = queries.contacts_query(queries.ContactFilters(country="JP", year=2025))
    assert [c.topic for c in db.session.scalars(by_country)] == ["Học bổng"]


def test_every_audit_action_and_record_has_a_vietnamese_label(app):
    from app.core.audit_labels import action_label, object_label

    with app.app_context():
        for name, code in vars(MobilisationAudit).items():
            if name.isupper():
                assert action_label(code) and "mobilisation" not in action_label(code), code
        assert object_label("mobilisation_contact") == "Tiếp xúc vận động viện trợ"
        assert object_label("mobilisation_proposal") == "Đề xuất vận động viện trợ"


def test_migration_downgrades_and_upgrades_with_rows(tmp_root):
    """d7f9b1c3e5a8 creates the three tables with their indexes; downgrading to the
    revision before drops them (rows included) and upgrading again recreates them."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_mobmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    now = "2025-01-01"
    tables = ("mobilisation_contact", "mobilisation_proposal", "mobilisation_proposal_commune")
    with app.app_context():
        upgrade(revision="d7f9b1c3e5a8")
        inspector = sa.inspect(_db.engine)
        assert set(tables) <= set(inspector.get_table_names())
        indexed = {i["column_names"][0] for i in inspector.get_indexes("mobilisation_proposal")}
        assert {"sent_on", "outcome", "sector", "organization_id", "aid_item_id"} <= indexed
        _db.session.execute(
            sa.text("INSERT INTO organization (code, name, search_text, kind, country, "
                    "created_at, updated_at, version) VALUES ('O', 'O', 'o', 'ngo', 'US', "
                    ":now, :now, 1)"),
            {"now": now},
        )  # fmt: skip
        _db.session.execute(
            sa.text("INSERT INTO mobilisation_contact (occurred_on, kind, organization_id, "
                    "participants, topic, search_text, created_at, updated_at, version) "
                    "SELECT :day, 'thu', id, 'A', 'B', '', :now, :now, 1 FROM organization"),
            {"day": date(2025, 1, 2), "now": now},
        )  # fmt: skip
        _db.session.execute(
            sa.text("INSERT INTO mobilisation_proposal (code, title, organization_id, "
                    "contact_id, sent_on, sector, requested_value, currency, requested_vnd, "
                    "outcome, search_text, created_at, updated_at, version) SELECT 'DX', 'T', "
                    "organization_id, id, :day, 'y_te', 5, 'VND', 5, 'cho_phan_hoi', '', :now, "
                    ":now, 1 FROM mobilisation_contact"),
            {"day": date(2025, 1, 3), "now": now},
        )  # fmt: skip
        _db.session.commit()
        downgrade(revision="c6e8a0b2d4f7")
        assert not set(tables) & set(sa.inspect(_db.engine).get_table_names())
        count = "SELECT count(*) FROM organization"
        assert _db.session.execute(sa.text(count)).scalar() == 1
        _db.session.commit()
        upgrade(revision="d7f9b1c3e5a8")
        assert set(tables) <= set(sa.inspect(_db.engine).get_table_names())
        _db.session.commit()
        _db.engine.dispose()


def test_contact_and_pledge_edge_cases(app_ctx, db, fa, donor):
    """An unknown or archived contact is refused for a new proposal (a proposal keeps the
    contact it names); a pledge whose value in đồng would overflow is refused."""
    contact = services.create_contact(contact_data(), user=fa)
    for bad in ("abc", "99999999999", "0"):
        with pytest.raises(FieldError) as caught:
            services.create_proposal(proposal_data(contact_id=bad), user=fa)
        assert caught.value.errors == {"contact_id": "Không có tiếp xúc này."}
    proposal = services.create_proposal(proposal_data(contact_id=str(contact.id)), user=fa)
    services.archive_contact(contact, "Trùng", user=fa)
    with pytest.raises(FieldError) as caught:
        services.create_proposal(proposal_data(code="DX-2", contact_id=str(contact.id)), user=fa)
    assert "lưu trữ" in caught.value.errors["contact_id"]
    with pytest.raises(FieldError) as caught:
        services.create_proposal(proposal_data(code="DX-3", requested_value=Decimal(0)), user=fa)
    assert caught.value.errors == {"requested_value": "Giá trị đề xuất phải lớn hơn 0."}
    data = proposal_data(contact_id=str(contact.id), title="Tên mới")
    services.update_proposal(proposal, data, user=fa, version=proposal.version)
    assert proposal.title == "Tên mới" and proposal.contact_id == contact.id
    huge = {"outcome": "cam_ket", "outcome_on": date(2025, 3, 5),
            "pledged_value": Decimal("999999999999999"), "aid_item_code": ""}  # fmt: skip
    with pytest.raises(FieldError) as caught:
        services.record_outcome(proposal, huge, user=fa, version=proposal.version)
    assert "quá lớn" in caught.value.errors["pledged_value"]


def test_merging_agencies_moves_the_recording_agency(app_ctx, db, fa, user, donor):
    from app.auth.services import merge_agencies

    contact = services.create_contact(contact_data(), user=fa)
    proposal = services.create_proposal(proposal_data(), user=fa)
    source, target = fa.agency, user("dual.officer").agency
    moved = merge_agencies(source, target, user=user("admin"))
    assert moved["mobilisation_contact.agency_id"] == 1
    assert moved["mobilisation_proposal.agency_id"] == 1
    assert contact.agency_id == target.id and proposal.agency_id == target.id
    assert contact.version == 2  # an open form on the moved row is stale
