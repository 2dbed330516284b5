"""Friendship associations through the browser's HTTP: real logins with CSRF, the list
and its search, filters and exports, the profile, the forms (422 with nothing written, 409
on a stale version) and who may write (403)."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.associations.models import Association, AssociationActivity, AssociationMemberCount

FORM = {
    "code": "hhn-lao",
    "name": "Hội hữu nghị Việt Nam – Lào tỉnh Quảng Ngãi",
    "name_vi": "",
    "founding_decision_number": "123/QĐ-UBND",
    "founding_decision_date": "04/05/2010",
    "countries": ["LA"],
    "leaders": "Chủ tịch: Nguyễn Văn Á",
    "address": "Quảng Ngãi",
    "phone": "0255 3822 000",
    "email": "hhn@example.vn",
    "status": "hoat_dong",
    "union_member": "y",
    "union_joined_on": "01/03/2024",
    "notes": "",
}
ACTIVITY = {
    "held_on": "02/09/2025",
    "kind": "giao_luu",
    "title": "Giao lưu văn hóa Việt – Lào",
    "partners": "Hội hữu nghị Lào – Việt Nam tỉnh Attapeu",
    "countries": ["LA", "KH"],
    "participants": "40",
    "funds_vnd": "15.000.000",
    "delegation_code": "",
    "aid_item_code": "",
    "notes": "",
}


def form(**changes) -> dict:
    return {**FORM, **changes}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def by_code(db, code) -> Association | None:
    return db.session.scalar(sa.select(Association).where(Association.code == code))


@pytest.fixture
def officer(login):
    return login("foreign_affairs.officer")


@pytest.fixture
def created(officer, db):
    response = officer.post("/hoi-huu-nghi/moi", form())
    assert response.status_code == 302, response.get_data(as_text=True)
    return by_code(db, "HHN-LAO")


def text(response) -> str:
    return response.get_data(as_text=True)


# --- Reading -----------------------------------------------------------------------------


def test_every_signed_in_user_reads_and_sees_the_menu_link(created, login):
    viewer = login("police.viewer")
    page = viewer.get("/hoi-huu-nghi/")
    assert page.status_code == 200
    assert 'href="/hoi-huu-nghi/"' in text(page) and "Hội hữu nghị" in text(page)
    assert "HHN-LAO" in text(page) and "Lào" in text(page)
    assert "+ Thêm hội" not in text(page)  # no write button for a reader
    assert viewer.get(f"/hoi-huu-nghi/{created.id}").status_code == 200


def test_pages_require_login(web, created):
    response = web.get("/hoi-huu-nghi/")
    assert response.status_code == 302 and "/dang-nhap" in response.location


def test_search_ignores_case_and_diacritics(created, officer):
    assert "HHN-LAO" in text(officer.get("/hoi-huu-nghi/?q=VIET+NAM+lao"))
    assert "HHN-LAO" in text(officer.get("/hoi-huu-nghi/?q=quang+ngai"))
    assert "HHN-LAO" not in text(officer.get("/hoi-huu-nghi/?q=campuchia"))


def test_list_filters_by_union_membership_country_and_status(created, officer):
    officer.post(
        "/hoi-huu-nghi/moi",
        form(code="HHN-CAM", name="Hội hữu nghị Việt Nam – Campuchia", countries=["KH"],
             union_member="", union_joined_on="", status="tam_ngung"),
    )  # fmt: skip

    def listed(query):
        return [
            c for c in ("HHN-LAO", "HHN-CAM") if c in text(officer.get(f"/hoi-huu-nghi/?{query}"))
        ]

    assert listed("") == ["HHN-LAO", "HHN-CAM"]
    assert listed("union=1") == ["HHN-LAO"]
    assert listed("union=0") == ["HHN-CAM"]
    assert listed("country=KH") == ["HHN-CAM"]
    assert listed("status=tam_ngung") == ["HHN-CAM"]
    assert listed("status=bogus&union=x&country=%3Cx%3E") == ["HHN-LAO", "HHN-CAM"]


# --- Permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["planning.officer", "foreign_affairs.viewer", "leadership.officer"]
)
def test_only_foreign_affairs_officers_write(login, db, username):
    web = login(username)
    assert web.get("/hoi-huu-nghi/moi").status_code == 403
    assert web.post("/hoi-huu-nghi/moi", form()).status_code == 403
    assert count(db, Association) == 0


def test_a_reader_cannot_add_activities_counts_or_archive(created, login, db):
    web = login("planning.officer")
    base = f"/hoi-huu-nghi/{created.id}"
    assert web.post(f"{base}/hoat-dong/moi", ACTIVITY).status_code == 403
    assert web.post(f"{base}/so-hoi-vien", {"year": "2025", "count": "9"}).status_code == 403
    assert web.post(f"{base}/luu-tru", {"reason": "x", "version": "1"}).status_code == 403
    assert count(db, AssociationActivity) == 0 and count(db, AssociationMemberCount) == 0
    assert not by_code(db, "HHN-LAO").is_archived


def test_an_administrator_writes(login, db):
    assert login("admin").post("/hoi-huu-nghi/moi", form()).status_code == 302
    assert by_code(db, "HHN-LAO") is not None


# --- Forms ---------------------------------------------------------------------------------


def test_create_then_profile_shows_everything(created, officer):
    assert created.countries == ["LA"] and created.union_member
    page = text(officer.get(f"/hoi-huu-nghi/{created.id}"))
    assert "Thành viên từ 01/03/2024" in page
    assert "123/QĐ-UBND" in page and "Đang hoạt động" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "Vui lòng nhập mã hội."),
        ({"name": ""}, "Vui lòng nhập tên hội."),
        ({"founding_decision_date": "31/02/2020"}, "dd/mm/yyyy"),
        ({"countries": ["XX"]}, "Quốc gia không hợp lệ: XX."),
        ({"status": "active"}, "Giá trị không nằm trong danh sách cho phép."),
        ({"union_member": ""}, "Chỉ ghi ngày gia nhập khi hội là thành viên"),
        ({"union_joined_on": "01/01/2000"}, "không được trước ngày quyết định thành lập"),
    ],
)
def test_bad_input_is_422_next_to_the_field_and_nothing_is_written(officer, db, changes, message):
    response = officer.post("/hoi-huu-nghi/moi", form(**changes))
    assert response.status_code == 422
    assert message in text(response)
    assert "invalid-feedback" in text(response)
    assert count(db, Association) == 0


def test_a_duplicate_code_is_422(created, officer, db):
    response = officer.post("/hoi-huu-nghi/moi", form(code="HHN-lao"))
    assert response.status_code == 422 and "đã được dùng" in text(response)
    assert count(db, Association) == 1


def test_edit_with_a_stale_version_is_409_and_changes_nothing(created, officer, db):
    url = f"/hoi-huu-nghi/{created.id}/sua"
    page = text(officer.get(url))
    assert 'name="version"' in page and "Hội hữu nghị Việt Nam – Lào" in page
    version = created.version
    ok = officer.post(url, form(name="Tên mới", version=str(version)))
    assert ok.status_code == 302
    stale = officer.post(url, form(name="Tên cũ đè lên", version=str(version)))
    assert stale.status_code == 409
    assert "người khác thay đổi" in text(stale)
    db.session.expire_all()
    assert by_code(db, "HHN-LAO").name == "Tên mới"


def test_member_counts_by_year(created, officer, db):
    url = f"/hoi-huu-nghi/{created.id}/so-hoi-vien"
    assert officer.post(url, {"year": "2024", "count": "120"}).status_code == 302
    assert officer.post(url, {"year": "2025", "count": "1500"}).status_code == 302
    bad = officer.post(url, {"year": "", "count": "-3"})
    assert bad.status_code == 422
    assert "Vui lòng nhập năm." in text(bad) and "Không được âm." in text(bad)
    assert count(db, AssociationMemberCount) == 2
    page = text(officer.get(f"/hoi-huu-nghi/{created.id}"))
    assert "1.500" in page and "2024" in page


def test_add_an_activity_linked_to_a_delegation_then_edit_and_archive_it(
    created, officer, db, make_delegation
):
    delegation = make_delegation("DV-HHN", stage="submitted")
    base = f"/hoi-huu-nghi/{created.id}/hoat-dong"
    assert officer.get(f"{base}/moi").status_code == 200
    response = officer.post(f"{base}/moi", {**ACTIVITY, "delegation_code": "dv-hhn"})
    assert response.status_code == 302, text(response)
    activity = db.session.scalar(sa.select(AssociationActivity))
    assert activity.delegation_id == delegation.id and activity.funds_vnd == 15_000_000
    page = text(officer.get(f"/hoi-huu-nghi/{created.id}"))
    assert "Đoàn DV-HHN" in page and "15.000.000 ₫" in page and "Campuchia" in page

    version = activity.version
    edit = f"{base}/{activity.id}/sua"
    assert 'value="DV-HHN"' in text(officer.get(edit))
    assert (
        officer.post(edit, {**ACTIVITY, "title": "Mới", "version": str(version)}).status_code == 302
    )
    stale = officer.post(edit, {**ACTIVITY, "title": "Cũ", "version": str(version)})
    assert stale.status_code == 409
    archived = officer.post(
        f"{base}/{activity.id}/luu-tru", {"reason": "Trùng", "version": str(version + 1)}
    )
    assert archived.status_code == 302
    db.session.expire_all()
    activity = db.session.get(AssociationActivity, activity.id)
    assert activity.title == "Mới" and activity.is_archived


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": ""}, "Vui lòng nhập ngày hoạt động."),
        ({"kind": ""}, "Vui lòng chọn loại hoạt động."),
        ({"funds_vnd": "12,5"}, "không có phần lẻ"),
        ({"funds_vnd": "abc"}, "Số không hợp lệ"),
        ({"participants": "-1"}, "Không được âm."),
        ({"delegation_code": "KHONG-CO"}, "Không có đoàn mã KHONG-CO."),
        ({"aid_item_code": "KHONG-CO"}, "Không có khoản viện trợ mã KHONG-CO."),
    ],
)
def test_bad_activity_is_422_and_nothing_is_written(created, officer, db, changes, message):
    response = officer.post(f"/hoi-huu-nghi/{created.id}/hoat-dong/moi", {**ACTIVITY, **changes})
    assert response.status_code == 422
    assert message in text(response)
    assert count(db, AssociationActivity) == 0


def test_archive_needs_a_reason_and_restore(created, officer, db):
    url = f"/hoi-huu-nghi/{created.id}"
    empty = officer.post(f"{url}/luu-tru", {"reason": "", "version": str(created.version)})
    assert empty.status_code == 422 and "Vui lòng nhập lý do lưu trữ." in text(empty)
    assert (
        officer.post(
            f"{url}/luu-tru", {"reason": "Giải thể", "version": str(created.version)}
        ).status_code
        == 302
    )
    db.session.expire_all()
    association = by_code(db, "HHN-LAO")
    assert association.is_archived
    assert "association-row" not in text(officer.get("/hoi-huu-nghi/"))
    assert ">HHN-LAO</a>" in text(officer.get("/hoi-huu-nghi/?archived=1"))
    assert officer.post(f"{url}/sua", form(version=str(association.version))).status_code == 409
    assert (
        officer.post(f"{url}/khoi-phuc", {"version": str(association.version)}).status_code == 302
    )
    db.session.expire_all()
    assert not by_code(db, "HHN-LAO").is_archived


def test_the_log_filters_by_year_and_kind(created, officer):
    base = f"/hoi-huu-nghi/{created.id}"
    officer.post(f"{base}/hoat-dong/moi", {**ACTIVITY, "title": "Hoạt động 2025"})
    officer.post(
        f"{base}/hoat-dong/moi",
        {**ACTIVITY, "title": "Hoạt động 2024", "held_on": "10/10/2024", "kind": "ho_tro"},
    )
    assert "Hoạt động 2024" not in text(officer.get(f"{base}?year=2025"))
    assert "Hoạt động 2025" in text(officer.get(f"{base}?year=2025"))
    assert "Hoạt động 2025" not in text(officer.get(f"{base}?kind=ho_tro"))
    assert "Hoạt động 2024" in text(officer.get(f"{base}?kind=ho_tro"))


# --- Exports -------------------------------------------------------------------------------


def test_list_export_has_labels_not_codes_and_text_as_text(officer, db):
    officer.post("/hoi-huu-nghi/moi", form(name='=HYPERLINK("http://x")', leaders="+84 chủ tịch"))
    response = officer.get("/hoi-huu-nghi/xuat.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["HoiHuuNghi"]
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    values = {h: c for h, c in zip(header, rows[1], strict=True)}
    assert values["Tình trạng hoạt động"].value == "Đang hoạt động"
    assert values["Quốc gia đối tác"].value == "Lào"
    assert values["Thành viên Liên hiệp"].value == "Có"
    name = values["Tên hội"]
    assert name.value.startswith("=HYPERLINK") and name.data_type == "s" and name.quotePrefix
    assert values["Lãnh đạo hội"].quotePrefix
    assert values["Ngày gia nhập Liên hiệp"].is_date

    csv_response = officer.get("/hoi-huu-nghi/xuat.csv?union=1")
    reader = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert reader[1][1].startswith("'=HYPERLINK")
    assert "Đang hoạt động" in reader[1] and "hoat_dong" not in reader[1]


def test_activity_export_has_labels_codes_of_links_and_whole_dong(
    created, officer, make_delegation
):
    make_delegation("DV-HHN", stage="submitted")
    officer.post(
        f"/hoi-huu-nghi/{created.id}/hoat-dong/moi",
        {**ACTIVITY, "delegation_code": "DV-HHN", "partners": "@đối tác"},
    )
    response = officer.get(f"/hoi-huu-nghi/hoat-dong/xuat.xlsx?association={created.id}")
    sheet = load_workbook(io.BytesIO(response.data))["HoatDongHoi"]
    header, row = list(sheet.iter_rows(min_row=1, max_row=2, values_only=False))
    values = {h.value: c for h, c in zip(header, row, strict=True)}
    assert values["Loại hoạt động"].value == "Giao lưu"
    assert values["Quốc gia"].value == "Lào; Campuchia"
    assert values["Kinh phí (VNĐ)"].value == 15_000_000
    assert values["Mã đoàn"].value == "DV-HHN"
    assert values["Đối tác"].quotePrefix and values["Đối tác"].data_type == "s"
    assert values["Ngày hoạt động"].is_date


# --- Bounded queries -------------------------------------------------------------------------


def test_list_and_profile_queries_do_not_grow_with_rows(created, officer, db, make_delegation):
    from tests.test_stats_web import selects

    make_delegation("DV-Q", stage="submitted")

    def add(start: int, stop: int):
        for i in range(start, stop):
            officer.post("/hoi-huu-nghi/moi", form(code=f"Q-{i}", countries=["LA", "KH"]))
            officer.post(
                f"/hoi-huu-nghi/{created.id}/so-hoi-vien", {"year": str(2000 + i), "count": "5"}
            )
            officer.post(
                f"/hoi-huu-nghi/{created.id}/hoat-dong/moi",
                {**ACTIVITY, "title": f"HĐ {i}", "delegation_code": "DV-Q"},
            )

    profile = f"/hoi-huu-nghi/{created.id}"
    add(0, 2)
    few_list = len(selects(db, lambda: officer.get("/hoi-huu-nghi/")))
    few_profile = len(selects(db, lambda: officer.get(profile)))
    add(2, 8)
    assert "Q-7" in text(officer.get("/hoi-huu-nghi/")) and "HĐ 7" in text(officer.get(profile))
    assert len(selects(db, lambda: officer.get("/hoi-huu-nghi/"))) == few_list
    assert len(selects(db, lambda: officer.get(profile))) == few_profile
