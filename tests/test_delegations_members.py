"""Members edited by two officers at once: the second, stale save is refused (409), never
applied over the first."""

import re

import pytest

from app.core.errors import StaleObjectError
from app.delegations import services
from app.delegations.models import DelegationMember

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def form_version(page: str) -> str:
    match = VERSION_RE.search(page)
    assert match, "the member form carries no version"
    return match.group(1) or match.group(2)


def member_post(version: str, **changes) -> dict:
    values = {
        "full_name": "Kim Min-jun",
        "sex": "nam",
        "birth_date": "01/05/1980",
        "nationality": "KR",
        "passport_number": "M1234567",
        "passport_type": "pho_thong",
        "position": "Trưởng đoàn",
        "version": version,
    }
    values.update(changes)
    return values


def test_two_officers_edit_one_member_the_second_gets_409(make_delegation, login, db):
    delegation = make_delegation("DV-LOCK", stage="under_review")
    target = delegation.members[0]
    url = f"/doan/thanh-vien/{target.id}"
    host, fa = login("other.officer"), login("foreign_affairs.officer")
    host_version = form_version(host.get(url).get_data(as_text=True))
    fa_version = form_version(fa.get(url).get_data(as_text=True))
    assert host_version == fa_version == str(target.version)

    assert host.post(url, member_post(host_version, position="Phó đoàn")).status_code == 302
    stale = fa.post(url, member_post(fa_version, position="Thành viên"))
    assert stale.status_code == 409
    assert "người khác thay đổi" in stale.get_data(as_text=True)
    saved = db.session.get(DelegationMember, target.id)
    db.session.refresh(saved)
    assert saved.position == "Phó đoàn"  # the first change kept

    fresh = form_version(fa.get(url).get_data(as_text=True))
    assert fa.post(url, member_post(fresh, position="Thành viên")).status_code == 302


def test_service_refuses_a_stale_or_missing_version(make_delegation, app_ctx, db, user):
    delegation = make_delegation("DV-LOCK2")
    target = delegation.members[0]
    host = user("other.officer")
    values = {name: getattr(target, name) for name in services.MEMBER_FIELDS}
    for version in (None, target.version - 1):
        with pytest.raises(StaleObjectError):
            services.update_member(target, {**values, "position": "X"}, user=host, version=version)
    services.update_member(target, {**values, "position": "X"}, user=host, version=target.version)
    assert target.position == "X"
