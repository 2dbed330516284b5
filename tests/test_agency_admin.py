"""Administrators shape the province (issue 11): the demo province after 1 July 2025,
`flask agencies list|duties`, the last aid focal or police duty kept while records wait,
and the border communes marked from the repository's list."""

import json

import sqlalchemy as sa

from app.auth.models import Agency, Duty
from app.auth.names import agency_name_on, forget_former_names
from app.core.models import AuditEntry, Commune

D = Duty


def agency_of(user, username) -> Agency:
    return user(username).agency


# --- The demo province -------------------------------------------------------------------


def test_demo_province_after_july_2025(user, db):
    assert agency_of(user, "planning.officer").duties == {D.AID_FOCAL, D.FINANCE}
    assert agency_of(user, "finance.officer").duties == {D.FINANCE}
    assert agency_of(user, "foreign_affairs.officer").duties == {D.FOREIGN_AFFAIRS}
    assert agency_of(user, "police.officer").duties == {D.POLICE}
    assert agency_of(user, "leadership.viewer").duties == {D.LEADERSHIP}
    assert agency_of(user, "other.officer").duties == {D.HOST}
    assert agency_of(user, "border_guard.officer").duties == {D.BORDER_GUARD}
    assert agency_of(user, "dual.officer").duties == {D.AID_FOCAL, D.FOREIGN_AFFAIRS}
    internal = db.session.scalar(sa.select(Agency).where(Agency.code == "SNV"))
    assert internal.duties == {D.INTERNAL_AFFAIRS}
    hosts = db.session.scalars(
        sa.select(Agency.name).where(Agency.duty_rows.any(duty=D.HOST)).order_by(Agency.name)
    ).all()
    assert len(hosts) >= 3 and all(name.startswith("UBND xã") for name in hosts)


def test_demo_logins_keep_their_abilities(login):
    """planning.officer still runs the aid procedure, finance.officer still answers finance
    opinions (from the opinion form's default), border guard and dual logins work."""
    assert login("planning.officer").get("/vien-tro/moi").status_code == 200
    assert login("finance.officer").get("/vien-tro/viec-can-xu-ly").status_code == 200
    assert login("finance.officer").get("/vien-tro/moi").status_code == 403
    assert login("border_guard.officer").get("/vien-tro/moi").status_code == 403
    assert login("dual.officer").get("/vien-tro/moi").status_code == 200
    assert login("dual.officer").get("/to-chuc/moi").status_code == 200


def test_demo_logins_listed_with_the_new_ones(app):
    output = app.test_cli_runner().invoke(args=["demo", "logins"]).output
    assert "border_guard.officer" in output and "dual.officer" in output


# --- flask agencies ------------------------------------------------------------------------


def test_agencies_list_json_ordered_by_id(app, db):
    result = app.test_cli_runner().invoke(args=["agencies", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    police = next(r for r in rows if r["code"] == "CAT")
    assert police["name"] == "Công an tỉnh Quảng Ngãi" and police["duties"] == ["police"]
    dual = next(r for r in rows if r["code"] == "NV-VT")
    assert dual["duties"] == ["aid_focal", "foreign_affairs"]
    plain = app.test_cli_runner().invoke(args=["agencies", "list"]).output
    assert "CAT" in plain and "police" in plain


def test_agencies_duties_sets_them_audited(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agencies", "duties", "BĐBP", "--set", "border_guard,host"])
    assert result.exit_code == 0, result.output
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "BĐBP"))
    db.session.refresh(agency)
    assert agency.duties == {D.BORDER_GUARD, D.HOST}
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "agency", AuditEntry.object_id == str(agency.id))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.action == "agency.update" and entry.username == "cli"
    assert entry.changes == {"duties_text": ["border_guard", "border_guard, host"]}
    by_id = runner.invoke(args=["agencies", "duties", str(agency.id), "--set", "border_guard"])
    assert by_id.exit_code == 0, by_id.output


def test_agencies_duties_unknown_duty_or_agency_exit_2(app, db):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["agencies", "duties", "CAT", "--set", "police,army"])
    assert bad.exit_code == 2
    assert "Nhiệm vụ không tồn tại: army" in bad.output
    missing = runner.invoke(args=["agencies", "duties", "NO-SUCH", "--set", "police"])
    assert missing.exit_code == 2 and "NO-SUCH" in missing.output
    police = db.session.scalar(sa.select(Agency).where(Agency.code == "CAT"))
    db.session.refresh(police)
    assert police.duties == {D.POLICE}


# --- The last aid focal / police duty --------------------------------------------------------


def test_last_police_duty_kept_while_delegations_wait(app, db, make_delegation):
    make_delegation("DV-CHO", stage="under_review")
    result = app.test_cli_runner().invoke(args=["agencies", "duties", "CAT", "--set", "host"])
    assert result.exit_code == 1
    assert "Không thể bỏ nhiệm vụ “Công an”" in result.output
    assert "còn 1 hồ sơ đang chờ xử lý" in result.output
    police = db.session.scalar(sa.select(Agency).where(Agency.code == "CAT"))
    db.session.refresh(police)
    assert police.duties == {D.POLICE}


def test_police_duty_may_go_when_nothing_waits(app, db):
    result = app.test_cli_runner().invoke(args=["agencies", "duties", "CAT", "--set", "host"])
    assert result.exit_code == 0, result.output


def test_last_aid_focal_duty_kept_on_the_form_with_the_count(login, db, make_item):
    make_item("VT-CHO1")
    make_item("VT-CHO2")
    web = login("admin")
    dual = db.session.scalar(sa.select(Agency).where(Agency.code == "NV-VT"))
    moved = web.post(
        f"/quan-tri/co-quan/{dual.id}",
        {
            "name": dual.name,
            "kind": "planning",
            "duties": ["foreign_affairs"],
            "active": "y",
            "code": "NV-VT",
            "version": dual.version,
        },
    )
    assert moved.status_code == 302  # the planning agency still holds aid_focal
    planning = db.session.scalar(sa.select(Agency).where(Agency.code == "STC-VT"))
    refused = web.post(
        f"/quan-tri/co-quan/{planning.id}",
        {
            "name": planning.name,
            "kind": "planning",
            "duties": ["finance"],
            "active": "y",
            "code": "STC-VT",
            "version": planning.version,
        },
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Không thể bỏ nhiệm vụ “Đầu mối quản lý viện trợ”" in text
    assert "còn 2 hồ sơ đang chờ xử lý" in text
    db.session.refresh(planning)
    assert planning.duties == {D.AID_FOCAL, D.FINANCE}


# --- Border communes ----------------------------------------------------------------------


LISTED = {"23344", "23368", "23377", "23383", "23392", "23530", "23536", "23535", "23538"}


def border_codes(db) -> set[str]:
    return set(db.session.scalars(sa.select(Commune.code).where(Commune.is_border.is_(True))))


def test_reference_load_marks_the_listed_border_communes(app, db):
    from app.core.communes import border_list

    assert {row["code"] for row in border_list()} == LISTED
    assert all(row["source"] for row in border_list())
    before = border_codes(db)
    result = app.test_cli_runner().invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "9 marked as border communes" in result.output
    assert border_codes(db) == before | LISTED
    names = dict(db.session.execute(sa.select(Commune.code, Commune.name)).all())
    assert {names[code] for code in LISTED} >= {"Xã Bờ Y", "Xã Ia Tơi", "Xã Đăk Plô"}
    again = app.test_cli_runner().invoke(args=["reference", "load"])
    assert "0 marked as border communes" in again.output


def test_reference_load_keeps_an_administrators_choice(login, app, db):
    web = login("admin")
    commune = db.session.get(Commune, "23377")
    web.post("/quan-tri/xa-phuong/23377/bien-gioi", {"is_border": "1", "version": commune.version})
    db.session.refresh(commune)
    web.post("/quan-tri/xa-phuong/23377/bien-gioi", {"is_border": "0", "version": commune.version})
    db.session.refresh(commune)
    assert commune.is_border is False
    result = app.test_cli_runner().invoke(args=["reference", "load"])
    assert "8 marked as border communes" in result.output
    db.session.refresh(commune)
    assert commune.is_border is False  # unmarked by an administrator: stays so


# --- The settings page ----------------------------------------------------------------------


def test_settings_page_shows_the_provinces_settings(login, app):
    page = login("admin").get("/quan-tri/cai-dat")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Quảng Ngãi (mã 51" in text
    assert "Công an tỉnh Quảng Ngãi" in text and "Sở Ngoại vụ tỉnh Quảng Ngãi" in text
    assert "Ban Ngoại vụ và Viện trợ PCPNN" not in text  # aid focal: asks, is not asked
    assert "10 ngày làm việc" in text and "AID_OPINION_DAYS" in text
    assert "PASSPORT_MIN_VALID_MONTHS" in text and "6 tháng" in text
    assert "trước 08/12/2025" in text and "Nghị định 80/2020/NĐ-CP" in text
    assert "từ 08/12/2025" in text and "Nghị định 313/2025/NĐ-CP" in text
    assert login("planning.officer").get("/quan-tri/cai-dat").status_code == 403


def test_regime_by_dossier_date():
    from datetime import date

    from app.aid.regimes import regime_for

    assert regime_for(date(2025, 12, 7)) == "nd80_2020"
    assert regime_for(date(2025, 12, 8)) == "nd313_2025"


# --- Merging agencies -----------------------------------------------------------------------


def test_admin_merges_an_agency_moving_users_records_and_duties(
    login, db, user, make_item, make_delegation
):
    from app.aid.models import Opinion
    from app.aid.states import AidStatus
    from app.auth.models import User

    item = make_item("VT-GOP", status=AidStatus.XIN_Y_KIEN)
    make_delegation("DV-GOP", stage="reviewed")
    source = agency_of(user, "finance.officer")
    target = agency_of(user, "planning.officer")
    source_id, target_id = source.id, target.id
    web = login("admin")
    page = web.get(f"/quan-tri/co-quan/{source_id}").get_data(as_text=True)
    assert 'data-testid="merge"' in page
    response = web.post(f"/quan-tri/co-quan/{source_id}/gop", {"target_id": target_id})
    assert response.status_code == 302
    db.session.expire_all()
    finance_officer = db.session.scalar(sa.select(User).where(User.username == "finance.officer"))
    assert finance_officer.agency_id == target_id
    opinions = db.session.scalars(sa.select(Opinion).where(Opinion.aid_item_id == item.id)).all()
    assert source_id not in {o.agency_id for o in opinions}
    assert target_id in {o.agency_id for o in opinions}
    source, target = db.session.get(Agency, source_id), db.session.get(Agency, target_id)
    assert source.active is False and target.active is True
    assert target.duties >= {D.AID_FOCAL, D.FINANCE}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "agency.merge")
    ).all()
    assert {e.object_id for e in entries} == {str(source_id), str(target_id)}
    assert entries[0].changes["moved"]["user.agency_id"] == 2


def test_merge_into_itself_or_nothing_refused(app, login, db, user):
    import pytest

    from app.auth import services
    from app.core.errors import FieldError

    source = agency_of(user, "other.officer")
    with app.app_context(), pytest.raises(FieldError, match="chính nó"):
        services.merge_agencies(source, source)
    web = login("admin")
    for target_id, message in (
        (source.id, "Giá trị không nằm trong danh sách cho phép."),  # itself: not offered
        (0, "Vui lòng chọn cơ quan còn lại sau khi gộp."),
    ):
        refused = web.post(f"/quan-tri/co-quan/{source.id}/gop", {"target_id": target_id})
        assert refused.status_code in (302, 303)
        page = web.get(f"/quan-tri/co-quan/{source.id}").get_data(as_text=True)
        assert message in page
        db.session.refresh(source)
        assert source.active is True


# --- Parents ------------------------------------------------------------------------------


def agency_form(agency: Agency, **changes) -> dict:
    data = {
        "name": agency.name,
        "short_name": agency.short_name or "",
        "code": agency.code or "",
        "kind": agency.kind.value,
        "duties": agency.duty_keys,
        "parent_id": agency.parent_id or 0,
        "active": "y",
        "version": agency.version,
    }
    return data | changes


def test_demo_budget_division_belongs_to_the_department(user):
    finance = agency_of(user, "finance.officer")
    assert finance.parent == agency_of(user, "planning.officer")
    assert finance.ancestors() == [finance.parent]


def test_parent_set_on_the_form_and_cycles_refused(login, db, user):
    web = login("admin")
    police = agency_of(user, "police.officer")
    border = db.session.scalar(sa.select(Agency).where(Agency.code == "BĐBP"))
    listing = web.get("/quan-tri/co-quan").get_data(as_text=True)
    assert "thuộc Sở Tài chính tỉnh Quảng Ngãi (đầu mối viện trợ PCPNN)" in listing
    saved = web.post(f"/quan-tri/co-quan/{border.id}", agency_form(border, parent_id=police.id))
    assert saved.status_code == 302
    db.session.refresh(border)
    assert border.parent_id == police.id
    db.session.refresh(police)
    cycle = web.post(f"/quan-tri/co-quan/{police.id}", agency_form(police, parent_id=border.id))
    assert cycle.status_code == 422
    assert "không được là chính cơ quan này hoặc đơn vị trực thuộc nó" in cycle.get_data(
        as_text=True
    )
    db.session.refresh(police)
    assert police.parent_id is None
    # Merging the police into its own division is refused too.
    merge = web.post(f"/quan-tri/co-quan/{police.id}/gop", {"target_id": border.id})
    assert merge.status_code in (302, 303)
    page = web.get(f"/quan-tri/co-quan/{police.id}").get_data(as_text=True)
    assert "đó là đơn vị trực thuộc" in page
    db.session.refresh(police)
    assert police.active is True


def test_merge_moves_the_divisions_to_the_remaining_agency(app, db, user):
    from app.auth import services

    planning = agency_of(user, "planning.officer")
    finance = agency_of(user, "finance.officer")
    dual = db.session.scalar(sa.select(Agency).where(Agency.code == "NV-VT"))
    with app.app_context():
        moved = services.merge_agencies(planning, dual, username="cli")
    assert moved["agency.parent_id"] == 1
    db.session.refresh(finance)
    assert finance.parent_id == dual.id


# --- Former names ---------------------------------------------------------------------------


def test_a_rename_keeps_the_former_name_with_its_days(login, db, user, monkeypatch):
    from datetime import date

    from app.auth import services

    police = agency_of(user, "police.officer")
    old = police.name
    web = login("admin")
    monkeypatch.setattr(services, "today_vn", lambda: date(2025, 7, 1))
    renamed = web.post(
        f"/quan-tri/co-quan/{police.id}", agency_form(police, name="Công an tỉnh (mới)")
    )
    assert renamed.status_code == 302
    db.session.refresh(police)
    monkeypatch.setattr(services, "today_vn", lambda: date(2026, 1, 1))
    again = web.post(f"/quan-tri/co-quan/{police.id}", agency_form(police, name="Công an T"))
    assert again.status_code == 302
    db.session.refresh(police)
    assert [(f.name, f.used_from, f.used_until) for f in police.former_names] == [
        (old, None, date(2025, 7, 1)),
        ("Công an tỉnh (mới)", date(2025, 7, 1), date(2026, 1, 1)),
    ]
    forget_former_names()  # the test's app context outlives the requests that renamed
    assert agency_name_on(police, date(2025, 6, 30)) == old
    assert agency_name_on(police, date(2025, 7, 1)) == "Công an tỉnh (mới)"
    assert agency_name_on(police, date(2026, 1, 1)) == "Công an T"
    assert agency_name_on(police, None) == "Công an T"
    page = web.get(f"/quan-tri/co-quan/{police.id}").get_data(as_text=True)
    assert "đến trước 01/07/2025" in page and old in page
    unchanged = web.post(f"/quan-tri/co-quan/{police.id}", agency_form(police))
    assert unchanged.status_code == 302
    db.session.refresh(police)
    assert len(police.former_names) == 2  # saving without a rename adds none


def test_last_police_agency_not_deactivated_while_delegations_wait(login, db, make_delegation):
    make_delegation("DV-TAT", stage="under_review")
    police = db.session.scalar(sa.select(Agency).where(Agency.code == "CAT"))
    form = agency_form(police)
    del form["active"]  # the box unticked
    refused = login("admin").post(f"/quan-tri/co-quan/{police.id}", form)
    assert refused.status_code == 422
    assert "còn 1 hồ sơ đang chờ xử lý" in refused.get_data(as_text=True)
    db.session.refresh(police)
    assert police.active is True


def test_merge_moves_every_reference_to_an_agency(app):
    """A new table pointing at agencies must be moved by a merge too (or be the agency's own
    rows: its duties and former names stay with it)."""
    from app.auth.services import AGENCY_REFERENCES
    from app.extensions import db as _db

    own_rows = {("agency_duty", "agency_id"), ("agency_name", "agency_id")}
    with app.app_context():
        pointing = {
            (table.name, column.name)
            for table in _db.metadata.sorted_tables
            for column in table.columns
            for key in column.foreign_keys
            if key.column.table.name == "agency"
        }
    assert pointing - own_rows == set(AGENCY_REFERENCES)


def test_merge_asks_the_remaining_agency_once(app, login, db, user, make_item):
    """Both agencies were asked for an opinion on the same item: the remaining agency has one
    open request, the other is cancelled (kept, counted in the audit); answers move as they
    are."""
    from app.aid.models import Opinion
    from app.aid.states import AidStatus

    item = make_item("VT-HAI", status=AidStatus.XIN_Y_KIEN)  # finance and police asked
    source, target = agency_of(user, "police.officer"), agency_of(user, "finance.officer")
    source_id, target_id = source.id, target.id
    web = login("admin")
    merged = web.post(f"/quan-tri/co-quan/{source_id}/gop", {"target_id": target_id})
    assert merged.status_code == 302
    db.session.expire_all()
    opinions = db.session.scalars(sa.select(Opinion).where(Opinion.aid_item_id == item.id)).all()
    assert {o.agency_id for o in opinions} == {target_id}
    assert sum(o.is_open for o in opinions) == 1
    assert sum(o.cancelled_at is not None for o in opinions) == 1
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "agency.merge", AuditEntry.object_id == str(target_id)
        )
    )
    assert entry.changes["moved"]["opinion.cancelled"] == 1
    assert entry.changes["moved"]["opinion.agency_id"] == 1
