"""A record's history for people (issue 14, part 3): every change of an aid item or a
delegation and of its parts, with Vietnamese labels and formatted values, read in a
number of queries that does not grow with the entries, and members' personal data masked
for whoever may not see it."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.aid import services as aid
from app.aid.checklist import DossierDocument
from app.aid.history import history_query as item_history
from app.aid.notices import AidNotice
from app.aid.states import AidAudit, AidStatus
from app.core import audit
from app.core.audit_labels import action_label, known_labels
from app.core.dates import today_vn
from app.core.history import describe, field_label
from app.core.models import AuditEntry
from app.delegations import services as dlg
from app.delegations.history import describe_history
from app.delegations.history import history_query as delegation_history
from app.delegations.states import DelegationAudit
from tests.fixtures.delegations import border_commune, delegation_input, member
from tests.fixtures.orgs import new_org
from tests.test_stats_web import selects

PDF = b"%PDF-1.4 history"
# Internal codes that must never reach a reader of the history.
CODES = re.compile(
    r"\b(dang_thuc_hien|da_phe_duyet|tiep_nhan|xin_y_kien|nuoc_ve_sinh|y_te|du_an|"
    r"nd313_2025|dong_y|lay_y_kien|chua_xu_ly|dang_xu_ly|sau_thang|pho_thong|khao_sat|"
    r"nha_tai_tro|dang_xem_xet|da_gui|du_thao|foreign_affairs|police)\b"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def text_of(rows) -> str:
    parts = []
    for row in rows:
        parts += [row.action, row.what, row.summary]
        parts += [f"{c.label}: {c.old} → {c.new}" for c in row.changes]
    return "\n".join(parts)


def pdf(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name)


@pytest.fixture
def commune_code(db):
    from app.core.models import Commune

    return db.session.scalar(
        sa.select(Commune.code).where(Commune.province_code == 51).order_by(Commune.code).limit(1)
    )


@pytest.fixture
def full_item(app, db, user, make_item, commune_code):
    """A running item with every kind of part: opinions, the approval and its notices, a
    disbursement, a planned year, a report with its file, an inspection and its follow-up,
    a file of the item."""
    donor = new_org(db, "HIST", name="Quỹ Nước Sạch Lịch Sử")
    item = make_item("LS-1", status=AidStatus.DANG_THUC_HIEN, donor=donor, communes=[commune_code])
    with app.app_context():
        planner = user("planning.officer")
        aid.add_disbursement(
            item, date(2025, 5, 2), Decimal("1000"), "USD", Decimal("25000"), user=planner
        )
        aid.add_planned_disbursement(item, 2026, Decimal("5000"), "Năm hai", user=planner)
        aid.add_report(
            item, "sau_thang", date(2025, 4, 1), date(2025, 9, 30), date(2025, 10, 5), "Tốt",
            pdf("bao-cao.pdf"), user=planner,
        )  # fmt: skip
        inspection = aid.add_inspection(
            item, inspected_on=date(2025, 6, 3), team="Sở Tài chính", user=planner
        )
        aid.update_inspection_follow_up(
            inspection, "dang_xu_ly", user=planner, version=inspection.version
        )
        notice = db.session.scalar(sa.select(AidNotice).where(AidNotice.aid_item_id == item.id))
        aid.complete_notice(
            notice, date(2025, 3, 27), "5/UBND-KT", user=planner, version=notice.version
        )
        aid.attach_file(item, pdf("to-trinh.pdf"), "Tờ trình", "cong_van_de_nghi", user=planner)
        db.session.commit()
    return item


def test_every_part_of_an_item_is_in_its_history_in_vietnamese(app, db, full_item):
    with app.app_context():
        entries = db.session.scalars(item_history(full_item)).all()
        rows = describe(entries, personal=False).rows
    types = {e.object_type for e in entries}
    assert types >= {
        "aid_item", "opinion", "disbursement", "planned_disbursement", "aid_report",
        "inspection", "aid_notice", "attachment",
    }  # fmt: skip
    attached = {e.summary for e in entries if e.object_type == "attachment"}
    assert any("bao-cao.pdf" in s for s in attached) and any("to-trinh.pdf" in s for s in attached)
    text = text_of(rows)
    # Statuses, dates, names, sectors, communes, money and yes/no as people say them.
    assert "Trạng thái: Đã phê duyệt → Đang thực hiện" in text
    assert "Ngày bắt đầu thực hiện: — → 01/04/2025" in text
    assert "Quỹ Nước Sạch Lịch Sử" in text  # the donor's name, not its id
    assert "Nước sạch và vệ sinh môi trường (60%)" in text
    assert "Vốn đối ứng (VNĐ): — → 50.000.000 ₫" in text
    assert "Thuộc nguồn thu ngân sách nhà nước: — → Có" in text
    assert "Tình hình khắc phục: Chưa khắc phục → Đang khắc phục" in text
    assert "Ý kiến: — → Đồng ý" in text
    assert "Ngày giải ngân / tiếp nhận: — → 02/05/2025" in text
    assert "Ngày gửi: — → 27/03/2025" in text
    assert "Ghi quyết định phê duyệt" in text and "Ghi nhận giải ngân / tiếp nhận" in text
    # The dossier's checklist: the file attached as a document, by the document's name.
    document = DossierDocument.CONG_VAN_DE_NGHI.label
    assert f"Tệp của thành phần hồ sơ: — → {document} (1 tệp)" in text
    from app.core.models import Commune

    codes = [c for e in entries for c in (e.changes or {}).get("communes", [None, []])[1] or []]
    names = db.session.scalars(sa.select(Commune.name).where(Commune.code.in_(codes))).all()
    assert names and all(name in text for name in names)
    assert not CODES.search(text), CODES.search(text)
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    for row in rows:
        for change in row.changes:
            assert change.label != change.key, change.key  # every field has its label


def test_every_audit_action_has_a_vietnamese_label(app):
    from app.aid.workflow import AID_WORKFLOW
    from app.auth.models import AuthAudit
    from app.orgs.models import OrgAudit
    from app.transfer import TransferAudit

    with app.app_context():
        labels = known_labels()
    for vocabulary in (AidAudit, DelegationAudit, OrgAudit, AuthAudit, TransferAudit):
        for name, code in vars(vocabulary).items():
            if name.isupper() and name not in ("REVIEW", "REVIEW_CONFIRM"):
                assert labels.get(code), code
    assert action_label("aid.approve") == AID_WORKFLOW.actions["approve"].label
    assert action_label("delegation.review_police") == "Ý kiến an ninh, trật tự của Công an tỉnh"
    # A new domain's action without a label is still named in Vietnamese, never as a code.
    assert action_label("organization.somethingnew") == "Tổ chức tài trợ: thao tác"
    assert field_label("aid_item", "counterpart_vnd") == "Vốn đối ứng (VNĐ)"


def test_item_history_queries_do_not_grow_with_entries(app, db, user, full_item):
    def read():
        entries = db.session.scalars(item_history(full_item)).all()
        return describe(entries, personal=False)

    with app.app_context():
        few = selects(db, read)
        planner = user("planning.officer")
        for day in range(1, 16):
            aid.add_disbursement(item := full_item, date(2025, 7, day), Decimal("10"), "USD",
                                 Decimal("25000"), user=planner)  # fmt: skip
            aid.add_inspection(item, inspected_on=date(2025, 7, day), team="Đoàn", user=planner)
        db.session.commit()
        many = selects(db, read)
        assert len(read().rows) > 40
    assert len(few) == len(many)


# --- Delegations ----------------------------------------------------------------------------


@pytest.fixture
def full_delegation(app, db, user):
    """A delegation to a border commune that went through review, a member corrected after
    it (passport), a permit, a notice, confirmations, approval and a visit report with a
    file; and a member added by the workbook import (audited under the member's own id)."""
    start = today_vn() - timedelta(days=10)
    with app.app_context():
        commune = border_commune(db)
        host, fa, police = (
            user("other.officer"),
            user("foreign_affairs.officer"),
            user("police.officer"),
        )
        stop = {"day": start, "commune_code": commune.code, "place": "Đồn A", "activity": "Gặp"}
        d = dlg.create_delegation(
            delegation_input("LS-D1", start=start, end=start + timedelta(days=2), stops=[stop]),
            user=host,
        )
        kim = dlg.add_member(d, member(), user=host)
        dlg.submit_delegation(d, user=host)
        dlg.receive_delegation(d, user=fa)
        dlg.record_review(d, "foreign_affairs", "dong_y", "Phù hợp", "1/SNgV", None, user=fa)
        dlg.record_review(d, "police", "dong_y", "Không có vấn đề", user=police)
        dlg.record_border_permit(
            d, "7/GP", start - timedelta(days=5), start, start + timedelta(days=5), user=police
        )
        dlg.record_border_notice(d, start - timedelta(days=3), user=host)
        dlg.update_member(
            kim, {**member(), "passport_number": "N7654321", "position": "Phó đoàn"},
            user=host, version=kim.version,
        )  # fmt: skip
        for kind in ("foreign_affairs", "police"):
            dlg.confirm_review(d, kind, "Đã xem", user=fa if kind == "foreign_affairs" else police)
        dlg.confirm_border_permit(d, user=police)
        dlg.approve_delegation(d, "12/UBND-NgV", today_vn(), "Chủ tịch", user=fa)
        dlg.record_visit_report(d, today_vn(), "Tốt đẹp", pdf("bao-cao-doan.pdf"), user=host)
        from app.delegations.models import DelegationMember

        imported = DelegationMember(
            delegation_id=d.id, full_name="Lee Ji-eun", nationality="KR", is_head=False
        )
        db.session.add(imported)
        db.session.flush()
        audit.record_many(
            [audit.entry_row(DelegationAudit.MEMBER_ADD, "delegation_member", imported.id,
                             "Nhập từ tệp so-lieu.xlsx: thành viên", user=host)]
        )  # fmt: skip
        db.session.commit()
    return d


def test_every_part_of_a_delegation_is_in_its_history(app, db, full_delegation):
    d = full_delegation
    with app.app_context():
        entries = db.session.scalars(delegation_history(d)).all()
        page = describe_history(d, entries, personal=False)
    actions = {e.action for e in entries}
    assert {
        DelegationAudit.CREATE, DelegationAudit.MEMBER_ADD, DelegationAudit.MEMBER_UPDATE,
        DelegationAudit.BORDER_PERMIT, DelegationAudit.BORDER_NOTICE, DelegationAudit.REPORT,
        DelegationAudit.REVIEWS_REOPENED, f"{DelegationAudit.REVIEW}_police",
        f"{DelegationAudit.REVIEW_CONFIRM}_police", DelegationAudit.BORDER_PERMIT_CONFIRM,
        "delegation.approve",
    } <= actions  # fmt: skip
    assert {e.object_type for e in entries} >= {"delegation", "delegation_member", "attachment"}
    assert DelegationAudit.PERSONAL_DATA_VIEW not in actions  # reads are not changes
    text = text_of(page.rows)
    assert "Trạng thái: Đang xem xét → Đã duyệt" in text
    assert "Ý kiến: — → Đồng ý" in text
    assert "Mục đích: — → Khảo sát" in text and "Nguồn kinh phí: — → Nhà tài trợ" in text
    assert "Lee Ji-eun" in text and "bao-cao-doan.pdf" in text
    stop_day = (today_vn() - timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"Lịch trình: — → {stop_day}, " in text and ", Đồn A Gặp" in text
    assert "Chức vụ: Trưởng đoàn → Phó đoàn" in text
    assert not CODES.search(text), CODES.search(text)
    assert not ISO_DATE.search(text), ISO_DATE.search(text)


def test_personal_data_in_the_history_follows_the_rule(app, db, full_delegation):
    d = full_delegation
    with app.app_context():
        entries = db.session.scalars(delegation_history(d)).all()
        masked = describe_history(d, entries, personal=False)
        unmasked = describe_history(d, entries, personal=True)
    hidden, shown = text_of(masked.rows), text_of(unmasked.rows)
    assert "N7654321" not in hidden and "M1234567" not in hidden
    assert "Số hộ chiếu: (đã thay đổi) → (đã thay đổi)" in hidden  # the member's edit
    assert "số hộ chiếu (đã thay đổi)" in hidden  # the line of the change after review
    assert not masked.personal_shown
    assert "số hộ chiếu M1234567 → N7654321" in shown and unmasked.personal_shown


def test_delegation_history_queries_do_not_grow_with_entries(app, db, user, full_delegation):
    d = full_delegation

    def read():
        entries = db.session.scalars(delegation_history(d)).all()
        return describe_history(d, entries, personal=True)

    with app.app_context():
        few = selects(db, read)
        fa = user("foreign_affairs.officer")
        changes = {"organization_id": [None, None], "end_on": [None, "2027-02-01"]}
        for i in range(12):
            audit.record(DelegationAudit.UPDATE, d, user=fa, summary=f"Sửa {i}", changes=changes)
        db.session.commit()
        many = selects(db, read)
        assert "01/02/2027" in text_of(read().rows)
    assert len(few) == len(many)


def test_audit_entries_of_other_records_stay_out(app, db, full_item, make_item):
    other = make_item("LS-2")
    with app.app_context():
        ids = {e.id for e in db.session.scalars(item_history(full_item))}
        others = set(
            db.session.scalars(
                sa.select(AuditEntry.id).where(
                    AuditEntry.object_type == "aid_item", AuditEntry.object_id == str(other.id)
                )
            )
        )
    assert others and not ids & others
