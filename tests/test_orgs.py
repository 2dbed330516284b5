"""Donor organisations: services, list with filters and export, profile, forms, permissions."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook

from app.aid.models import AidDonor, AidItem, Disbursement
from app.core.dates import format_date, today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry, utcnow
from app.core.money import format_vnd
from app.orgs import services
from app.orgs.models import Organization

TODAY = today_vn()


def org_data(**changes) -> dict:
    """A valid form post / service input for a new organisation."""
    data = {
        "code": "ORG-1",
        "name": "Fund for Đắk Tô Children",
        "name_vi": "Quỹ Hỗ trợ Trẻ em Đắk Tô",
        "kind": "ngo",
        "country": "DE",
        "certificate_type": "hoat_dong",
        "certificate_number": "123/GĐK-BNG",
        "certificate_issued_on": "15/03/2024",
        "certificate_expires_on": "14/03/2027",
        "certificate_status": "active",
        "registered_fields": "Giáo dục; Y tế",
        "registered_areas": "Quảng Ngãi",
        "representative": "Anna Müller",
        "address": "Berlin",
        "email": "contact@example.org",
        "phone": "+49 30 1234",
        "website": "example.org",
        "notes": "",
    }
    data.update(changes)
    return data


def org_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Organization.id)))


def org_audit(db, action=None):
    query = sa.select(AuditEntry).where(AuditEntry.object_type == "organization")
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def by_code(db, code) -> Organization | None:
    return db.session.scalar(sa.select(Organization).where(Organization.code == code))


def service_data(**changes) -> dict:
    data = org_data(**changes)
    for field in ("certificate_issued_on", "certificate_expires_on"):
        if isinstance(data[field], str):
            data[field] = date(*reversed([int(p) for p in data[field].split("/")]))
    return data


# --- Services ----------------------------------------------------------------------------


@pytest.fixture
def manager(user):
    """An officer who may manage organisations (the planning agency's)."""
    return user("planning.officer")


def test_create_organization_normalises_code_and_audits_all_fields(app_ctx, db, manager):
    org = services.create_organization(service_data(code="  org-7/a ", notes="  "), user=manager)
    db.session.commit()
    assert org.code == "ORG-7/A"
    assert org.notes is None
    assert org.search_text == "org-7/a fund for dak to children quy ho tro tre em dak to"
    [entry] = org_audit(db, "organization.create")
    assert entry.object_id == str(org.id)
    assert entry.changes["code"] == [None, "ORG-7/A"]
    assert entry.changes["kind"] == [None, "ngo"]
    assert entry.changes["certificate_expires_on"] == [None, "2027-03-14"]
    assert "notes" not in entry.changes  # None -> None is no change


def test_create_refuses_duplicate_code_ignoring_case(app_ctx, db, manager):
    services.create_organization(service_data(code="DUP"), user=manager)
    with pytest.raises(FieldError) as error:
        services.create_organization(service_data(code=" dup "), user=manager)
    assert error.value.field == "code"
    assert "đã được dùng" in error.value.message


def test_service_checks_rules_for_every_caller(app_ctx, db, manager):
    cases = [
        ({"certificate_expires_on": date(2024, 1, 1)}, "certificate_expires_on"),
        ({"kind": "unknown"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"code": "có dấu"}, "code"),
        ({"name": "  "}, "name"),
        ({"certificate_status": "bogus"}, "certificate_status"),
    ]
    for changes, field in cases:
        with pytest.raises(FieldError) as error:
            services.create_organization(service_data(**changes), user=manager)
        assert error.value.field == field, changes
    assert org_count(db) == 0


def test_update_audits_the_diff_and_checks_version(app_ctx, db, manager):
    org = services.create_organization(service_data(), user=manager)
    db.session.commit()
    version = org.version
    services.update_organization(
        org, service_data(name="New name", phone=""), user=manager, version=version
    )
    db.session.commit()
    [entry] = org_audit(db, "organization.update")
    assert entry.changes == {
        "name": ["Fund for Đắk Tô Children", "New name"],
        "phone": ["+49 30 1234", None],
    }
    assert org.version == version + 1
    with pytest.raises(StaleObjectError):
        services.update_organization(org, service_data(name="Stale"), user=manager, version=version)
    with pytest.raises(StaleObjectError):
        services.update_organization(org, service_data(name="Stale"), user=manager, version=None)


def test_update_refuses_a_code_used_by_another(app_ctx, db, manager):
    services.create_organization(service_data(code="TAKEN"), user=manager)
    org = services.create_organization(service_data(code="MINE"), user=manager)
    db.session.commit()
    with pytest.raises(FieldError) as error:
        services.update_organization(
            org, service_data(code="taken"), user=manager, version=org.version
        )
    assert error.value.field == "code"
    # Its own code is fine.
    services.update_organization(
        org, service_data(code="mine", name="X"), user=manager, version=org.version
    )


def test_archive_and_restore(app_ctx, db, manager):
    org = services.create_organization(service_data(), user=manager)
    db.session.commit()
    with pytest.raises(FieldError):
        services.archive_organization(org, "   ", user=manager)
    services.archive_organization(org, "Đã chấm dứt hoạt động tại Việt Nam", user=manager)
    db.session.commit()
    assert org.is_archived and org.archive_reason == "Đã chấm dứt hoạt động tại Việt Nam"
    with pytest.raises(DomainError):
        services.archive_organization(org, "again", user=manager)
    with pytest.raises(DomainError):
        services.update_organization(org, service_data(name="X"), user=manager, version=org.version)
    services.restore_organization(org, user=manager)
    db.session.commit()
    assert not org.is_archived and org.archive_reason is None
    with pytest.raises(DomainError):
        services.restore_organization(org, user=manager)
    actions = [e.action for e in org_audit(db)]
    assert actions == ["organization.create", "organization.archive", "organization.restore"]
    assert org_audit(db, "organization.archive")[0].changes == {
        "archive_reason": [None, "Đã chấm dứt hoạt động tại Việt Nam"]
    }


# --- Create and edit over HTTP -------------------------------------------------------------


def test_pages_require_login(web, db, make_org):
    org = make_org("LOGIN")
    for url in ["/to-chuc/", f"/to-chuc/{org.id}", "/to-chuc/moi", "/to-chuc/xuat.csv"]:
        response = web.get(url)
        assert response.status_code == 302 and "/dang-nhap" in response.location


def test_planning_officer_creates_organisation_audited(login, db, user):
    web = login("planning.officer")
    form = web.get("/to-chuc/moi")
    assert form.status_code == 200
    assert "Mã tổ chức" in form.get_data(as_text=True)
    response = web.post("/to-chuc/moi", org_data(code=" new-org "))
    assert response.status_code == 302
    org = by_code(db, "NEW-ORG")
    assert response.location == f"/to-chuc/{org.id}"
    assert org.kind == "ngo" and org.country == "DE"
    assert org.certificate_issued_on == date(2024, 3, 15)
    assert org.certificate_expires_on == date(2027, 3, 14)
    assert org.certificate_type == "hoat_dong" and org.certificate_status == "active"
    assert org.notes is None  # blank text is stored as NULL
    [entry] = org_audit(db, "organization.create")
    assert entry.user_id == user("planning.officer").id
    assert entry.changes["name"] == [None, "Fund for Đắk Tô Children"]
    assert entry.changes["email"] == [None, "contact@example.org"]
    page = web.get(response.location).get_data(as_text=True)
    assert "Đã tạo tổ chức NEW-ORG." in page
    assert "Đức" in page  # country shown with its Vietnamese name
    assert "15/03/2024" in page and "14/03/2027" in page
    assert "Giấy đăng ký hoạt động" in page


def test_foreign_affairs_officer_may_create_and_admin_too(login, db):
    response = login("foreign_affairs.officer").post("/to-chuc/moi", org_data(code="FA"))
    assert response.status_code == 302
    assert by_code(db, "FA") is not None
    assert login("admin").post("/to-chuc/moi", org_data(code="AD")).status_code == 302
    assert by_code(db, "AD") is not None


def assert_field_error(body: str, field: str, message: str):
    """The message is rendered right after the field's input, which is marked invalid."""
    start = body.index(f'id="{field}"')
    tag_start = body.rindex("<", 0, start)
    assert "is-invalid" in body[tag_start : start + 200], f"{field} not marked invalid"
    following = body[start:]
    feedback = following.index('class="invalid-feedback"')
    assert following.index(message) - feedback < 60, f"{message!r} not next to {field}"
    next_field = following.find('class="mb-3"')
    assert next_field == -1 or following.index(message) < next_field


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"certificate_expires_on": "01/01/2024"},
            "certificate_expires_on",
            "Ngày hết hạn không được trước ngày cấp.",
        ),
        ({"email": "not-an-email"}, "email", "Địa chỉ thư điện tử không hợp lệ."),
        ({"kind": "unknown"}, "kind", "Giá trị không nằm trong danh sách cho phép."),
        ({"kind": ""}, "kind", "Vui lòng chọn loại tổ chức."),
        ({"country": "XX"}, "country", "Giá trị không nằm trong danh sách cho phép."),
        ({"code": "có dấu"}, "code", "Chỉ dùng chữ cái không dấu"),
        ({"name": " "}, "name", "Vui lòng nhập tên tổ chức."),
        ({"certificate_issued_on": "31/02/2024"}, "certificate_issued_on", "Ngày không hợp lệ"),
        (
            {"certificate_issued_on": format_date(TODAY + timedelta(days=1))},
            "certificate_issued_on",
            "Ngày cấp không được sau ngày hôm nay.",
        ),
    ],
)
def test_invalid_input_is_422_next_to_the_field_and_writes_nothing(
    login, db, changes, field, message
):
    web = login("planning.officer")
    before_audit = len(org_audit(db))
    response = web.post("/to-chuc/moi", org_data(**changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_field_error(body, field, message)
    assert "Dữ liệu chưa hợp lệ" in body
    assert org_count(db) == 0
    assert len(org_audit(db)) == before_audit


def test_duplicate_code_is_422_next_to_the_code(login, db, make_org):
    make_org("TAKEN")
    web = login("planning.officer")
    response = web.post("/to-chuc/moi", org_data(code="taken"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert_field_error(body, "code", "Mã tổ chức &#39;TAKEN&#39; đã được dùng")
    assert org_count(db) == 1
    assert org_audit(db) == []


@pytest.mark.parametrize("username", ["planning.viewer", "police.officer", "finance.officer"])
def test_others_get_403_on_every_change_and_nothing_changes(login, db, username, make_org):
    org = make_org("KEEP", name="Keep me")
    version = org.version
    web = login(username)
    assert web.get("/to-chuc/").status_code == 200  # everyone may read
    assert web.get(f"/to-chuc/{org.id}").status_code == 200
    assert web.get("/to-chuc/moi").status_code == 403
    assert web.get(f"/to-chuc/{org.id}/sua").status_code == 403
    responses = [
        web.post("/to-chuc/moi", org_data(code="SNEAK")),
        web.post(f"/to-chuc/{org.id}/sua", org_data(code="KEEP", name="Hacked", version=version)),
        web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "no"}),
        web.post(f"/to-chuc/{org.id}/khoi-phuc"),
    ]
    for response in responses:
        assert response.status_code == 403
        assert "Chỉ cán bộ cơ quan đầu mối viện trợ hoặc ngoại vụ" in response.get_data(
            as_text=True
        )
    db.session.refresh(org)
    assert org.name == "Keep me" and org.version == version and not org.is_archived
    assert org_count(db) == 1 and org_audit(db) == []
    # No buttons for actions they may not take.
    listing = web.get("/to-chuc/").get_data(as_text=True)
    assert "Thêm tổ chức" not in listing
    profile = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert f"/to-chuc/{org.id}/sua" not in profile and "luu-tru" not in profile


def test_managers_see_the_buttons(login, db, make_org):
    org = make_org("BTN")
    web = login("foreign_affairs.officer")
    assert "Thêm tổ chức" in web.get("/to-chuc/").get_data(as_text=True)
    profile = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert f"/to-chuc/{org.id}/sua" in profile and f"/to-chuc/{org.id}/luu-tru" in profile
    assert "lịch sử thay đổi" not in profile  # the audit log is for administrators


def test_edit_form_is_prefilled_and_saves_with_diff(login, db):
    web = login("planning.officer")
    web.post("/to-chuc/moi", org_data(code="EDIT"))
    org = by_code(db, "EDIT")
    page = web.get(f"/to-chuc/{org.id}/sua").get_data(as_text=True)
    assert 'value="EDIT"' in page and 'value="15/03/2024"' in page
    assert '<option selected value="ngo">' in page
    assert '<option selected value="hoat_dong">' in page
    assert f'name="version" type="hidden" value="{org.version}"' in page
    response = web.post(
        f"/to-chuc/{org.id}/sua",
        org_data(code="EDIT", name="Renamed", certificate_type="", version=org.version),
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name == "Renamed" and org.certificate_type is None
    [entry] = org_audit(db, "organization.update")
    assert entry.changes == {
        "name": ["Fund for Đắk Tô Children", "Renamed"],
        "certificate_type": ["hoat_dong", None],
    }


def test_edit_errors_are_422_and_change_nothing(login, db, make_org):
    make_org("OTHER")
    web = login("planning.officer")
    web.post("/to-chuc/moi", org_data(code="MINE"))
    org = by_code(db, "MINE")
    response = web.post(f"/to-chuc/{org.id}/sua", org_data(code="other", version=org.version))
    assert response.status_code == 422
    assert "đã được dùng" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.code == "MINE" and org_audit(db, "organization.update") == []


def test_stale_edit_is_409_and_not_applied(login, db):
    web = login("planning.officer")
    web.post("/to-chuc/moi", org_data(code="RACE"))
    org = by_code(db, "RACE")
    old_version = org.version
    other = login("foreign_affairs.officer")
    first = other.post(
        f"/to-chuc/{org.id}/sua", org_data(code="RACE", name="First", version=old_version)
    )
    assert first.status_code == 302
    stale = web.post(
        f"/to-chuc/{org.id}/sua", org_data(code="RACE", name="Second", version=old_version)
    )
    assert stale.status_code == 409
    assert "người khác thay đổi" in stale.get_data(as_text=True)
    db.session.refresh(org)
    assert org.name == "First"


def test_archive_and_restore_over_http(login, db, make_org):
    org = make_org("ARCH", name="Archived Org")
    web = login("planning.officer")
    missing = web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "  "})
    assert missing.status_code == 422
    assert_field_error(missing.get_data(as_text=True), "reason", "Vui lòng nhập lý do lưu trữ.")
    db.session.refresh(org)
    assert not org.is_archived

    done = web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "Trùng với tổ chức khác"})
    assert done.status_code == 302
    db.session.refresh(org)
    assert org.is_archived and org.archive_reason == "Trùng với tổ chức khác"
    profile = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert "Đã lưu trữ tổ chức ARCH." in profile and "Trùng với tổ chức khác" in profile
    assert "Khôi phục tổ chức" in profile and f"/to-chuc/{org.id}/sua" not in profile
    # Hidden from the list unless asked for.
    assert listed_codes(web) == []
    assert listed_codes(web, "?archived=1") == ["ARCH"]
    assert "Đã lưu trữ" in web.get("/to-chuc/?archived=1").get_data(as_text=True)
    # Archiving twice is a state error; editing an archived organisation too.
    assert web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "again"}).status_code == 409
    edit = web.post(f"/to-chuc/{org.id}/sua", org_data(code="ARCH", version=org.version))
    assert edit.status_code == 409

    assert web.post(f"/to-chuc/{org.id}/khoi-phuc").status_code == 302
    db.session.refresh(org)
    assert not org.is_archived
    assert web.post(f"/to-chuc/{org.id}/khoi-phuc").status_code == 409
    actions = [e.action for e in org_audit(db)]
    assert actions == ["organization.archive", "organization.restore"]


def test_services_refuse_users_who_may_not_manage(app_ctx, db, user, make_org):
    org = make_org("RULE")
    for username in ("police.officer", "planning.viewer"):
        someone = user(username)
        with pytest.raises(PermissionDenied):
            services.create_organization(service_data(code="NEW"), user=someone)
        with pytest.raises(PermissionDenied):  # the rule before the version and the data
            services.update_organization(org, {}, user=someone, version=None)
        with pytest.raises(PermissionDenied):
            services.archive_organization(org, "", user=someone)
    assert by_code(db, "NEW") is None


def test_stale_archive_and_restore_are_409(login, db, make_org):
    org = make_org("STALE")
    web = login("planning.officer")
    profile = web.get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{org.version}"' in profile
    stale = web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "x", "version": org.version - 1})
    assert stale.status_code == 409 and "người khác thay đổi" in stale.get_data(as_text=True)
    db.session.refresh(org)
    assert not org.is_archived
    web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "Trùng", "version": org.version})
    db.session.refresh(org)
    stale = web.post(f"/to-chuc/{org.id}/khoi-phuc", {"version": org.version - 1})
    assert stale.status_code == 409
    assert web.post(f"/to-chuc/{org.id}/khoi-phuc", {"version": org.version}).status_code == 302


def test_archive_and_restore_need_csrf(login, db, make_org):
    org = make_org("CSRF")
    web = login("planning.officer")
    response = web.post(f"/to-chuc/{org.id}/luu-tru", {"reason": "x"}, csrf=False)
    assert response.status_code == 400
    db.session.refresh(org)
    assert not org.is_archived


def test_unknown_organisation_is_404(login, db):
    web = login("planning.officer")
    assert web.get("/to-chuc/999999").status_code == 404
    assert web.post("/to-chuc/999999/luu-tru", {"reason": "x"}).status_code == 404


# --- The list: search, filters, sorting, pagination, warnings ------------------------------


@pytest.fixture
def sample_orgs(db, make_org):
    """A small registry of organisations with certificates relative to today."""
    return {
        "dak": make_org(
            "DAK",
            name="Hội Hữu nghị Đắk Tô",
            name_vi="Hội Hữu nghị Đắk Tô",
            kind="ngo",
            country="DE",
            certificate_status="active",
            certificate_expires_on=TODAY + timedelta(days=30),
        ),
        "expired": make_org(
            "OLD",
            name="Old Foundation",
            kind="ngo",
            country="US",
            certificate_status="expired",
            certificate_expires_on=TODAY - timedelta(days=1),
        ),
        "far": make_org(
            "FAR",
            name="Far Future Company",
            kind="doanh_nghiep",
            country="JP",
            certificate_status="active",
            certificate_expires_on=TODAY + timedelta(days=200),
        ),
        "edge": make_org(
            "EDGE",
            name="Edge Research Institute",
            kind="nghien_cuu",
            country="US",
            certificate_expires_on=TODAY + timedelta(days=60),
        ),
        "none": make_org("NONE", name="No Certificate Person", kind="ca_nhan", country="FR"),
        "gone": make_org(
            "GONE",
            name="Gone Org",
            country="DE",
            archived_at=utcnow(),
            archive_reason="Dừng hoạt động",
        ),
    }


def listed_codes(web, query="") -> list[str]:
    """The codes in the list's rows, in order."""
    body = web.get(f"/to-chuc/{query}").get_data(as_text=True)
    rows = body.split('data-testid="org-row"')[1:]
    return [re.search(r'<a href="/to-chuc/\d+">([^<]+)</a>', row).group(1) for row in rows]


def test_list_shows_active_organisations_with_links(login, db, sample_orgs):
    web = login("leadership.viewer")
    assert listed_codes(web) == ["EDGE", "FAR", "DAK", "NONE", "OLD"]  # sorted by name
    body = web.get("/to-chuc/").get_data(as_text=True)
    for org in sample_orgs.values():
        if org.code != "GONE":
            assert f'href="/to-chuc/{org.id}"' in body
    assert "Hoa Kỳ" in body and "Nhật Bản" in body


def test_search_ignores_case_and_diacritics(login, db, sample_orgs):
    web = login("planning.viewer")
    assert listed_codes(web, "?q=dak") == ["DAK"]
    assert listed_codes(web, "?q=HỮU NGHỊ đắk") == ["DAK"]
    assert listed_codes(web, "?q=dak+huu") == ["DAK"]  # words in any order
    assert listed_codes(web, "?q=old") == ["OLD"]
    assert listed_codes(web, "?q=far-") == []
    assert listed_codes(web, "?q=100%25") == []  # LIKE wildcards are escaped
    assert listed_codes(web, "?q=gone") == []
    assert listed_codes(web, "?q=gone&archived=1") == ["GONE"]


def test_each_filter(login, db, sample_orgs):
    web = login("planning.viewer")
    assert listed_codes(web, "?kind=ngo") == ["DAK", "OLD"]
    assert listed_codes(web, "?kind=ca_nhan") == ["NONE"]
    assert listed_codes(web, "?country=us") == ["EDGE", "OLD"]
    assert listed_codes(web, "?status=expired") == ["OLD"]
    assert listed_codes(web, "?status=active") == ["FAR", "DAK"]
    assert listed_codes(web, "?cert=warning") == ["EDGE", "DAK", "OLD"]
    assert listed_codes(web, "?kind=ngo&cert=warning&country=DE") == ["DAK"]
    assert listed_codes(web, "?archived=1&country=DE") == ["GONE", "DAK"]
    # Unknown filter values are ignored rather than failing.
    assert len(listed_codes(web, "?kind=bogus&status=bogus&cert=bogus")) == 5


def test_certificate_warning_badges(login, db, sample_orgs):
    web = login("planning.viewer")
    body = web.get("/to-chuc/").get_data(as_text=True)
    rows = {
        code: row
        for row in body.split('data-testid="org-row"')[1:]
        for code in ["DAK", "OLD", "FAR", "EDGE", "NONE"]
        if f">{code}</a>" in row
    }
    assert "Sắp hết hạn" in rows["DAK"] and "sau 30 ngày" in rows["DAK"]
    assert "Sắp hết hạn" in rows["EDGE"]  # exactly 60 days
    assert "Đã hết hạn" in rows["OLD"]
    assert 'data-testid="cert-warning"' not in rows["FAR"]
    assert 'data-testid="cert-warning"' not in rows["NONE"]
    profile = web.get(f"/to-chuc/{sample_orgs['expired'].id}").get_data(as_text=True)
    assert "Giấy đăng ký đã hết hạn từ" in profile


def test_sorting(login, db, sample_orgs):
    web = login("planning.viewer")
    assert listed_codes(web, "?sort=code") == ["DAK", "EDGE", "FAR", "NONE", "OLD"]
    assert listed_codes(web, "?sort=-code") == ["OLD", "NONE", "FAR", "EDGE", "DAK"]
    # Countries by their Vietnamese names: Đức, Hoa Kỳ, Nhật Bản, Pháp.
    assert listed_codes(web, "?sort=country") == ["DAK", "OLD", "EDGE", "FAR", "NONE"]
    expiry = listed_codes(web, "?sort=-expiry")
    assert expiry.index("FAR") < expiry.index("EDGE") < expiry.index("DAK") < expiry.index("OLD")
    assert listed_codes(web, "?sort=nonsense") == listed_codes(web)


def test_pagination_links_keep_filters(login, db, make_org):
    for i in range(30):
        make_org(f"P{i:02d}", name=f"Paged {i:02d}", country="GB")
    web = login("planning.viewer")
    first = web.get("/to-chuc/?country=GB&sort=code").get_data(as_text=True)
    assert "Hiển thị 1–25 / 30 bản ghi" in first
    assert "page=2" in first and "country=GB" in first
    assert listed_codes(web, "?country=GB&sort=code&page=2") == [f"P{i}" for i in range(25, 30)]
    assert web.get("/to-chuc/?page=abc").status_code == 200


def test_list_runs_a_bounded_number_of_queries(login, db, make_org):
    def create(start, stop):
        for i in range(start, stop):
            make_org(
                f"Q{i:03d}",
                name=f"Query Org {i}",
                certificate_expires_on=TODAY + timedelta(days=i),
                certificate_status="active",
                certificate_type="hoat_dong",
            )

    web = login("planning.viewer")
    connection = db.session.get_bind()
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def queries_for_list() -> int:
        statements.clear()
        sa.event.listen(connection, "before_cursor_execute", count)
        try:
            assert web.get("/to-chuc/").status_code == 200
        finally:
            sa.event.remove(connection, "before_cursor_execute", count)
        return len(statements)

    # Each measure follows a warm-up request, so both start in the same transaction state.
    create(0, 5)
    queries_for_list()
    few = queries_for_list()
    create(5, 40)
    queries_for_list()
    many = queries_for_list()
    assert listed_codes(web) and len(listed_codes(web)) == 25
    assert few == many, "\n".join(s[:90] for s in statements)
    assert many <= 12


# --- Export ---------------------------------------------------------------------------------


def test_export_xlsx_follows_the_filters(login, db, sample_orgs):
    org = sample_orgs["dak"]
    org.certificate_issued_on = date(2024, 3, 15)
    org.certificate_type = "van_phong_dai_dien"
    org.certificate_number = "45/GĐK"
    db.session.commit()
    web = login("police.viewer")
    response = web.get("/to-chuc/xuat.xlsx?cert=warning&sort=code&page=3")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert ".xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["ToChuc"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:9] == (
        "Mã tổ chức",
        "Tên tổ chức",
        "Tên tiếng Việt",
        "Loại tổ chức",
        "Quốc gia",
        "Loại giấy đăng ký",
        "Số giấy đăng ký",
        "Ngày cấp",
        "Ngày hết hạn",
    )
    assert [r[0] for r in rows[1:]] == ["DAK", "EDGE", "OLD"]  # all filtered rows, no paging
    dak = rows[1]
    assert dak[1:7] == (
        "Hội Hữu nghị Đắk Tô",
        "Hội Hữu nghị Đắk Tô",
        "Tổ chức phi chính phủ nước ngoài",
        "Đức",
        "Giấy đăng ký lập văn phòng đại diện",
        "45/GĐK",
    )
    issued, expires = sheet.cell(row=2, column=8), sheet.cell(row=2, column=9)
    assert issued.is_date and issued.value.date() == date(2024, 3, 15)
    assert expires.value.date() == TODAY + timedelta(days=30)
    assert issued.number_format == "dd/mm/yyyy"
    [entry] = org_audit(db, "organization.export")
    assert "3 dòng" in entry.summary and "cert=warning" in entry.summary


def test_export_csv_is_utf8_with_bom(login, db, sample_orgs):
    web = login("planning.viewer")
    response = web.get("/to-chuc/xuat.csv?q=dak")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:9] == [
        "Mã tổ chức",
        "Tên tổ chức",
        "Tên tiếng Việt",
        "Loại tổ chức",
        "Quốc gia",
        "Loại giấy đăng ký",
        "Số giấy đăng ký",
        "Ngày cấp",
        "Ngày hết hạn",
    ]
    assert len(rows) == 2
    assert rows[1][0] == "DAK" and rows[1][4] == "Đức"
    assert rows[1][8] == format_date(TODAY + timedelta(days=30))
    assert web.get("/to-chuc/xuat.pdf").status_code == 404


def test_list_links_to_exports_with_the_current_filters(login, db, sample_orgs):
    body = login("planning.viewer").get("/to-chuc/?kind=ngo&page=2").get_data(as_text=True)
    assert "/to-chuc/xuat.xlsx?kind=ngo" in body and "/to-chuc/xuat.csv?kind=ngo" in body
    assert "xuat.xlsx?kind=ngo&amp;page" not in body


# --- The profile with aid items and totals --------------------------------------------------


def aid_item(db, code, status, value_vnd, main_donor, co_donors=()) -> AidItem:
    item = AidItem(
        code=code,
        name=f"Dự án {code}",
        modality="du_an",
        value=Decimal(value_vnd),
        currency="VND",
        value_vnd=value_vnd,
        status=status,
        main_donor_id=main_donor.id,
    )
    db.session.add(item)
    db.session.flush()
    for position, org in enumerate([main_donor, *co_donors]):
        db.session.add(AidDonor(aid_item_id=item.id, organization_id=org.id, position=position))
    db.session.commit()
    return item


def table_row(body: str, code: str) -> str:
    """The HTML of the table row whose first cell shows `code`."""
    [row] = [r for r in body.split("<tr")[1:] if f">{code}</" in r.split("</td>")[0]]
    return row.split("</tr>")[0]


def disbursement(db, item, value_vnd, archived=False):
    db.session.add(
        Disbursement(
            aid_item_id=item.id,
            disbursed_on=TODAY,
            amount=Decimal(value_vnd),
            currency="VND",
            value_vnd=value_vnd,
            archived_at=utcnow() if archived else None,
        )
    )
    db.session.commit()


def test_profile_shows_aid_items_and_totals_computed_in_sql(login, db, app, make_org):
    donor = make_org("DONOR", name="Main Donor")
    other = make_org("OTHER", name="Other Donor")
    approved = aid_item(db, "VT-1", "da_phe_duyet", 1_000_000_000, donor)
    running = aid_item(db, "VT-2", "dang_thuc_hien", 250_000_000, donor, co_donors=[other])
    aid_item(db, "VT-3", "tiep_nhan", 500_000_000, donor)  # not approved: not in the total
    co_donated = aid_item(db, "VT-4", "da_phe_duyet", 7_000_000_000, other, co_donors=[donor])
    archived = aid_item(db, "VT-5", "da_phe_duyet", 9_000_000_000, donor)
    archived.archived_at = utcnow()
    db.session.commit()
    disbursement(db, approved, 300_000_000)
    disbursement(db, running, 50_000_000)
    disbursement(db, approved, 999_000, archived=True)  # archived: not counted
    disbursement(db, co_donated, 4_000_000_000)  # another main donor: not counted

    web = login("planning.viewer")
    body = web.get(f"/to-chuc/{donor.id}").get_data(as_text=True)
    approved_total = body.split('data-testid="approved-total">')[1].split("<")[0]
    disbursed_total = body.split('data-testid="disbursed-total">')[1].split("<")[0]
    assert approved_total == format_vnd(1_250_000_000)
    assert disbursed_total == format_vnd(350_000_000)
    for code in ("VT-1", "VT-2", "VT-3", "VT-4"):
        assert code in body
    assert "VT-5" not in body
    assert "Dự án VT-1" in body and "Đã phê duyệt" in body and "Tiếp nhận hồ sơ" in body
    vt4_row = table_row(body, "VT-4")
    assert "Nhà đồng tài trợ" in vt4_row
    assert "Nhà tài trợ chính" in table_row(body, "VT-1")
    assert format_vnd(7_000_000_000) in vt4_row
    with app.test_request_context():
        link = url_for("aid.detail", item_id=approved.id)
    assert f'href="{link}"' in body
    # The co-donor's view of the same items.
    other_body = web.get(f"/to-chuc/{other.id}").get_data(as_text=True)
    other_total = other_body.split('data-testid="approved-total">')[1].split("<")[0]
    assert other_total == format_vnd(7_000_000_000)
    assert "Nhà đồng tài trợ" in table_row(other_body, "VT-2")


def test_profile_without_aid_and_audit_link_for_admin(login, db, make_org):
    org = make_org("EMPTY", name="Empty Org", email="a@b.org")
    body = login("admin").get(f"/to-chuc/{org.id}").get_data(as_text=True)
    assert "Chưa có khoản viện trợ nào" in body
    assert format_vnd(0) in body
    assert f"/quan-tri/nhat-ky?object_type=organization&amp;object_id={org.id}" in body
    assert "mailto:a@b.org" in body
    assert "Chưa có đoàn nào của tổ chức này." in body
