"""The inbox's delegations ready for approval carry a marker when members' passports are
valid less than the set months after entry (the rule of the record page's warning), read
in one query for the listed delegations."""

from datetime import timedelta

from app.core.models import utcnow
from app.delegations.models import DelegationMember
from tests.fixtures.delegations import future, member


def _row(page: str, code: str) -> str:
    start = page.index(f">{code}</a>")
    return page[start : page.index("</tr>", start)]


def _to_approve(page: str) -> str:
    start = page.index('data-testid="to-approve"')
    return page[start : page.index("</table>", start)]


def test_to_approve_marks_delegations_with_short_passports(make_delegation, login, db, app):
    start = future(40)
    short = member("Tanaka", "JP", passport="T1", passport_expiry=start + timedelta(days=60))
    make_delegation("PS-1", stage="reviewed", start=start, members=[member(), short])
    make_delegation("PS-2", stage="reviewed", start=start)  # passports valid long enough
    fa = login("foreign_affairs.officer")
    listed = _to_approve(fa.get("/doan/viec-can-xu-ly").get_data(as_text=True))
    marked = _row(listed, "PS-1")
    assert 'data-testid="passport-short"' in marked
    assert "1 thành viên có hộ chiếu còn hạn dưới 6 tháng từ ngày nhập cảnh" in marked
    assert 'data-testid="passport-short"' not in _row(listed, "PS-2")
    # The leadership's read-only box shows it too.
    page = login("leadership.viewer").get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert 'data-testid="passport-short"' in _row(_to_approve(page), "PS-1")


def test_a_removed_member_and_the_setting_count(make_delegation, login, db, app, monkeypatch):
    start = future(40)
    short = member("Tanaka", "JP", passport="T1", passport_expiry=start + timedelta(days=100))
    made = make_delegation("PS-3", stage="reviewed", start=start, members=[member(), short])
    fa = login("foreign_affairs.officer")
    assert 'data-testid="passport-short"' in fa.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    monkeypatch.setitem(app.config, "PASSPORT_MIN_VALID_MONTHS", 3)
    assert 'data-testid="passport-short"' not in fa.get("/doan/viec-can-xu-ly").get_data(
        as_text=True
    )
    monkeypatch.setitem(app.config, "PASSPORT_MIN_VALID_MONTHS", 6)
    target = db.session.get(DelegationMember, made.members[1].id)
    assert target.full_name == "Tanaka"
    target.archived_at = utcnow()
    db.session.commit()
    assert 'data-testid="passport-short"' not in fa.get("/doan/viec-can-xu-ly").get_data(
        as_text=True
    )


def test_the_marker_costs_one_query_whatever_the_number_listed(make_delegation, login, db):
    from tests.test_stats_web import selects

    start = future(40)

    def ready(code):
        short = member(
            "Tanaka", "JP", passport=f"T{code[-1]}", passport_expiry=start + timedelta(60)
        )
        make_delegation(code, stage="reviewed", start=start, members=[member(), short])

    fa = login("foreign_affairs.officer")
    ready("PQ-1")
    few = selects(db, lambda: fa.get("/doan/viec-can-xu-ly"))
    for i in range(2, 6):
        ready(f"PQ-{i}")
    many = selects(db, lambda: fa.get("/doan/viec-can-xu-ly"))
    assert len(many) == len(few)
    assert fa.get("/doan/viec-can-xu-ly").get_data(as_text=True).count("passport-short") == 5
