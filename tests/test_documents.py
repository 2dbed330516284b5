"""Official documents drafted from the record (issue 14): every kind is generated from
records built here, opened with python-docx and read back: the record's number or code, the
Decree 30/2020 layout (national title, agency, number and symbol, place and date written
out, recipients), amounts in figures and in Vietnamese words, agency names from the data
(as named on the drafting day). Also the words themselves, the template versions and the
sending (the copy kept on the record, the notice task closed, audited)."""

import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document
from werkzeug.datastructures import FileStorage

from app.aid.notices import AidNotice
from app.aid.states import AidStatus, NoticeKind
from app.auth.models import AgencyName, User
from app.core.attachments import AttachmentError, file_path
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError, PermissionDenied
from app.core.models import Attachment, AuditEntry
from app.delegations import services as delegation_services
from app.documents import render, services
from app.documents.models import GeneratedDocument
from app.documents.states import DocumentAudit, DocumentKind
from app.documents.wording import date_in_words, number_in_words, place_and_date, vnd_in_words
from tests.fixtures.delegations import border_commune, future, member

S = AidStatus
K = DocumentKind
DAY = date(2026, 12, 2)
WRITTEN = "Quảng Ngãi, ngày 02 tháng 12 năm 2026"
# The fixture's item: USD 100 000 at 25 000 VND, counterpart funds 50 000 000 VND.
VALUE = "2.500.000.000 đồng"
VALUE_WORDS = "Hai tỷ năm trăm triệu đồng"
COUNTERPART_WORDS = "Năm mươi triệu đồng"
PLANNING = "Sở Tài chính tỉnh Quảng Ngãi (đầu mối viện trợ PCPNN)"


def text_of(data: bytes) -> str:
    """Every paragraph of the document, in the body and in (nested) table cells."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(lines)


def drafted(kind, record, user, day=DAY) -> str:
    draft = services.generate(kind, record, user=user, day=day)
    assert draft.filename.endswith(".docx")
    return text_of(draft.data)


def assert_layout(text: str, agency: str) -> None:
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert agency.upper() in text
    assert WRITTEN in text
    assert "Dự thảo ngày 02 tháng 12 năm 2026" in text
    assert "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "{{" not in text and "{%" not in text


# --- Words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi bốn"),
        (55, "năm mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (1015, "một nghìn không trăm mười lăm"),
        (1_001_000, "một triệu không trăm linh một nghìn"),
        (1_000_005, "một triệu không trăm linh năm"),
        (1_234_567, "một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy"),
        (2_500_000_000, "hai tỷ năm trăm triệu"),
        (1_000_005_000, "một tỷ không trăm linh năm nghìn"),
        (1_000_000_000_000, "một nghìn tỷ"),
        (12_345_678_901_234, "mười hai nghìn ba trăm bốn mươi lăm tỷ sáu trăm bảy mươi tám "
         "triệu chín trăm linh một nghìn hai trăm ba mươi bốn"),
    ],
)  # fmt: skip
def test_numbers_in_vietnamese_words(number, words):
    assert number_in_words(number) == words


def test_amounts_and_dates_as_written_on_a_document():
    assert vnd_in_words(1_234_567) == (
        "Một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy đồng"
    )
    assert vnd_in_words(0) == "Không đồng"
    # Decree 30/2020, Appendix I: a leading zero for days below 10 and months 1 and 2.
    assert date_in_words(date(2026, 12, 2)) == "ngày 02 tháng 12 năm 2026"
    assert date_in_words(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert date_in_words(date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"
    assert place_and_date("Quảng Ngãi", DAY) == WRITTEN


# --- Aid items ----------------------------------------------------------------------------------


def test_opinion_request_letter(app_ctx, db, make_item, user):
    item = make_item("VT-D1", status=S.XIN_Y_KIEN)
    text = drafted(K.AID_OPINION_REQUEST, item, user("planning.officer"))
    assert_layout(text, PLANNING)
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in text  # the governing line (no parent agency)
    assert "Số:        /STC-VT" in text  # number left for the clerk, agency's symbol
    assert "V/v xin ý kiến về khoản viện trợ VT-D1" in text and "Kính gửi:" in text
    for opinion in item.opinions:  # the consulted agencies, by their names in the data
        assert f"- {opinion.agency.name};" in text
    assert f"100.000,00 USD, tương đương {VALUE} (bằng chữ: {VALUE_WORDS})" in text
    assert f"50.000.000 đồng (bằng chữ: {COUNTERPART_WORDS})" in text
    assert f"gửi về trước {date_in_words(item.opinions[0].due_on)}" in text


def test_appraisal_report_lists_the_opinions(app_ctx, db, make_item, user):
    item = make_item("VT-D2", status=S.THAM_DINH)
    text = drafted(K.AID_APPRAISAL_REPORT, item, user("planning.officer"))
    assert_layout(text, PLANNING)
    assert "BÁO CÁO THẨM ĐỊNH" in text and "Số:        /BC-STC-VT" in text
    assert "Khoản viện trợ VT-D2 – Dự án nước sạch xã Đăk Tô" in text
    assert "Đồng ý" in text and "12/STC" in text and "Đủ điều kiện" in text
    assert f"(bằng chữ: {VALUE_WORDS})" in text


def test_draft_approval_decision_is_the_committee_s(app_ctx, db, make_item, user):
    item = make_item("VT-D3", status=S.THAM_DINH)
    text = drafted(K.AID_APPROVAL_DRAFT, item, user("planning.officer"))
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in text and "Số:        /QĐ-UBND" in text
    assert "QUYẾT ĐỊNH" in text and "Điều 1. Phê duyệt khoản viện trợ VT-D3" in text
    assert "Về việc phê duyệt khoản viện trợ VT-D3" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text
    assert "Nghị định 313/2025/NĐ-CP" in text  # the item's regime
    assert f"{VALUE} (bằng chữ: {VALUE_WORDS})" in text and WRITTEN in text


def test_refusal_letter_gives_the_reasons(app_ctx, db, make_item, user):
    item = make_item("VT-D4", status=S.KHONG_CHAP_THUAN)
    text = drafted(K.AID_REFUSAL_LETTER, item, user("planning.officer"))
    assert_layout(text, PLANNING)
    assert "V/v không chấp thuận khoản viện trợ VT-D4" in text
    assert "Lý do: Không phù hợp" in text
    assert f"{VALUE} (bằng chữ: {VALUE_WORDS})" in text
    assert "- Organisation D-VT-D4;" in text  # the donor, from the data


def test_decision_notice_to_the_donor(app_ctx, db, make_item, user):
    item = make_item("VT-D5", status=S.DA_PHE_DUYET)
    text = drafted(K.AID_DECISION_NOTICE, item, user("planning.officer"))
    assert_layout(text, PLANNING)
    assert f"Quyết định số {item.id}/QĐ-UBND ngày 25 tháng 3 năm 2025" in text
    assert "Số:        /TB-STC-VT" in text and "Organisation D-VT-D5" in text
    assert f"(bằng chữ: {VALUE_WORDS})" in text


def test_the_agency_is_named_as_it_was_on_the_drafting_day(app_ctx, db, make_item, user):
    planner = user("planning.officer")
    db.session.add(
        AgencyName(agency_id=planner.agency_id, name="Sở Kế hoạch và Đầu tư tỉnh Quảng Ngãi",
                   used_until=date(2026, 1, 1))
    )  # fmt: skip
    db.session.flush()
    item = make_item("VT-D6", status=S.XIN_Y_KIEN)
    before = drafted(K.AID_OPINION_REQUEST, item, planner, day=date(2025, 12, 2))
    assert "SỞ KẾ HOẠCH VÀ ĐẦU TƯ TỈNH QUẢNG NGÃI" in before
    assert "Quảng Ngãi, ngày 02 tháng 12 năm 2025" in before
    assert PLANNING.upper() in drafted(K.AID_OPINION_REQUEST, item, planner)


# --- Delegations --------------------------------------------------------------------------------


def test_reply_letter_agrees_with_the_conditions(app, db, make_delegation, user):
    d = make_delegation("DV-D1", stage="under_review")
    with app.app_context():
        fa, police = user("foreign_affairs.officer"), user("police.officer")
        delegation_services.record_review(d, "foreign_affairs", "dong_y", "Phù hợp", user=fa)
        delegation_services.record_review(
            d, "police", "dong_y_co_dieu_kien", "Không vào khu quân sự", user=police
        )
        text = drafted(K.DELEGATION_REPLY, d, fa)
    assert_layout(text, "Sở Ngoại vụ tỉnh Quảng Ngãi")
    assert "V/v trả lời đề nghị đón đoàn DV-D1" in text
    assert "đồng ý với các điều kiện sau" in text
    assert "- Công an tỉnh Quảng Ngãi: Không vào khu quân sự" in text
    assert "- UBND xã Đăk Tô;" in text  # the lodging agency
    assert date_in_words(d.start_on) in text


def test_reply_letter_refuses_with_the_reason(app, db, make_delegation, user):
    d = make_delegation("DV-D2", stage="reviewed")
    with app.app_context():
        fa = user("foreign_affairs.officer")
        delegation_services.refuse_delegation(d, "Trùng lịch làm việc", user=fa)
        text = drafted(K.DELEGATION_REPLY, d, fa)
    assert "không đồng ý" in text and "Lý do: Trùng lịch làm việc" in text
    assert "DV-D2" in text and WRITTEN in text


def test_border_notice_names_police_and_border_guard(app, db, make_delegation, user):
    with app.app_context():
        commune = border_commune(db)
        stop = {
            "day": None,
            "commune_code": commune.code,
            "place": "Cửa khẩu",
            "activity": "Khảo sát",
        }
        d = make_delegation("DV-D3", stage="under_review", stops=[stop], start=future(20))
        text = drafted(K.DELEGATION_BORDER_NOTICE, d, user("other.officer"))
    assert_layout(text, "UBND xã Đăk Tô")
    assert "Về việc đoàn DV-D3 vào khu vực biên giới" in text
    assert "- Công an tỉnh Quảng Ngãi;" in text
    assert "- Bộ Chỉ huy Bộ đội Biên phòng tỉnh Quảng Ngãi;" in text
    assert f"Cửa khẩu, {commune.name}" in text and "Khảo sát" in text


def test_reception_list_without_personal_data(app, db, make_delegation, user):
    members = [member(), member("Lee Ji-eun", passport="M7654321", sex="nu", is_head=True)]
    d = make_delegation("DV-D4", stage="submitted", members=members)
    with app.app_context():
        text = drafted(K.DELEGATION_RECEPTION_LIST, d, user("foreign_affairs.officer"))
    assert_layout(text, "Sở Ngoại vụ tỉnh Quảng Ngãi")
    assert "DANH SÁCH ĐOÀN" in text and "DV-D4" in text and "Số:        /DS-SNgV" in text
    assert "Lee Ji-eun (Trưởng đoàn)" in text and "Kim Min-jun" in text and "Hàn Quốc" in text
    assert "M1234567" not in text and "M7654321" not in text and "1980" not in text


# --- The year's report ------------------------------------------------------------------------


def test_annual_aid_report_has_the_year_s_figures(app_ctx, db, make_item, user):
    make_item("VT-Y1", status=S.DA_PHE_DUYET)  # approved 25/03/2025
    text = drafted(K.ANNUAL_AID_REPORT, 2025, user("planning.officer"))
    assert_layout(text, PLANNING)
    assert "Tình hình tiếp nhận, quản lý và sử dụng viện trợ năm 2025" in text
    assert f"đã phê duyệt 1 khoản viện trợ, tổng giá trị {VALUE} (bằng chữ: {VALUE_WORDS})" in text
    assert f"vốn đối ứng 50.000.000 đồng (bằng chữ: {COUNTERPART_WORDS})" in text
    assert "Hoa Kỳ" in text  # the donor's country, from the statistics
    assert "- Bộ Tài chính;" in text


# --- The plan's periodic report -----------------------------------------------------------------


def _plan_report(user, *, year=2025, half=1):
    """A half-year report opened by foreign affairs, asking the police and the 'other' agency."""
    from datetime import timedelta

    from app.planreport import services as plan

    fa = user("foreign_affairs.officer")
    report = plan.create_report(
        plan.ReportData(
            period_kind="nua_nam",
            year=year,
            half=half,
            deadline=today_vn() + timedelta(days=10),
            agency_ids=[user("police.officer").agency_id, user("other.officer").agency_id],
        ),
        user=fa,
    )
    plan.open_report(report, user=fa)
    return report


def test_plan_report_draft_has_the_period_figures_and_texts(app_ctx, db, make_item, user):
    from app.planreport import plan_items
    from app.planreport import services as plan

    make_item("VT-K1", status=S.DA_PHE_DUYET)  # approved 25/03/2025: in the first half of 2025
    report = _plan_report(user)
    fa = user("foreign_affairs.officer")
    plan.consolidate(
        report, {2: "Các hội hữu nghị tổ chức 3 hoạt động.\nGiao lưu với Lào."}, user=fa,
        version=report.version,
    )  # fmt: skip
    plan.contribute(report, 3, "Công an: 4 đoàn vào", user=user("police.officer"), version=0)
    text = drafted(K.PLAN_REPORT, report, fa)
    assert_layout(text, "Sở Ngoại vụ tỉnh Quảng Ngãi")
    assert "Số:        /BC-SNgV" in text and "BÁO CÁO" in text
    assert "Kết quả thực hiện Kế hoạch công tác đối ngoại nhân dân 6 tháng đầu năm 2025" in text
    assert "từ ngày 01/01/2025 đến ngày 30/06/2025" in text
    assert f"2. {plan_items.item(2).title}" in text and f"3. {plan_items.item(3).title}" in text
    # The registry's figures for the period, as the report's page shows them (money in words).
    assert "Viện trợ phi chính phủ nước ngoài: Khoản viện trợ được phê duyệt: 1." in text
    assert (
        f"Viện trợ phi chính phủ nước ngoài: Giá trị viện trợ được phê duyệt: {VALUE} "
        f"(bằng chữ: {VALUE_WORDS})."
    ) in text
    # Item 2 consolidated (one paragraph per line); item 3 only the police's text, as a draft.
    assert "Các hội hữu nghị tổ chức 3 hoạt động.\nGiao lưu với Lào." in text
    assert "(Dự thảo của Công an tỉnh Quảng Ngãi, chưa tổng hợp)\nCông an: 4 đoàn vào" in text
    assert "(Chưa có nội dung.)" in text  # the other items
    assert "Ủy ban nhân dân tỉnh Quảng Ngãi (để báo cáo)" in text
    # Another half-year counts nothing of that approval.
    other = drafted(K.PLAN_REPORT, _plan_report(user, half=2), fa)
    assert "Khoản viện trợ được phê duyệt: 0." in other and VALUE not in other
    assert "6 tháng cuối năm 2025" in other
    # Only foreign-affairs officers draft it.
    with pytest.raises(PermissionDenied):
        services.generate(K.PLAN_REPORT, report, user=user("police.officer"))
    assert services.offered_kinds("plan_report", report, user("foreign_affairs.viewer")) == []


def test_a_sent_plan_report_is_kept_on_the_report(app_ctx, db, user):
    from app.core.permissions import read_attachment

    report = _plan_report(user)
    fa = user("foreign_affairs.officer")
    document = services.generate(K.PLAN_REPORT, report, user=fa, day=today_vn()).document
    services.mark_sent(document, today_vn(), "12/BC-SNgV", user=fa, version=document.version)
    kept = document.attachment
    assert (kept.owner_type, kept.owner_id) == ("plan_report", report.id)
    assert services.documents_of("plan_report", report.id) == [document]
    # Read by whoever reads the report (the asked police), not by an agency not asked.
    assert read_attachment.allows(user("police.officer"), kept)
    assert read_attachment.allows(user("police.officer"), document.draft_attachment)
    assert not read_attachment.allows(user("planning.officer"), kept)
    assert not read_attachment.allows(user("planning.officer"), document.draft_attachment)


# --- Rules, records and versions ----------------------------------------------------------------


def test_a_document_is_offered_at_its_step_only(app_ctx, db, make_item, user):
    planner = user("planning.officer")
    item = make_item("VT-D7", status=S.TIEP_NHAN)
    offered = services.offered_kinds("aid_item", item, planner)
    assert K.AID_OPINION_REQUEST in offered and K.AID_DECISION_NOTICE not in offered
    with pytest.raises(DomainError, match="Dự thảo quyết định phê duyệt"):
        services.generate(K.AID_APPROVAL_DRAFT, item, user=planner)
    with pytest.raises(PermissionDenied):
        services.generate(K.AID_OPINION_REQUEST, item, user=user("police.officer"))
    assert services.offered_kinds("aid_item", item, user("planning.viewer")) == []


def test_each_draft_is_recorded_with_its_file_and_audited(app_ctx, db, make_item, user):
    item = make_item("VT-D8", status=S.XIN_Y_KIEN)
    draft = services.generate(K.AID_OPINION_REQUEST, item, user=user("planning.officer"))
    document = draft.document
    assert (document.owner_type, document.owner_id) == ("aid_item", item.id)
    assert document.drafted_on == today_vn() and document.template_version == 0
    assert file_path(document.draft_attachment).read_bytes() == draft.data
    assert services.documents_of("aid_item", item.id) == [document]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == DocumentAudit.GENERATE,
            AuditEntry.object_id == str(document.id),
        )
    )
    assert "VT-D8" in entry.summary


def _docx_with(paragraph: str) -> bytes:
    document = Document(io.BytesIO(render.default_template("aid_opinion_request")))
    document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(data: bytes, name="mau.docx"):
    return FileStorage(io.BytesIO(data), filename=name)


def test_a_new_template_version_is_used_and_the_old_ones_stay(app_ctx, db, make_item, user):
    admin, planner = user("admin"), user("planning.officer")
    item = make_item("VT-D9", status=S.XIN_Y_KIEN)
    first = services.upload_template(
        K.AID_OPINION_REQUEST, _upload(_docx_with("Mẫu mới {{ item.code }}")), user=admin
    )
    second = services.upload_template(
        K.AID_OPINION_REQUEST, _upload(_docx_with("Mẫu thứ hai {{ item.code }}")), user=admin
    )
    assert (first.version, second.version) == (1, 2)
    assert [v.version for v in services.template_versions(K.AID_OPINION_REQUEST)] == [2, 1]
    assert not first.active and second.active
    draft = services.generate(K.AID_OPINION_REQUEST, item, user=planner)
    assert "Mẫu thứ hai VT-D9" in text_of(draft.data) and draft.document.template_version == 2
    services.activate_template(K.AID_OPINION_REQUEST, 1, user=admin)
    assert "Mẫu mới VT-D9" in text_of(
        services.generate(K.AID_OPINION_REQUEST, item, user=planner).data
    )
    services.activate_template(K.AID_OPINION_REQUEST, 0, user=admin)
    text = text_of(services.generate(K.AID_OPINION_REQUEST, item, user=planner).data)
    assert "Mẫu" not in text and "VT-D9" in text
    with pytest.raises(PermissionDenied):
        services.upload_template(K.AID_OPINION_REQUEST, _upload(_docx_with("x")), user=planner)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "không phải tệp Word"),
        (b"", "không phải tệp Word"),
        ("zip", "không phải tệp Word"),
        ("syntax", "lỗi cú pháp"),
        ("unknown", "không có trong văn bản này: secret"),
    ],
)
def test_a_bad_template_is_refused_in_vietnamese(app_ctx, data, message):
    if data == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("other.xml", "<a/>")
        data = out.getvalue()
    elif data == "syntax":
        data = _docx_with("{{ item.code ")
    elif data == "unknown":
        data = _docx_with("{{ secret }}")
    with pytest.raises(AttachmentError, match=message):
        render.check_template("aid_opinion_request", data)


def test_a_template_s_size_is_bounded(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_TEMPLATE_MAX_BYTES", 1000)
    with pytest.raises(AttachmentError, match="vượt quá dung lượng"):
        render.check_template("aid_opinion_request", _docx_with("x"))


def test_marking_the_donor_notice_sent_keeps_the_file_and_closes_the_task(
    app_ctx, db, make_item, user
):
    planner = user("planning.officer")
    item = make_item("VT-DA", status=S.DA_PHE_DUYET)
    document = services.generate(K.AID_DECISION_NOTICE, item, user=planner).document
    services.mark_sent(document, today_vn(), "45/STC-VT", user=planner, version=document.version)
    db.session.flush()
    assert document.is_sent and document.document_number == "45/STC-VT"
    kept = db.session.get(Attachment, document.attachment_id)
    assert (kept.owner_type, kept.owner_id) == ("aid_item", item.id)
    assert kept.sha256 == document.draft_attachment.sha256
    task = db.session.scalar(
        sa.select(AidNotice).where(
            AidNotice.aid_item_id == item.id, AidNotice.kind == NoticeKind.NHA_TAI_TRO.value
        )
    )
    assert task.done_on == today_vn() and task.document_number == "45/STC-VT"
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "generated_document")
    ).all()
    assert DocumentAudit.SENT in actions
    with pytest.raises(DomainError, match="đã được ghi nhận gửi"):
        services.mark_sent(document, today_vn(), "46", user=planner, version=document.version)


def test_marking_sent_checks_the_date_and_number(app_ctx, db, make_item, user):
    planner = user("planning.officer")
    item = make_item("VT-DB", status=S.XIN_Y_KIEN)
    document = services.generate(K.AID_OPINION_REQUEST, item, user=planner).document
    with pytest.raises(FieldError) as refused:
        services.mark_sent(document, None, "", user=planner, version=document.version)
    assert set(refused.value.errors) == {"sent_on", "document_number"}
    assert not document.is_sent


def test_marking_the_border_notice_sent_records_the_notice(app, db, make_delegation, user):
    with app.app_context():
        commune = border_commune(db)
        stop = {"day": None, "commune_code": commune.code, "place": None, "activity": None}
        d = make_delegation("DV-D5", stage="under_review", stops=[stop], start=future(20))
        host = user("other.officer")
        document = services.generate(K.DELEGATION_BORDER_NOTICE, d, user=host).document
        services.mark_sent(document, today_vn(), "7/TB-UBND", user=host, version=document.version)
        db.session.flush()
        assert d.border_notice_on == today_vn()
        kept = db.session.get(Attachment, document.attachment_id)
        assert (kept.owner_type, kept.owner_id) == ("delegation", d.id)


def test_generated_document_rows_are_listed_newest_first(app_ctx, db, make_item, user):
    planner = user("planning.officer")
    item = make_item("VT-DC", status=S.THAM_DINH)
    first = services.generate(K.AID_APPRAISAL_REPORT, item, user=planner).document
    second = services.generate(K.AID_APPROVAL_DRAFT, item, user=planner).document
    assert services.documents_of("aid_item", item.id) == [second, first]
    assert db.session.scalar(sa.select(sa.func.count(GeneratedDocument.id))) >= 2
    assert isinstance(first.generated_by, User)


# --- The migration ----------------------------------------------------------------------------


def test_migration_creates_and_drops_the_tables(tmp_root):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_docsmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="f9b1d3e5a7c0")
        inspector = sa.inspect(_db.engine)
        assert {"document_template", "generated_document"} <= set(inspector.get_table_names())
        indexes = {ix["name"] for ix in inspector.get_indexes("generated_document")}
        assert "ix_generated_document_owner" in indexes
        _db.session.remove()
        downgrade(revision="e8a0c2d4f6b9")
        names = set(sa.inspect(_db.engine).get_table_names())
        assert not {"document_template", "generated_document"} & names
        _db.session.remove()
        upgrade(revision="f9b1d3e5a7c0")
        assert "generated_document" in sa.inspect(_db.engine).get_table_names()
        _db.session.remove()
        _db.engine.dispose()
    reset_database(url)


def test_the_default_templates_are_the_script_s_output_byte_for_byte(tmp_path):
    """scripts/make_docx_templates.py rebuilds every committed default (plan report too)
    byte for byte: a changed builder shows in git as a changed file, nothing else."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "make_docx_templates.py"
    spec = importlib.util.spec_from_file_location("make_docx_templates", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert {p.stem for p in written} == {kind.value for kind in K}
    for path in written:
        assert path.read_bytes() == render.default_template(path.stem), path.name
