"""The personal data policy (README, "What each agency does here"): one rule,
`see_personal_data(user, delegation)`, for pages, the printable list, the person search and
the member exports; every unmasked view or export audited."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core import permissions as rules
from app.core.models import AuditEntry
from app.delegations.models import DelegationMember
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import member

PASSPORT, BIRTH = "M1234567", "01/05/1980"
# Lodged by the host unit's officer (agency kind "other").
SEES_ALWAYS = ("admin", "police.officer", "foreign_affairs.officer")
MASKED = (
    "police.viewer",
    "foreign_affairs.viewer",
    "other.viewer",  # the lodging agency's viewer: only its officers typed the data
    "planning.officer",
    "planning.viewer",
    "finance.officer",
    "finance.viewer",
    "leadership.officer",
    "leadership.viewer",
)


def audit_count(db, action, username=None) -> int:
    query = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == action)
    if username:
        query = query.where(AuditEntry.username == username)
    return db.session.scalar(query)


def shown_everywhere(web, delegation) -> dict[str, bool]:
    """Where the passport number appears, for one signed-in user."""
    pages = {
        "page": f"/doan/{delegation.id}",
        "print": f"/doan/{delegation.id}/in",
        "search": "/doan/tra-cuu?q=kim+min",
    }
    found = {}
    for name, url in pages.items():
        response = web.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "Kim Min-jun" in body
        found[name] = PASSPORT in body and BIRTH in body
    export = web.get(f"/doan/{delegation.id}/thanh-vien.xlsx")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    found["xlsx"] = "Số hộ chiếu" in rows[0] and PASSPORT in str(rows)
    found["csv"] = PASSPORT in web.get(f"/doan/{delegation.id}/thanh-vien.csv").data.decode()
    return found


@pytest.mark.parametrize("username", [*SEES_ALWAYS, "other.officer", *MASKED])
def test_each_role_sees_or_not_everywhere_and_is_audited(make_delegation, login, db, username):
    delegation = make_delegation("DV-PD", stage="submitted")
    sees = username in (*SEES_ALWAYS, "other.officer")  # the lodging agency, not yet approved
    found = shown_everywhere(login(username), delegation)
    assert found == dict.fromkeys(found, sees)
    # Page, print and search each leave one entry; each export (XLSX, CSV) one.
    assert audit_count(db, DelegationAudit.PERSONAL_DATA_VIEW, username) == (3 if sees else 0)
    assert audit_count(db, DelegationAudit.MEMBERS_EXPORT, username) == (2 if sees else 0)


def test_lodging_agency_sees_until_approval_only(make_delegation, login, db):
    delegation = make_delegation("DV-PD2", stage="approved")
    host = login("other.officer")
    found = shown_everywhere(host, delegation)
    assert found == dict.fromkeys(found, False)
    assert audit_count(db, DelegationAudit.PERSONAL_DATA_VIEW, "other.officer") == 0
    assert all(shown_everywhere(login("police.officer"), delegation).values())


def test_another_agencys_officer_is_not_the_lodging_agency(make_delegation, login, db, user):
    delegation = make_delegation("DV-PD3", stage="submitted", by="planning.officer")
    assert not rules.see_personal_data.allows(user("other.officer"), delegation)
    assert rules.see_personal_data.allows(user("planning.officer"), delegation)
    found = shown_everywhere(login("other.officer"), delegation)
    assert found == dict.fromkeys(found, False)


def test_rule_without_a_delegation_is_the_agencies_that_see_everything(user, db):
    sees = {
        name
        for name in (*SEES_ALWAYS, "other.officer", *MASKED)
        if rules.see_personal_data.allows(user(name))
    }
    assert sees == set(SEES_ALWAYS)


def test_only_global_readers_search_by_passport(make_delegation, login, db):
    make_delegation("DV-PD4", stage="submitted")
    assert "Kim Min-jun" in login("police.officer").get(f"/doan/tra-cuu?q={PASSPORT}").text
    # The lodging officer finds its member by name (above), not by passport number.
    assert "Kim Min-jun" not in login("other.officer").get(f"/doan/tra-cuu?q={PASSPORT}").text


def test_no_audit_when_no_personal_data_is_shown(make_delegation, login, db):
    without = member("Nguyễn Văn A", "VN", None, birth_date=None)
    delegation = make_delegation("DV-PD5", stage="submitted", members=[without])
    login("police.officer").get(f"/doan/{delegation.id}")
    login("leadership.viewer").get(f"/doan/{delegation.id}")
    assert audit_count(db, DelegationAudit.PERSONAL_DATA_VIEW) == 0  # nothing was shown


def test_lodging_agency_corrects_a_typo_until_approval(make_delegation, login, db):
    delegation = make_delegation("DV-PD6", stage="under_review")
    target = delegation.members[0]
    host = login("other.officer")
    form = host.get(f"/doan/thanh-vien/{target.id}").get_data(as_text=True)
    assert f'value="{PASSPORT}"' in form and f'value="{BIRTH}"' in form
    assert audit_count(db, DelegationAudit.PERSONAL_DATA_VIEW, "other.officer") == 1
    values = {
        "full_name": "Kim Min-jun",
        "sex": "nam",
        "birth_date": "02/05/1980",
        "nationality": "KR",
        "passport_number": "M1234568",
        "passport_type": "pho_thong",
        "passport_expiry": "",
        "version": str(target.version),
    }
    assert host.post(f"/doan/thanh-vien/{target.id}", values).status_code == 302
    corrected = db.session.get(DelegationMember, target.id)
    db.session.refresh(corrected)
    assert corrected.passport_number == "M1234568" and corrected.birth_date.day == 2
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == DelegationAudit.MEMBER_UPDATE)
    )
    assert entry.changes["passport_number"] == ["***", "***"]  # the log keeps no values


def test_after_approval_nobody_edits_members(make_delegation, login, db):
    delegation = make_delegation("DV-PD7", stage="approved", members=[member()])
    target = delegation.members[0]
    for username in ("other.officer", "foreign_affairs.officer"):
        web = login(username)
        # the form goes back to the delegation's page (issue 14), a POST is a 409
        response = web.get(f"/doan/thanh-vien/{target.id}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/doan/{delegation.id}")
        values = {"full_name": "Kim Khác", "nationality": "KR", "version": target.version}
        assert web.post(f"/doan/thanh-vien/{target.id}", values).status_code == 409
