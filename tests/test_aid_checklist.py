"""Issue 12, point 10: the dossier checklist by kind of aid and regime (Decree 80/2020
Art 8), documents ticked as received by hand or with their file (audited), and the
appraisal's warning about missing documents (it never refuses)."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.aid import checklist, services
from app.aid.models import AidItem
from app.aid.states import AidAudit, AidStatus
from app.core.errors import FieldError
from app.core.models import AuditEntry
from tests.test_aid_web import dossier_form, item_by_code

S = AidStatus
BASE = ["cong_van_de_nghi", "cam_ket", "van_kien", "tu_cach_phap_ly"]


def documents(regime, kinds, central=False):
    return [r.document for r in checklist.required(regime, kinds, central)]


def test_required_documents_by_kind_and_regime():
    assert documents("nd80_2020", []) == BASE
    assert documents("nd80_2020", ["chuyen_gia"]) == [
        *BASE, "ly_lich_chuyen_gia", "chuong_trinh_chuyen_gia", "giay_phep_lao_dong",
    ]  # fmt: skip
    assert documents("nd80_2020", ["hang_da_qua_su_dung"]) == [*BASE, "giam_dinh_chat_luong"]
    vehicles = documents("nd80_2020", ["phuong_tien_da_qua_su_dung", "hang_da_qua_su_dung"])
    assert vehicles == [*BASE, "giam_dinh_chat_luong", "dang_ky_phuong_tien", "dang_kiem"]
    # Decree 313/2025: its text was not found, Decree 80's list stands (a setting).
    assert documents("nd313_2025", ["chuyen_gia"]) == documents("nd80_2020", ["chuyen_gia"])
    assert documents("nd93_2009", ["chuyen_gia"]) == []
    cited = checklist.required("nd80_2020", ["chuyen_gia", "phuong_tien_da_qua_su_dung"], False)
    assert {r.citation for r in cited} == {
        checklist.ART_8_BASE, checklist.ART_8_EXPERTS, checklist.ART_8_USED_GOODS,
        checklist.ART_8_VEHICLES,
    }  # fmt: skip


def test_used_goods_papers_are_the_law_only_for_central_items(app_ctx, db, make_item):
    kinds = ["hang_da_qua_su_dung"]
    provincial = db.session.get(AidItem, make_item("VT-K1", aid_kinds=kinds).id)
    central = db.session.get(
        AidItem, make_item("VT-K2", aid_kinds=kinds, central_reason="hang_nhap_khau").id
    )
    row = {r.document: r for r in provincial.dossier_checklist()}["giam_dinh_chat_luong"]
    assert row.house_rule and not row.received
    row = {r.document: r for r in central.dossier_checklist()}["giam_dinh_chat_luong"]
    assert not row.house_rule


def test_mark_and_attach_documents_are_audited(app_ctx, app, db, user, make_item):
    from werkzeug.datastructures import FileStorage

    planner = user("planning.officer")
    item = db.session.get(AidItem, make_item("VT-K3", aid_kinds=["chuyen_gia"]).id)
    assert [r.document for r in checklist.missing(item)] == [
        "cam_ket", "van_kien", "tu_cach_phap_ly", "ly_lich_chuyen_gia",
        "chuong_trinh_chuyen_gia", "giay_phep_lao_dong",
    ]  # fmt: skip
    services.mark_document(item, "cam_ket", True, user=planner)
    with pytest.raises(FieldError):
        services.mark_document(item, "khong_co", True, user=planner)
    upload = FileStorage(io.BytesIO(b"%PDF-1.4 cv"), "cv.pdf")
    stored = services.attach_file(item, upload, "CV", "ly_lich_chuyen_gia", user=planner)
    rows = {r.document: r for r in item.dossier_checklist()}
    assert rows["cam_ket"].received and rows["ly_lich_chuyen_gia"].received
    assert rows["ly_lich_chuyen_gia"].file_ids == (stored.id,)
    services.mark_document(item, "cam_ket", False, user=planner)
    assert not {r.document: r for r in item.dossier_checklist()}["cam_ket"].received
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AidAudit.DOSSIER_DOCUMENT)
    ).all()
    assert len(entries) == 3 and "chưa nhận" in entries[-1].summary


def test_appraisal_warns_but_does_not_refuse(app_ctx, db, user, make_item):
    planner = user("planning.officer")
    item = db.session.get(
        AidItem, make_item("VT-K4", status=S.XIN_Y_KIEN, modality="khac_phuc_hau_qua").id
    )
    assert "còn thiếu 3 thành phần" in checklist.missing_note(item)
    services.appraise(item, "lay_y_kien", date(2025, 3, 20), "Đạt", user=planner)
    assert item.status == S.THAM_DINH


# --- Through the pages --------------------------------------------------------------------


@pytest.fixture
def donor(db):
    from tests.fixtures.orgs import new_org

    org = new_org(db, "CK-D", "GB", "Checklist Donor")
    db.session.commit()
    return org


def test_checklist_through_the_pages(login, db, donor):
    planner = login("planning.officer")
    form = dossier_form(donor, aid_kinds=["chuyen_gia", "tien"], modality="khac_phuc_hau_qua")
    assert planner.post("/vien-tro/moi", form).status_code == 302
    item = item_by_code(db, "VT-2025-01")
    assert item.aid_kinds == ["chuyen_gia", "tien"]
    page = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert 'data-testid="dossier-checklist"' in page and "Tiền; Chuyên gia" in page
    assert "Còn thiếu 5 thành phần bắt buộc." in page  # 7 required, 2 ticked on the form
    assert "Điều 8 khoản 2 điểm đ" in page

    ticked = planner.post(
        f"/vien-tro/{item.id}/ho-so/cam_ket", {"received": "y", "version": item.version}
    )
    assert ticked.status_code == 302
    db.session.refresh(item)
    assert "cam_ket" in item.dossier_documents
    stale = planner.post(f"/vien-tro/{item.id}/ho-so/tu_cach_phap_ly", {"received": "y",
                                                                        "version": 1})  # fmt: skip
    assert stale.status_code == 409
    attached = planner.post(
        f"/vien-tro/{item.id}/tep",
        {"file": (io.BytesIO(b"%PDF-1.4 cv"), "cv.pdf"), "document": "ly_lich_chuyen_gia"},
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302
    db.session.refresh(item)
    assert "ly_lich_chuyen_gia" in item.dossier_documents
    page = planner.get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert "Còn thiếu 3 thành phần bắt buộc." in page and "cv.pdf" in page

    # Emergency relief is appraised without opinions: the form warns, the step is taken.
    appraise = planner.get(f"/vien-tro/{item.id}/buoc/appraise").get_data(as_text=True)
    assert "Cảnh báo: hồ sơ còn thiếu 3 thành phần bắt buộc" in appraise
    done = planner.post(
        f"/vien-tro/{item.id}/buoc/appraise",
        {"form_key": "lay_y_kien", "appraised_on": form["dossier_received_on"],
         "conclusion": "Đạt"},
    )  # fmt: skip
    assert done.status_code == 302
    db.session.refresh(item)
    assert item.status == S.THAM_DINH
