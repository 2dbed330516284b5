"""Delegation pages through logged-in clients: request, reviews, masking, views, exports."""

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.dates import format_date
from app.core.models import AuditEntry
from app.delegations.models import Delegation, DelegationMember
from tests.fixtures.delegations import border_commune, future, insert_delegations


def request_form(**overrides):
    data = {
        "code": "dv-2026-01",
        "direction": "vao",
        "title": "Đoàn Tổ chức KOICA khảo sát",
        "purpose": "khao_sat",
        "organization_id": "0",
        "sending_party": "KOICA",
        "country": "KR",
        "start_on": format_date(future(20)),
        "end_on": format_date(future(23)),
        "host_agency_id": "0",
        "funding": "nha_tai_tro",
        "stops-0-day": format_date(future(21)),
        "stops-0-place": "Trạm y tế",
        "stops-0-activity": "Làm việc với UBND xã",
    }
    data.update(overrides)
    return data


def member_form(**overrides):
    data = {
        "full_name": "Kim Min-jun",
        "sex": "nam",
        "birth_date": "01/05/1980",
        "nationality": "KR",
        "passport_number": "M1234567",
        "passport_type": "pho_thong",
        "passport_expiry": format_date(future(400)),
        "position": "Trưởng đoàn",
        "organization_name": "KOICA",
        "is_head": "y",
    }
    data.update(overrides)
    return data


def get(db, code="DV-2026-01"):
    return db.session.scalar(sa.select(Delegation).where(Delegation.code == code))


def submitted(login, db, **overrides):
    host = login("other.officer")
    assert host.post("/doan/moi", request_form(**overrides)).status_code == 302
    delegation = get(db, overrides.get("code", "dv-2026-01").upper())
    assert host.post(f"/doan/{delegation.id}/thanh-vien/moi", member_form()).status_code == 302
    assert host.post(f"/doan/{delegation.id}/buoc/submit", {}).status_code == 302
    return host, delegation


def test_request_review_approval_report_through_the_web(login, db):
    host, delegation = submitted(login, db)
    fa = login("foreign_affairs.officer")
    police = login("police.officer")
    inbox = fa.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert "DV-2026-01" in inbox and "Hồ sơ đoàn cần tiếp nhận" in inbox
    assert fa.post(f"/doan/{delegation.id}/buoc/receive", {}).status_code == 302
    assert "DV-2026-01" in police.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    review = {"verdict": "dong_y", "text": "Không có vấn đề về an ninh"}
    assert police.post(f"/doan/{delegation.id}/ghi-nhan/y-kien-cong-an", review).status_code == 302
    assert (
        fa.post(
            f"/doan/{delegation.id}/ghi-nhan/y-kien-ngoai-vu",
            {"verdict": "dong_y", "text": "Phù hợp"},
        ).status_code
        == 302
    )
    assert (
        police.post(
            f"/doan/{delegation.id}/ghi-nhan/y-kien-ngoai-vu", {"verdict": "dong_y", "text": "x"}
        ).status_code
        == 403
    )
    approved = fa.post(
        f"/doan/{delegation.id}/buoc/approve",
        {"number": "45/UBND-NgV", "approved_on": format_date(future(0))},
    )
    assert approved.status_code == 302
    db.session.refresh(delegation)
    assert delegation.status == "da_duyet"
    detail = host.get(f"/doan/{delegation.id}").get_data(as_text=True)
    assert "45/UBND-NgV" in detail and "Nộp báo cáo kết quả" in detail


def test_form_errors_next_to_fields_and_nothing_saved(login, db):
    host = login("other.officer")
    response = host.post("/doan/moi", request_form(end_on=format_date(future(1)), country="ZZ"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Giá trị không nằm trong danh sách cho phép." in body  # unknown country
    response = host.post("/doan/moi", request_form(end_on=format_date(future(1))))
    assert response.status_code == 422
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.get_data(as_text=True)
    assert get(db) is None
    host.post("/doan/moi", request_form())
    delegation = get(db)
    bad_member = host.post(
        f"/doan/{delegation.id}/thanh-vien/moi",
        member_form(birth_date="01/01/2099", passport_expiry=format_date(future(21))),
    )
    assert bad_member.status_code == 422
    assert "Ngày sinh phải là một ngày trong quá khứ." in bad_member.get_data(as_text=True)
    host.post(f"/doan/{delegation.id}/thanh-vien/moi", member_form())
    duplicate = host.post(
        f"/doan/{delegation.id}/thanh-vien/moi",
        member_form(full_name="Khác", passport_number="m 1234567"),
    )
    assert duplicate.status_code == 422
    assert "đã có trong danh sách đoàn" in duplicate.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DelegationMember.id))) == 1


def test_personal_data_masked_for_others(login, db):
    _host, delegation = submitted(login, db)
    masked = ("leadership.viewer", "planning.officer", "finance.viewer")
    # Viewers of the reviewing agencies too: the README gives the data to their officers.
    for username in (*masked, "police.viewer", "foreign_affairs.viewer"):
        web = login(username)
        page = web.get(f"/doan/{delegation.id}").get_data(as_text=True)
        assert "Kim Min-jun" in page and "M1234567" not in page and "01/05/1980" not in page
        export = web.get(f"/doan/{delegation.id}/thanh-vien.xlsx")
        rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
        assert "Số hộ chiếu" not in rows[0] and "M1234567" not in str(rows)
        assert "M1234567" not in web.get(f"/doan/{delegation.id}/thanh-vien.csv").data.decode()
    for username in ("police.officer", "foreign_affairs.officer", "admin"):
        page = login(username).get(f"/doan/{delegation.id}").get_data(as_text=True)
        assert "M1234567" in page and "01/05/1980" in page
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "delegation.members_export"
            )
        )
        == 0
    )
    police_export = login("police.officer").get(f"/doan/{delegation.id}/thanh-vien.xlsx")
    assert "M1234567" in str(list(load_workbook(io.BytesIO(police_export.data)).active.values))
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "delegation.members_export"
            )
        )
        == 1
    )


def test_drafts_hidden_from_other_agencies(login, db):
    host = login("other.officer")
    host.post("/doan/moi", request_form())
    delegation = get(db)
    assert login("police.officer").get(f"/doan/{delegation.id}").status_code == 404
    assert "DV-2026-01" not in login("police.officer").get("/doan/").get_data(as_text=True)
    assert "DV-2026-01" in login("other.viewer").get("/doan/").get_data(as_text=True)


def test_roles_refused_with_403_and_nothing_changes(login, db):
    _host, delegation = submitted(login, db)
    viewer = login("leadership.viewer")
    assert viewer.post(f"/doan/{delegation.id}/buoc/receive", {}).status_code == 403
    assert (
        login("police.officer").post(f"/doan/{delegation.id}/buoc/receive", {}).status_code == 403
    )
    assert viewer.post("/doan/moi", request_form(code="X-1")).status_code == 403
    assert (
        login("other.officer")
        .post(f"/doan/{delegation.id}/buoc/approve", {"number": "1", "approved_on": "01/01/2026"})
        .status_code
        == 409
    )  # not under review yet
    db.session.refresh(delegation)
    assert delegation.status == "da_gui"


def test_border_permit_rule_through_the_web(login, db):
    commune = border_commune(db)
    db.session.commit()
    host, delegation = submitted(login, db, **{"stops-0-commune_code": commune.code})
    assert delegation.is_border_area
    fa, police = login("foreign_affairs.officer"), login("police.officer")
    fa.post(f"/doan/{delegation.id}/buoc/receive", {})
    alerts = fa.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert "chưa có giấy phép" in alerts and "DV-2026-01" in alerts
    police.post(
        f"/doan/{delegation.id}/ghi-nhan/y-kien-cong-an", {"verdict": "dong_y", "text": "Ổn"}
    )
    fa.post(f"/doan/{delegation.id}/ghi-nhan/y-kien-ngoai-vu", {"verdict": "dong_y", "text": "Ổn"})
    page = fa.get(f"/doan/{delegation.id}").get_data(as_text=True)
    assert "giấy phép vào khu vực biên giới" in page  # the blocked approval explains why
    short = police.post(
        f"/doan/{delegation.id}/ghi-nhan/giay-phep",
        {
            "number": "GP-12",
            "issued_on": format_date(future(0)),
            "valid_from": format_date(future(20)),
            "valid_to": format_date(future(21)),
        },
    )
    assert short.status_code == 422 and "suốt thời gian đoàn" in short.get_data(as_text=True)
    ok = police.post(
        f"/doan/{delegation.id}/ghi-nhan/giay-phep",
        {
            "number": "GP-12",
            "issued_on": format_date(future(0)),
            "valid_from": format_date(future(20)),
            "valid_to": format_date(future(23)),
        },
    )
    assert ok.status_code == 302
    assert (
        host.post(
            f"/doan/{delegation.id}/ghi-nhan/thong-bao", {"notice_on": format_date(future(0))}
        ).status_code
        == 302
    )
    approved = fa.post(
        f"/doan/{delegation.id}/buoc/approve",
        {"number": "46/UBND-NgV", "approved_on": format_date(future(0))},
    )
    assert approved.status_code == 302


def test_person_search_page(login, db):
    submitted(login, db)
    police = login("police.officer").get("/doan/tra-cuu?q=M1234567").get_data(as_text=True)
    assert "Kim Min-jun" in police and "DV-2026-01" in police
    viewer = login("finance.viewer")
    assert "Kim Min-jun" not in viewer.get("/doan/tra-cuu?q=M1234567").get_data(as_text=True)
    by_name = viewer.get("/doan/tra-cuu?q=kim min").get_data(as_text=True)
    assert "Kim Min-jun" in by_name and "M1234567" not in by_name


def test_calendar_print_list_and_export(login, db):
    _host, delegation = submitted(
        login,
        db,
        **{
            "start_on": format_date(future(2)),
            "end_on": format_date(future(4)),
            "stops-0-day": format_date(future(3)),
        },
    )
    web = login("leadership.viewer")
    assert "DV-2026-01" in web.get("/doan/lich").get_data(as_text=True)
    printed = web.get(f"/doan/{delegation.id}/in").get_data(as_text=True)
    assert "Kim Min-jun" in printed and "Trạm y tế" in printed
    assert (
        "M1234567" not in printed and f"/doan/{delegation.id}/" not in printed.split("no-print")[-1]
    )
    listing = web.get("/doan/?direction=vao&country=KR").get_data(as_text=True)
    assert "DV-2026-01" in listing
    assert "DV-2026-01" not in web.get("/doan/?direction=ra").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(web.get("/doan/xuat.xlsx?q=koica").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã đoàn" and [r[0] for r in rows[1:]] == ["DV-2026-01"]


def test_list_query_count_bounded_and_org_profile(login, db, make_org):
    from tests.test_aid_web import count_queries

    org_id = make_org("KOICA", "KR", "Korea International Cooperation Agency").id
    host = login("other.officer")
    insert_delegations(db, 3, prefix="Q", organization_id=org_id)
    few = count_queries(db, lambda: host.get("/doan/"))
    insert_delegations(db, 40, prefix="R", organization_id=org_id)
    many = count_queries(db, lambda: host.get("/doan/"))
    assert few == many
    profile = host.get(f"/to-chuc/{org_id}").get_data(as_text=True)
    assert "Q0000" in profile and "Đoàn của tổ chức" in profile


def test_working_views_query_count_bounded(login, db):
    from tests.test_aid_web import count_queries

    fa = login("foreign_affairs.officer")
    pages = ["/doan/lich", "/doan/viec-can-xu-ly", "/doan/tra-cuu?q=kim", "/"]
    waiting = {"status": "dang_xem_xet", "start_on": future(2)}
    insert_delegations(db, 2, prefix="W", **waiting)
    few = [count_queries(db, lambda url=url: fa.get(url)) for url in pages]
    insert_delegations(db, 30, prefix="X", **waiting)
    many = [count_queries(db, lambda url=url: fa.get(url)) for url in pages]
    assert few == many


def test_bad_report_file_is_a_field_error_and_keeps_the_text(login, db):
    import io

    from app.core.dates import format_date

    _host, delegation = submitted(login, db)
    delegation.status = "da_duyet"
    delegation.start_on = future(-3)
    db.session.commit()
    host = login("other.officer")
    response = host.post(
        f"/doan/{delegation.id}/ghi-nhan/bao-cao",
        {
            "received_on": format_date(future(0)),
            "summary": "Đoàn làm việc tốt",
            "file": (io.BytesIO(b"MZ"), "virus.exe"),
        },
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Loại tệp không được chấp nhận" in body
    assert "Đoàn làm việc tốt" in body and "invalid-feedback" in body
