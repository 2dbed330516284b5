"""The aid pages through logged-in clients with CSRF: the whole procedure, inboxes, lists."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid.models import AidItem, Disbursement, Opinion
from app.core.dates import format_date, today_vn
from app.core.models import Attachment
from tests.fixtures.aid import agency_ids, item_input, to_appraised, to_approved
from tests.fixtures.orgs import new_org


@pytest.fixture
def donor(db):
    org = new_org(db, "SCF", "GB", "Save the Children Fund")
    db.session.commit()
    return org


def dossier_form(donor, **overrides):
    today = format_date(today_vn())
    data = {
        "code": "vt-2025-01",
        "name": "Nâng cấp trạm y tế xã Đắk Tô",
        "modality": "du_an",
        "regime": "nd313_2025",
        "main_donor_id": donor.id,
        "owner_name": "UBND xã Đăk Tô",
        "governing_agency": "UBND tỉnh",
        "value": "120.000",
        "currency": "usd",
        "rate_vnd": "25.400",
        "counterpart_vnd": "150.000.000",
        "sectors-0-sector": "y_te",
        "sectors-0-share": "70",
        "sectors-1-sector": "nuoc_ve_sinh",
        "sectors-1-share": "30",
        "dossier_received_on": today,
        "dossier_complete_on": today,
        "dossier_documents": ["cong_van_de_nghi", "van_kien"],
    }
    data.update(overrides)
    return data


def item_by_code(db, code):
    return db.session.scalar(sa.select(AidItem).where(AidItem.code == code))


def test_whole_procedure_through_the_web(login, db, donor):
    planner = login("planning.officer")
    created = planner.post("/vien-tro/moi", dossier_form(donor))
    assert created.status_code == 302
    item = item_by_code(db, "VT-2025-01")
    assert item.value_vnd == 3_048_000_000 and item.counterpart_vnd == 150_000_000
    detail = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "Nâng cấp trạm y tế" in detail and "3.048.000.000 ₫" in detail
    assert "Xin ý kiến các cơ quan" in detail

    # Ask finance and police.
    page = planner.get(f"/vien-tro/{item.id}/buoc/request_opinions").get_data(as_text=True)
    assert "Công an tỉnh Quảng Ngãi" in page
    asked = planner.post(
        f"/vien-tro/{item.id}/buoc/request_opinions",
        {"agency_ids": agency_ids(db, "finance", "police"), "note": "Đề nghị góp ý"},
    )
    assert asked.status_code == 302
    db.session.refresh(item)
    assert item.status == "xin_y_kien"

    # Each agency answers from its inbox; police attaches its letter.
    for kind in ("finance", "police"):
        officer = login(f"{kind}.officer")
        inbox = officer.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
        assert "VT-2025-01" in inbox and "Góp ý" in inbox
        opinion = db.session.scalar(
            sa.select(Opinion)
            .join(Opinion.agency)
            .where(Opinion.aid_item_id == item.id, Opinion.agency.has(kind=kind))
        )
        answer_page = officer.get(f"/vien-tro/y-kien/{opinion.id}")
        assert answer_page.status_code == 200
        response = officer.post(
            f"/vien-tro/y-kien/{opinion.id}",
            {
                "verdict": "dong_y",
                "answer": f"{kind} đồng ý",
                "document_number": "12/CV",
                "version": opinion.version,
                "file": (io.BytesIO(b"%PDF-1.4 letter"), "cong-van.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        assert "VT-2025-01" not in officer.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    files = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == "opinion"))
    assert len(files.all()) == 2

    today = format_date(today_vn())
    steps = [
        ("appraise", {"form_key": "hoi_nghi", "appraised_on": today, "conclusion": "Đủ điều kiện"}),
        ("approve", {"number": "123/QĐ-UBND", "signed_on": today, "signer": "Chủ tịch UBND tỉnh"}),
        ("start", {"started_on": today}),
    ]
    for action, data in steps:
        response = planner.post(f"/vien-tro/{item.id}/buoc/{action}", data)
        assert response.status_code == 302, (action, response.get_data(as_text=True)[:3000])
    db.session.refresh(item)
    assert item.status == "dang_thuc_hien" and item.decision_number == "123/QĐ-UBND"

    paid = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/giai-ngan",
        {
            "disbursed_on": today,
            "amount": "60.000",
            "currency": "USD",
            "rate_vnd": "25.400",
            "source": "Sao kê",
            "verified": "y",
        },
    )
    assert paid.status_code == 302
    detail = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "1.524.000.000 ₫" in detail and "(50,0% giá trị phê duyệt)" in detail
    report = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/bao-cao",
        {"kind": "ket_thuc", "received_on": today, "summary": "Hoàn thành"},
    )
    assert report.status_code == 302
    inspection = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/kiem-tra",
        {"inspected_on": today, "team": "Sở Tài chính", "follow_up": "da_xu_ly"},
    )
    assert inspection.status_code == 302
    done = planner.post(f"/vien-tro/{item.id}/buoc/complete", {"comment": "Nghiệm thu"})
    assert done.status_code == 302
    db.session.refresh(item)
    assert item.status == "hoan_thanh"
    timeline = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    for label in (
        "Tiếp nhận hồ sơ",
        "Đang xin ý kiến",
        "Đã thẩm định",
        "Đã phê duyệt",
        "Đang thực hiện",
        "Hoàn thành",
    ):
        assert label in timeline


def test_dossier_form_errors_next_to_fields(login, db, donor):
    planner = login("planning.officer")
    response = planner.post(
        "/vien-tro/moi",
        dossier_form(
            donor, value="-5", currency="ABC", end_on="31/02/2025", dossier_received_on="2025/01/01"
        ),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mã tiền tệ không hợp lệ" in body and "Ngày không hợp lệ" in body
    shares = planner.post("/vien-tro/moi", dossier_form(donor, **{"sectors-1-share": "20"}))
    assert shares.status_code == 422
    assert "Tổng tỷ lệ các lĩnh vực phải bằng 100%" in shares.get_data(as_text=True)
    english_number = planner.post("/vien-tro/moi", dossier_form(donor, value="1,234.56"))
    assert english_number.status_code == 422 and "Số không hợp lệ" in english_number.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 0


def test_viewer_and_other_agencies_cannot_create_or_move(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    for username in ("planning.viewer", "police.officer", "leadership.viewer"):
        web = login(username)
        assert web.get(f"/vien-tro/{item.id}").status_code == 200  # reading is for everyone
        assert web.post("/vien-tro/moi", dossier_form(donor, code="X1")).status_code == 403
        refused = web.post(f"/vien-tro/{item.id}/buoc/return", {"comment": "x"})
        assert refused.status_code == 403
    db.session.refresh(item)
    assert item.status == "tiep_nhan"
    assert item_by_code(db, "X1") is None


def test_action_not_allowed_in_state_is_409(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    response = planner.post(
        f"/vien-tro/{item.id}/buoc/approve",
        {"number": "1/QĐ-UBND", "signed_on": format_date(today_vn()), "signer": "X"},
    )
    assert response.status_code == 409
    assert "Tiếp nhận hồ sơ" in response.get_data(as_text=True)
    # the refusal leads back to the record (issue 14)
    assert f'<a class="btn btn-primary" href="/vien-tro/{item.id}">Về hồ sơ</a>' in response.text
    assert planner.get(f"/vien-tro/{item.id}/buoc/nonsense").status_code == 404
    db.session.refresh(item)
    assert item.status == "tiep_nhan"


def test_opinion_of_another_agency_is_403(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    planner.post(
        f"/vien-tro/{item.id}/buoc/request_opinions", {"agency_ids": agency_ids(db, "police")}
    )
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.aid_item_id == item.id))
    finance = login("finance.officer")
    response = finance.post(
        f"/vien-tro/y-kien/{opinion.id}",
        {"verdict": "dong_y", "answer": "x", "version": opinion.version},
    )
    assert response.status_code == 403
    db.session.refresh(opinion)
    assert opinion.verdict is None


def test_stale_edit_is_refused(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    first = planner.post(
        f"/vien-tro/{item.id}/sua", dossier_form(donor, name="Tên A", version=item.version)
    )
    assert first.status_code == 302
    second = planner.post(
        f"/vien-tro/{item.id}/sua", dossier_form(donor, name="Tên B", version=item.version - 1)
    )
    assert second.status_code == 409
    assert "người khác thay đổi" in second.get_data(as_text=True)
    db.session.refresh(item)
    assert item.name == "Tên A"


def test_disbursement_archive_keeps_row(app, login, db, donor, user):
    from app.aid import services

    planner_user = user("planning.officer")
    planner = login("planning.officer")
    with app.app_context():
        item = services.create_item(item_input([donor.id]), user=planner_user)
        to_approved(item, planner_user, db, user)
        d = services.add_disbursement(
            item, today_vn(), 1000, "VND", None, None, None, False, user=planner_user
        )
    db.session.commit()
    missing_reason = planner.post(f"/vien-tro/giai-ngan/{d.id}/huy", {"reason": ""})
    assert missing_reason.status_code == 303
    archived = planner.post(f"/vien-tro/giai-ngan/{d.id}/huy", {"reason": "Nhập trùng"})
    assert archived.status_code == 302
    row = db.session.get(Disbursement, d.id)
    assert row.is_archived and row.archive_reason == "Nhập trùng"


def make_items(db, donor, count, start=0):
    for i in range(start, start + count):
        item = AidItem(
            code=f"Q{i:04d}",
            name=f"Khoản {i}",
            modality="phi_du_an",
            value=1000,
            currency="VND",
            value_vnd=1000,
            status="tiep_nhan",
            search_text=f"q{i:04d}",
            main_donor_id=donor.id,
            dossier_received_on=date(2025, 1, 1),
        )
        db.session.add(item)
        db.session.flush()
        from app.aid.models import AidDonor, AidSector

        db.session.add(AidDonor(aid_item_id=item.id, organization_id=donor.id, position=0))
        db.session.add(AidSector(aid_item_id=item.id, sector="khac"))
    db.session.commit()


def count_queries(db, func):
    statements = []
    engine = db.session.get_bind().engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_list_query_count_does_not_grow_with_rows(login, db, donor):
    web = login("planning.viewer")
    make_items(db, donor, 3)
    few = count_queries(db, lambda: web.get("/vien-tro/"))
    make_items(db, donor, 40, start=3)
    many = count_queries(db, lambda: web.get("/vien-tro/"))
    assert few == many


def test_list_filters_search_and_plain_links(login, db, donor):
    make_items(db, donor, 30)
    other = new_org(db, "JICA", "JP", "Japan International")
    item = AidItem(
        code="JP-1",
        name="Trường học Đắk Hà",
        modality="du_an",
        value=5,
        currency="VND",
        value_vnd=5,
        status="da_phe_duyet",
        search_text="jp-1 truong hoc dak ha japan international",
        main_donor_id=other.id,
        decision_date=date(2024, 5, 1),
    )
    db.session.add(item)
    db.session.commit()
    web = login("leadership.viewer")
    page = web.get("/vien-tro/").get_data(as_text=True)
    assert "Hiển thị 1–25 / 31 bản ghi" in page and "page=2" in page
    assert "JP-1" in web.get("/vien-tro/?page=2").get_data(as_text=True) or "JP-1" in page
    assert "JP-1" in web.get("/vien-tro/?q=truong hoc dak").get_data(as_text=True)
    assert "JP-1" in web.get("/vien-tro/?country=JP").get_data(as_text=True)
    assert "Q0001" not in web.get("/vien-tro/?country=JP").get_data(as_text=True)
    assert "JP-1" in web.get("/vien-tro/?year=2024&status=da_phe_duyet").get_data(as_text=True)
    assert "JP-1" not in web.get("/vien-tro/?year=2023").get_data(as_text=True)
    assert "JP-1" not in web.get("/vien-tro/?sector=khac").get_data(as_text=True)
    assert web.get("/vien-tro/?year=abc&status=bogus&page=-3").status_code == 200


def test_export_as_filtered(login, db, donor):
    make_items(db, donor, 5)
    web = login("finance.viewer")
    response = web.get("/vien-tro/xuat.xlsx?q=q0003")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã khoản viện trợ"
    assert [r[0] for r in rows[1:]] == ["Q0003"]
    csv_text = web.get("/vien-tro/xuat.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Mã khoản viện trợ,")
    assert len(csv_text.strip().splitlines()) == 6
    assert web.get("/vien-tro/xuat.pdf").status_code == 404


def test_list_export_names_what_the_workbook_codes(login, make_item):
    """People read the list export: donors, sectors and communes by name, not by code."""
    item = make_item("EXP-1", communes=["23344"])
    response = login("finance.viewer").get("/vien-tro/xuat.xlsx?q=EXP-1")
    header, row = list(load_workbook(io.BytesIO(response.data)).active.values)
    values = dict(zip(header, row, strict=True))
    assert values["Nhà tài trợ"] == item.donors[0].organization.name
    assert values["Lĩnh vực"] == "Nước sạch và vệ sinh môi trường (60%); Y tế (40%)"
    assert values["Địa bàn"] == "Xã Đăk Plô"


def test_planning_inbox_shows_overdue_and_alerts(login, db, donor):
    planner = login("planning.officer")
    planner.post(
        "/vien-tro/moi",
        dossier_form(donor, dossier_received_on="02/01/2025", dossier_complete_on="03/01/2025"),
    )
    inbox = planner.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert "VT-2025-01" in inbox and "Quá hạn" in inbox
    assert "Đã phê duyệt quá 6 tháng" in inbox
    overdue_list = planner.get("/vien-tro/?overdue=1").get_data(as_text=True)
    assert "VT-2025-01" in overdue_list
    viewer_inbox = login("leadership.viewer").get("/vien-tro/viec-can-xu-ly")
    assert "Hiện không có việc nào" in viewer_inbox.get_data(as_text=True)


def test_home_shows_what_waits(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    home = planner.get("/").get_data(as_text=True)
    assert "Hồ sơ viện trợ đang xử lý" in home and "<strong>1</strong>" in home
    item = item_by_code(db, "VT-2025-01")
    planner.post(
        f"/vien-tro/{item.id}/buoc/request_opinions", {"agency_ids": agency_ids(db, "police")}
    )
    police_home = login("police.officer").get("/").get_data(as_text=True)
    assert "Ý kiến góp ý về khoản viện trợ cần trả lời" in police_home
    finance_home = login("finance.officer").get("/").get_data(as_text=True)
    assert "Hiện không có việc nào" in finance_home


def test_item_attachments_upload_and_download(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    bad = planner.post(
        f"/vien-tro/{item.id}/tep",
        {"file": (io.BytesIO(b"MZ"), "setup.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 303
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Attachment.id)).where(Attachment.owner_type == "aid_item")
        )
        == 0
    )
    ok = planner.post(
        f"/vien-tro/{item.id}/tep",
        {"file": (io.BytesIO(b"%PDF-1.4 request"), "de-nghi.pdf"), "note": "Văn bản đề nghị"},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.owner_type == "aid_item"))
    viewer = login("leadership.viewer")
    assert "de-nghi.pdf" in viewer.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    download = viewer.get(f"/tep/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 request"
    refused = viewer.post(
        f"/vien-tro/{item.id}/tep",
        {"file": (io.BytesIO(b"%PDF"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403


def test_approval_with_different_approved_value(app, login, db, donor, user):
    from app.aid import services
    from app.aid.models import Decision

    planner_user = user("planning.officer")
    with app.app_context():
        item = services.create_item(item_input([donor.id]), user=planner_user)
        to_appraised(item, planner_user, db, user)
    db.session.commit()
    planner = login("planning.officer")
    response = planner.post(
        f"/vien-tro/{item.id}/buoc/approve",
        {
            "number": "77/QĐ-UBND",
            "signed_on": "25/03/2025",
            "signer": "Chủ tịch",
            "approved_value": "90.000",
        },
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.value_vnd == 2_250_000_000
    decision = db.session.scalar(sa.select(Decision).where(Decision.aid_item_id == item.id))
    assert decision.changes["value_vnd"] == [2_500_000_000, 2_250_000_000]


def test_approved_value_follows_the_money_rules(app, login, db, donor, user):
    from app.aid import services

    planner_user = user("planning.officer")
    with app.app_context():
        fields = {"value": Decimal("1234567000"), "currency": "VND", "rate_vnd": None}
        item = services.create_item(item_input([donor.id], **fields), user=planner_user)
        to_appraised(item, planner_user, db, user)
    db.session.commit()
    planner = login("planning.officer")
    decision = {"number": "78/QĐ-UBND", "signed_on": "25/03/2025", "signer": "Chủ tịch"}
    for value, message in (
        ("1.234.567.000,75", "Số tiền VNĐ không có phần lẻ."),
        ("-5", "không được âm"),
    ):
        refused = planner.post(
            f"/vien-tro/{item.id}/buoc/approve", {**decision, "approved_value": value}
        )
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    db.session.refresh(item)
    from app.aid.models import Decision

    decisions = db.session.scalars(sa.select(Decision).where(Decision.aid_item_id == item.id))
    assert not decisions.all() and item.value_vnd == 1_234_567_000  # nothing half-written
    assert item.decision_number is None


def test_edit_form_with_counterpart_funds_and_absurd_numbers(login, db, donor):
    planner = login("planning.officer")
    planner.post("/vien-tro/moi", dossier_form(donor))
    item = item_by_code(db, "VT-2025-01")
    page = planner.get(f"/vien-tro/{item.id}/sua")
    assert page.status_code == 200 and 'value="150.000.000"' in page.get_data(as_text=True)
    huge = planner.post(
        "/vien-tro/moi", dossier_form(donor, code="X2", value="999.999.999.999.999.999.999")
    )
    assert huge.status_code == 422 and "Số quá lớn" in huge.get_data(as_text=True)
    overflow = planner.post(
        "/vien-tro/moi",
        dossier_form(donor, code="X3", value="900.000.000.000.000", rate_vnd="900.000.000"),
    )
    assert overflow.status_code == 422 and "quá lớn" in overflow.get_data(as_text=True)
    vnd_cents = planner.post(
        "/vien-tro/moi",
        dossier_form(donor, code="X4", currency="VND", value="1.000,5", rate_vnd=""),
    )
    assert vnd_cents.status_code == 422 and "không có phần lẻ" in vnd_cents.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "year=-1",
        "year=10000",
        "year=9999",
        "donor=99999999999999999999",
        "page=99999999999999999999",
        "sort=xyz&page=-1",
    ],
)
def test_absurd_query_parameters_never_500(login, db, query):
    web = login("admin")
    for url in (
        "/vien-tro/",
        "/vien-tro/xuat.csv",
        "/doan/",
        "/doan/xuat.xlsx",
        "/quan-tri/nguoi-dung",
        "/quan-tri/nhat-ky",
        "/quan-tri/xa-phuong",
    ):
        assert web.get(f"{url}?{query}").status_code == 200, (url, query)
    assert web.get("/doan/?host=99999999999999999999").status_code == 200
    assert web.get("/quan-tri/nguoi-dung?agency=99999999999999999999").status_code == 200
    assert web.get("/quan-tri/nhat-ky?user=99999999999999999999").status_code == 200
    assert web.get("/quan-tri/xa-phuong?province=99999999999999999999").status_code == 200


def test_every_broken_rule_of_the_dossier_shown_at_once(login, db, donor):
    planner = login("planning.officer")
    response = planner.post(
        "/vien-tro/moi",
        dossier_form(
            donor,
            main_donor_id="0",
            value="-5",
            counterpart_vnd="-1",
            rate_vnd="0",
            **{"sectors-0-sector": "", "sectors-1-sector": ""},
        ),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng chọn nhà tài trợ chính." in body
    planner_fixed_donor = planner.post(
        "/vien-tro/moi",
        dossier_form(
            donor,
            value="-5",
            counterpart_vnd="-1",
            **{"sectors-0-sector": "", "sectors-1-sector": ""},
        ),
    )
    body = planner_fixed_donor.get_data(as_text=True)
    for message in (
        "Giá trị không được âm.",
        "Vốn đối ứng không được âm.",
        "Vui lòng chọn ít nhất một lĩnh vực.",
    ):
        assert message in body, message
