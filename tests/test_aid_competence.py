"""Issue 12, points 10 and 11: what the approval decision says (Decree 80/2020 Art 11(1))
and aid beyond the province's competence (Art 7(1), 10(2)(c)): appraised by the province,
submitted up, decided by the centre; the central decision is the approval decision."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid import services, workflow
from app.aid.models import AidItem
from app.aid.states import AidStatus
from app.core.errors import DomainError, FieldError
from app.core.models import AuditEntry
from app.stats import services as stats

S = AidStatus


def audit_actions(db, item) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "aid_item", AuditEntry.object_id == str(item.id))
            .order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def central(make_item):
    """USD 100 000, security-related, appraised on 20/03/2025."""
    return make_item("VT-C1", status=S.THAM_DINH, central_reason="an_ninh")


def submit(item, planner, day=date(2025, 3, 22)):
    services.submit_up(item, day, "15/TTr-UBND", "Thủ tướng Chính phủ", user=planner)


# --- Services --------------------------------------------------------------------------


def test_central_item_cannot_be_approved_by_the_province(app_ctx, db, user, central):
    planner = user("planning.officer")
    item = db.session.get(AidItem, central.id)
    with pytest.raises(DomainError, match="thẩm quyền phê duyệt của cấp trung ương"):
        services.approve(item, "9/QĐ-UBND", date(2025, 3, 25), "Chủ tịch", user=planner)
    with pytest.raises(DomainError, match="cấp trung ương"):
        services.refuse(item, "Không", None, date(2025, 3, 25), user=planner)
    ready, blocked = workflow.available_actions(item, planner)
    keys = [a.key for a in ready] + [a.key for a, _ in blocked]
    assert "approve" not in keys and "refuse" not in keys
    assert "submit_up" in [a.key for a in ready]
    assert "central_decision" not in keys  # not before the submission


def test_provincial_item_has_no_central_steps(app_ctx, db, user, make_item):
    planner = user("planning.officer")
    item = db.session.get(AidItem, make_item("VT-P1", status=S.THAM_DINH).id)
    ready, blocked = workflow.available_actions(item, planner)
    keys = [a.key for a in ready] + [a.key for a, _ in blocked]
    assert "approve" in keys and "submit_up" not in keys and "central_decision" not in keys
    with pytest.raises(DomainError, match="vượt thẩm quyền"):
        submit(item, planner)


def test_submit_up_then_central_decision_is_the_approval(app_ctx, db, user, central):
    planner = user("planning.officer")
    item = db.session.get(AidItem, central.id)
    with pytest.raises(DomainError, match="trình cấp trung ương trước"):
        services.record_central_decision(
            item, "45/QĐ-TTg", date(2025, 4, 10), "Thủ tướng Chính phủ", user=planner
        )
    with pytest.raises(FieldError) as missing:
        services.submit_up(item, None, "", "", user=planner)
    assert set(missing.value.errors) >= {"submitted_on", "document_number", "submitted_to"}
    submit(item, planner)
    assert item.status == S.THAM_DINH and item.submitted_up_number == "15/TTr-UBND"
    with pytest.raises(DomainError, match="Đã ghi nhận"):
        submit(item, planner)
    with pytest.raises(FieldError) as early:
        services.record_central_decision(
            item, "45/QĐ-TTg", date(2025, 3, 21), "Thủ tướng Chính phủ", user=planner
        )
    assert "trước ngày trình" in str(early.value.errors["signed_on"])
    decision = services.record_central_decision(
        item,
        "45/QĐ-TTg",
        date(2025, 4, 10),
        "Thủ tướng Chính phủ",
        donor_managed_value=Decimal("40000"),
        recipient_managed_value=Decimal("60000"),
        management_modality="phoi_hop",
        financial_mechanism="khong_thuoc_nsnn",
        user=planner,
    )
    assert item.status == S.DA_PHE_DUYET
    assert (item.decision_number, item.decision_date) == ("45/QĐ-TTg", date(2025, 4, 10))
    assert item.decision_authority == "Thủ tướng Chính phủ"
    assert item.is_budget_revenue is False  # the decision's mechanism
    assert decision.kind == "phe_duyet" and decision.signer == "Thủ tướng Chính phủ"
    actions = audit_actions(db, item)
    assert "aid.submit_up" in actions and "aid.central_decision" in actions


def test_central_refusal(app_ctx, db, user, central):
    planner = user("planning.officer")
    item = db.session.get(AidItem, central.id)
    submit(item, planner)
    with pytest.raises(FieldError) as missing:
        services.record_central_refusal(item, "", None, date(2025, 4, 1), "", user=planner)
    assert set(missing.value.errors) >= {"content", "authority"}
    services.record_central_refusal(
        item, "Không phù hợp", "88/VPCP", date(2025, 4, 1), "Văn phòng Chính phủ", user=planner
    )
    assert item.status == S.KHONG_CHAP_THUAN and item.decision_number is None
    assert "aid.central_refusal" in audit_actions(db, item)


def test_decision_contents_split_must_add_up(app_ctx, db, user, make_item):
    planner = user("planning.officer")
    item = db.session.get(AidItem, make_item("VT-P2", status=S.THAM_DINH).id)
    with pytest.raises(FieldError) as wrong:
        services.approve(
            item, "31/QĐ-UBND", date(2025, 3, 25), "Chủ tịch",
            donor_managed_value=Decimal("50000"), recipient_managed_value=Decimal("40000"),
            user=planner,
        )  # fmt: skip
    assert "phải bằng giá trị được phê duyệt" in wrong.value.errors["recipient_managed_value"]
    with pytest.raises(FieldError) as half:
        services.approve(
            item, "31/QĐ-UBND", date(2025, 3, 25), "Chủ tịch",
            donor_managed_value=Decimal("50000"), user=planner,
        )  # fmt: skip
    assert "recipient_managed_value" in half.value.errors
    assert item.status == S.THAM_DINH  # nothing written
    services.approve(
        item, "31/QĐ-UBND", date(2025, 3, 25), "Chủ tịch", approved_value=Decimal("90000"),
        donor_managed_value=Decimal("30000"), recipient_managed_value=Decimal("60000"),
        management_modality="ben_tiep_nhan", financial_mechanism="thuoc_nsnn", user=planner,
    )  # fmt: skip
    assert item.recipient_managed_value == Decimal("60000")
    assert item.financial_mechanism_label == "Thuộc nguồn thu ngân sách nhà nước"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "aid.approve", AuditEntry.object_id == str(item.id)
        )
    )
    assert entry.changes["management_modality"] == [None, "ben_tiep_nhan"]


def test_annual_report_counts_a_central_item_by_the_central_decision_date(
    app_ctx, db, user, make_item
):
    planner = user("planning.officer")
    item = db.session.get(
        AidItem, make_item("VT-C2", status=S.THAM_DINH, central_reason="ton_giao").id
    )
    before_2025 = stats.annual_report(2025)["aid"]["approved"]
    before_2026 = stats.annual_report(2026)["aid"]["approved"]
    # Appraised and sent up in 2025; the Prime Minister decides in January 2026.
    submit(item, planner, date(2025, 12, 20))
    services.record_central_decision(
        item, "3/QĐ-TTg", date(2026, 1, 5), "Thủ tướng Chính phủ", user=planner
    )
    db.session.flush()
    after_2025 = stats.annual_report(2025)["aid"]["approved"]
    after_2026 = stats.annual_report(2026)["aid"]["approved"]
    assert after_2025 == before_2025
    assert after_2026["count"] == before_2026["count"] + 1
    assert after_2026["value_vnd"] == before_2026["value_vnd"] + 2_500_000_000


# --- Through the pages (real logins, CSRF) ----------------------------------------------


def test_central_journey_through_the_pages(login, db, central):
    planner = login("planning.officer")
    page = planner.get(f"/vien-tro/{central.id}").get_data(as_text=True)
    assert "/buoc/submit_up" in page and "/buoc/approve" not in page
    assert "Liên quan đến an ninh" in page
    # no provincial approval: its form goes back to the item (issue 14), a POST is a 409
    shown = planner.get(f"/vien-tro/{central.id}/buoc/approve")
    assert shown.status_code == 302 and shown.headers["Location"].endswith(f"/{central.id}")
    decision = {"number": "5/QĐ-UBND", "signed_on": "25/03/2025", "signer": "Chủ tịch"}
    assert planner.post(f"/vien-tro/{central.id}/buoc/approve", decision).status_code == 409

    bad = planner.post(f"/vien-tro/{central.id}/buoc/submit_up", {"submitted_on": "22/03/2025"})
    assert bad.status_code == 422
    assert "Vui lòng nhập số văn bản trình." in bad.get_data(as_text=True)
    ok = planner.post(
        f"/vien-tro/{central.id}/buoc/submit_up",
        {"submitted_on": "22/03/2025", "document_number": "15/TTr-UBND",
         "submitted_to": "Thủ tướng Chính phủ"},
    )  # fmt: skip
    assert ok.status_code == 302
    page = planner.get(f"/vien-tro/{central.id}").get_data(as_text=True)
    assert "15/TTr-UBND" in page and "22/03/2025" in page and "/buoc/central_decision" in page

    decision = {"number": "45/QĐ-TTg", "signed_on": "10/04/2025",
                "authority": "Thủ tướng Chính phủ", "donor_managed_value": "40.000",
                "recipient_managed_value": "50.000",
                "financial_mechanism": "thuoc_nsnn"}  # fmt: skip
    wrong = planner.post(f"/vien-tro/{central.id}/buoc/central_decision", decision)
    assert wrong.status_code == 422
    assert "phải bằng giá trị được phê duyệt" in wrong.get_data(as_text=True)
    db.session.refresh(central)
    assert central.status == S.THAM_DINH and central.donor_managed_value is None
    decision["recipient_managed_value"] = "60.000"
    assert (
        planner.post(f"/vien-tro/{central.id}/buoc/central_decision", decision).status_code == 302
    )
    db.session.refresh(central)
    assert central.status == S.DA_PHE_DUYET and central.decision_number == "45/QĐ-TTg"
    page = planner.get(f"/vien-tro/{central.id}").get_data(as_text=True)
    assert "Thủ tướng Chính phủ" in page and "40.000,00 USD" in page
    assert "Thuộc nguồn thu ngân sách nhà nước" in page

    export = planner.get("/vien-tro/xuat.csv").get_data(as_text=True)
    assert "Phần do bên tài trợ quản lý" in export and "Thủ tướng Chính phủ" in export


def test_dossier_form_records_the_central_reason(login, db, make_item):
    item = make_item("VT-P3")
    planner = login("planning.officer")
    form = planner.get(f"/vien-tro/{item.id}/sua").get_data(as_text=True)
    assert 'name="central_reason"' in form and "Hàng hóa nhập khẩu" in form


# --- The migration -------------------------------------------------------------------------


def test_migration_adds_the_columns_empty_and_reads_the_budget_flag(tmp_root):
    """On a database at the previous revision: the new columns are empty (unknown), except
    the financial mechanism of items flagged as budget revenue; the downgrade drops them."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_contentsmig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    insert = sa.text(
        "INSERT INTO aid_item (code, name, search_text, modality, regime, status, value, "
        "currency, value_vnd, is_budget_revenue, created_at, updated_at, version) VALUES "
        "(:code, 'X', '', 'du_an', 'nd80_2020', 'da_phe_duyet', 10, 'VND', 10, :budget, "
        ":now, :now, 1)"
    )
    with app.app_context():
        upgrade(revision="a1c3e5f7b9d2")
        for code, budget in (("A", True), ("B", False)):
            _db.session.execute(insert, {"code": code, "budget": budget, "now": "2025-01-01"})
        _db.session.commit()
        upgrade(revision="b2d4f6a8c0e3")
        rows = _db.session.execute(
            sa.text(
                "SELECT code, financial_mechanism, central_reason, donor_managed_value, "
                "aid_kinds, submitted_up_on FROM aid_item ORDER BY code"
            )
        ).all()
        _db.session.commit()  # let go of the read before the downgrade alters the table
        downgrade(revision="a1c3e5f7b9d2")
        columns = {c["name"] for c in sa.inspect(_db.engine).get_columns("aid_item")}
        count = _db.session.execute(sa.text("SELECT count(*) FROM aid_item")).scalar()
        _db.session.remove()
        _db.engine.dispose()

    assert [tuple(r) for r in rows] == [
        ("A", "thuoc_nsnn", None, None, None, None),
        ("B", None, None, None, None, None),
    ]
    assert count == 2
    assert not columns & {"financial_mechanism", "central_reason", "aid_kinds", "dossier_files"}
