"""Official documents through the web (issue 14): offered on the record's page at its step,
drafted and downloaded by whoever may act on that step (403 for others), kept in the
record's list of documents; marked sent (the file kept on the record, the notice task
closed); templates uploaded by administrators as new versions (bad file 422 in Vietnamese,
size bounded), the old ones kept. Real logins and CSRF tokens."""

import io
import re

import sqlalchemy as sa
from docx import Document

from app.aid.notices import AidNotice
from app.aid.states import AidStatus, NoticeKind
from app.core.dates import format_date, today_vn
from app.core.models import Attachment
from app.documents import render
from app.documents.models import DocumentTemplate, GeneratedDocument
from tests.fixtures.delegations import border_commune, future

S = AidStatus
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def body_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def documents(db, owner_type, owner_id) -> list[GeneratedDocument]:
    return db.session.scalars(
        sa.select(GeneratedDocument)
        .where(GeneratedDocument.owner_type == owner_type, GeneratedDocument.owner_id == owner_id)
        .order_by(GeneratedDocument.id)
    ).all()


def test_the_item_page_offers_the_letter_and_the_officer_downloads_it(login, db, make_item):
    item = make_item("VT-W1", status=S.XIN_Y_KIEN)
    web = login("planning.officer")
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert 'data-testid="record-documents"' in page
    assert "Soạn: Công văn xin ý kiến các cơ quan (.docx)" in page
    assert "Dự thảo quyết định phê duyệt" not in page  # not at this step
    response = web.post(f"/van-ban/soan/aid_opinion_request/{item.id}")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "aid_opinion_request_VT-W1_" in response.headers["Content-Disposition"]
    text = body_text(response.data)
    assert "VT-W1" in text and "(bằng chữ: Hai tỷ năm trăm triệu đồng)" in text
    assert re.search(r"ngày \d\d tháng \d{1,2} năm \d{4}", text)
    [document] = documents(db, "aid_item", item.id)
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "Chưa gửi" in page and f"/van-ban/{document.id}/da-gui" in page
    # The draft stays downloadable from the record's list, by any reader of the registry.
    draft = login("police.viewer").get(f"/tep/{document.draft_attachment_id}")
    assert draft.status_code == 200 and body_text(draft.data) == text


def test_only_those_who_act_on_the_step_draft(login, make_item, make_delegation):
    item = make_item("VT-W2", status=S.XIN_Y_KIEN)
    for username in ("police.officer", "planning.viewer", "admin"):
        web = login(username)
        assert web.post(f"/van-ban/soan/aid_opinion_request/{item.id}").status_code == 403
        page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
        assert "Soạn: Công văn xin ý kiến" not in page
    d = make_delegation("DV-W1", stage="reviewed")
    assert login("other.officer").post(f"/van-ban/soan/delegation_reply/{d.id}").status_code == 403
    fa = login("foreign_affairs.officer")
    response = fa.post(f"/van-ban/soan/delegation_reply/{d.id}")
    assert response.status_code == 200 and "DV-W1" in body_text(response.data)
    assert login("planning.officer").post("/van-ban/soan/annual_aid_report/2025").status_code == 200
    assert login("police.officer").post("/van-ban/soan/annual_aid_report/2025").status_code == 403


def test_a_document_not_at_its_step_is_refused_and_unknown_ones_are_404(login, make_item):
    item = make_item("VT-W3", status=S.TIEP_NHAN)
    web = login("planning.officer")
    refused = web.post(f"/van-ban/soan/aid_approval_draft/{item.id}")
    assert refused.status_code == 409
    assert "Không soạn “Dự thảo quyết định phê duyệt”" in refused.get_data(as_text=True)
    assert web.post(f"/van-ban/soan/no_such_kind/{item.id}").status_code == 404
    assert web.post("/van-ban/soan/aid_opinion_request/999999").status_code == 404
    assert web.post("/van-ban/soan/annual_aid_report/1800").status_code == 404
    assert web.post(f"/van-ban/soan/aid_opinion_request/{item.id}", csrf=False).status_code == 400


def test_a_delegation_draft_of_another_agency_is_not_found(login, make_delegation):
    d = make_delegation("DV-W2", stage="draft")
    assert (
        login("police.officer").post(f"/van-ban/soan/delegation_reception_list/{d.id}").status_code
        == 404
    )


def test_marking_sent_keeps_the_file_and_closes_the_notice_task(login, db, make_item):
    item = make_item("VT-W4", status=S.DA_PHE_DUYET)
    web = login("planning.officer")
    assert web.post(f"/van-ban/soan/aid_decision_notice/{item.id}").status_code == 200
    [document] = documents(db, "aid_item", item.id)
    form = web.get(f"/van-ban/{document.id}/da-gui").get_data(as_text=True)
    assert "Ngày gửi" in form and "Số văn bản" in form
    invalid = web.post(
        f"/van-ban/{document.id}/da-gui", {"version": document.version, "sent_on": ""}
    )
    assert invalid.status_code == 422 and "Vui lòng nhập ngày gửi." in invalid.get_data(
        as_text=True
    )
    sent = web.post(
        f"/van-ban/{document.id}/da-gui",
        {
            "version": document.version,
            "sent_on": format_date(today_vn()),
            "document_number": "9/TB",
        },
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/vien-tro/{item.id}")
    db.session.expire_all()
    document = db.session.get(GeneratedDocument, document.id)
    assert document.sent_on == today_vn() and document.document_number == "9/TB"
    kept = db.session.get(Attachment, document.attachment_id)
    assert (kept.owner_type, kept.owner_id) == ("aid_item", item.id)
    task = db.session.scalar(
        sa.select(AidNotice).where(
            AidNotice.aid_item_id == item.id, AidNotice.kind == NoticeKind.NHA_TAI_TRO.value
        )
    )
    assert task.done_on == today_vn() and task.document_number == "9/TB"
    page = web.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "Đã gửi" in page and kept.filename in page  # in the item's files too
    again = web.post(
        f"/van-ban/{document.id}/da-gui",
        {"version": document.version, "sent_on": format_date(today_vn()), "document_number": "10"},
    )
    assert again.status_code == 409
    assert web.get(f"/van-ban/{document.id}/da-gui").status_code == 409
    assert login("police.officer").get(f"/van-ban/{document.id}/da-gui").status_code == 403


def test_a_stale_sent_form_is_refused(login, db, make_item):
    item = make_item("VT-W5", status=S.XIN_Y_KIEN)
    web = login("planning.officer")
    web.post(f"/van-ban/soan/aid_opinion_request/{item.id}")
    [document] = documents(db, "aid_item", item.id)
    stale = web.post(
        f"/van-ban/{document.id}/da-gui",
        {
            "version": document.version + 1,
            "sent_on": format_date(today_vn()),
            "document_number": "1",
        },
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert not db.session.get(GeneratedDocument, document.id).is_sent


def test_the_border_notice_sent_from_the_delegation_page(login, db, app, make_delegation):
    with app.app_context():
        commune = border_commune(db)
        stop = {"day": None, "commune_code": commune.code, "place": None, "activity": None}
        d = make_delegation("DV-W3", stage="under_review", stops=[stop], start=future(20))
    host = login("other.officer")
    page = host.get(f"/doan/{d.id}").get_data(as_text=True)
    assert "Soạn: Thông báo Công an, Bộ đội Biên phòng" in page
    assert host.post(f"/van-ban/soan/delegation_border_notice/{d.id}").status_code == 200
    [document] = documents(db, "delegation", d.id)
    sent = host.post(
        f"/van-ban/{document.id}/da-gui",
        {
            "version": document.version,
            "sent_on": format_date(today_vn()),
            "document_number": "3/TB",
        },
    )
    assert sent.status_code == 302
    page = host.get(f"/doan/{d.id}").get_data(as_text=True)
    assert f"Đã thông báo Công an, Bộ đội Biên phòng ngày {format_date(today_vn())}" in page


def test_the_statistics_year_page_offers_the_annual_report(login):
    page = login("planning.officer").get("/thong-ke/2025").get_data(as_text=True)
    assert "Soạn: Báo cáo tình hình tiếp nhận viện trợ năm (.docx)" in page
    assert "/van-ban/soan/annual_aid_report/2025" in page
    other = login("police.viewer").get("/thong-ke/2025").get_data(as_text=True)
    assert "/van-ban/soan/annual_aid_report" not in other


def test_the_plan_report_page_offers_its_draft_to_foreign_affairs(login, db, user):
    from tests.test_planreport_web import open_report

    fa = login("foreign_affairs.officer")
    report_id = open_report(fa, user, year=2025)  # asks the police and the 'other' agency
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    assert "Soạn: Báo cáo thực hiện Kế hoạch đối ngoại nhân dân (.docx)" in page
    response = fa.post(f"/van-ban/soan/plan_report/{report_id}")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "plan_report_BCKH-2025-H1_" in response.headers["Content-Disposition"]
    text = body_text(response.data)
    assert "Kết quả thực hiện Kế hoạch công tác đối ngoại nhân dân 6 tháng đầu năm 2025" in text
    assert re.search(r"ngày \d\d tháng \d\d năm \d{4}", text)
    [document] = documents(db, "plan_report", report_id)
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    assert "Chưa gửi" in page and f"/van-ban/{document.id}/da-gui" in page
    # Another agency's officer: asked (reads the report) or not, never drafts it.
    for username in ("police.officer", "planning.officer", "foreign_affairs.viewer"):
        web = login(username)
        assert web.post(f"/van-ban/soan/plan_report/{report_id}").status_code == 403
    police = login("police.officer").get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    assert "Soạn: Báo cáo thực hiện" not in police and "Đánh dấu đã gửi" not in police
    # Sent: the file is kept with the report, readable by its readers only.
    sent = fa.post(
        f"/van-ban/{document.id}/da-gui",
        {
            "version": document.version,
            "sent_on": format_date(today_vn()),
            "document_number": "7/BC",
        },
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(
        f"/bao-cao-ke-hoach/{report_id}"
    )
    db.session.expire_all()
    kept = db.session.get(Attachment, db.session.get(GeneratedDocument, document.id).attachment_id)
    assert (kept.owner_type, kept.owner_id) == ("plan_report", report_id)
    assert login("police.officer").get(f"/tep/{kept.id}").status_code == 200
    assert login("planning.officer").get(f"/tep/{kept.id}").status_code == 403
    assert fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True).count("Đã gửi") >= 1


# --- Templates ---------------------------------------------------------------------------------


def _template(extra: str) -> bytes:
    document = Document(io.BytesIO(render.default_template("aid_opinion_request")))
    document.add_paragraph(extra)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _post_template(web, data: bytes, name="mau.docx", note="Mẫu 2027"):
    return web.post(
        "/van-ban/mau/aid_opinion_request",
        {"file": (io.BytesIO(data), name), "note": note},
        content_type="multipart/form-data",
    )


def test_admin_uploads_a_new_version_and_the_old_ones_stay(login, db, make_item):
    admin = login("admin")
    listing = admin.get("/van-ban/mau").get_data(as_text=True)
    assert "Công văn xin ý kiến các cơ quan" in listing and "Mẫu mặc định" in listing
    assert _post_template(admin, _template("Phiên bản A {{ item.code }}")).status_code == 302
    assert _post_template(admin, _template("Phiên bản B {{ item.code }}")).status_code == 302
    page = admin.get("/van-ban/mau/aid_opinion_request").get_data(as_text=True)
    assert "Phiên bản 1" in page and "Phiên bản 2" in page and "Dùng phiên bản này" in page
    assert "Dùng mẫu mặc định" in page and "item" in page  # the values a template may use
    versions = db.session.scalars(
        sa.select(DocumentTemplate).where(DocumentTemplate.kind == "aid_opinion_request")
    ).all()
    assert sorted((v.version, v.active) for v in versions) == [(1, False), (2, True)]
    item = make_item("VT-W6", status=S.XIN_Y_KIEN)
    drafted = login("planning.officer").post(f"/van-ban/soan/aid_opinion_request/{item.id}")
    assert "Phiên bản B VT-W6" in body_text(drafted.data)
    back = admin.post("/van-ban/mau/aid_opinion_request/dung", {"version": 1})
    assert back.status_code == 302
    drafted = login("planning.officer").post(f"/van-ban/soan/aid_opinion_request/{item.id}")
    assert "Phiên bản A VT-W6" in body_text(drafted.data)
    default = admin.get("/van-ban/mau/aid_opinion_request/mac-dinh.docx")
    assert default.status_code == 200 and default.data == render.default_template(
        "aid_opinion_request"
    )


def test_a_bad_template_comes_back_with_a_vietnamese_error(login, db, app, monkeypatch):
    admin = login("admin")
    bad = _post_template(admin, b"this is not a word file")
    assert bad.status_code == 422
    assert "Tệp mẫu không phải tệp Word (.docx) hợp lệ." in bad.get_data(as_text=True)
    unknown = _post_template(admin, _template("{{ passport_numbers }}"))
    assert unknown.status_code == 422
    assert "passport_numbers" in unknown.get_data(as_text=True)
    wrong_type = _post_template(admin, b"%PDF-1.4", name="mau.pdf")
    assert wrong_type.status_code == 422 and "(.docx)" in wrong_type.get_data(as_text=True)
    monkeypatch.setitem(app.config, "DOCUMENT_TEMPLATE_MAX_BYTES", 2000)
    big = _post_template(admin, _template("x"))
    assert big.status_code == 422 and "vượt quá dung lượng" in big.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0


def test_only_administrators_manage_templates(login):
    for username in ("planning.officer", "foreign_affairs.officer"):
        web = login(username)
        assert web.get("/van-ban/mau").status_code == 403
        assert _post_template(web, _template("x")).status_code == 403
        assert web.post("/van-ban/mau/aid_opinion_request/dung", {"version": 0}).status_code == 403
