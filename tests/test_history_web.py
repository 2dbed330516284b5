"""The history pages and the audit log through the web (real logins, CSRF): Vietnamese
labels and formatted values, who may read them, personal data masked and its unmasked
view audited."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.aid import services as aid
from app.core.audit_labels import AUDIT_LOG_EXPORT
from app.core.models import AuditEntry
from app.delegations.states import DelegationAudit
from tests import test_history
from tests.test_history import CODES, ISO_DATE
from tests.test_stats_web import selects

# The records with every kind of part, shared with the service tests.
commune_code = test_history.commune_code
full_item = test_history.full_item
full_delegation = test_history.full_delegation


def personal_views(db, delegation) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == DelegationAudit.PERSONAL_DATA_VIEW,
            AuditEntry.object_id == str(delegation.id),
            AuditEntry.summary.contains("lịch sử"),
        )
    ).all()


def test_item_page_links_to_a_readable_history(login, full_item):
    web = login("police.officer")  # reads the registry, not the item's agency
    page = web.get(f"/vien-tro/{full_item.id}").get_data(as_text=True)
    assert f'href="/vien-tro/{full_item.id}/lich-su"' in page
    response = web.get(f"/vien-tro/{full_item.id}/lich-su")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Đã phê duyệt → Đang thực hiện" in html
    assert "01/04/2025" in html and "Quỹ Nước Sạch Lịch Sử" in html
    assert "Ghi quyết định phê duyệt" in html and "Tình hình khắc phục" in html
    assert "Báo cáo viện trợ #" in html or "Báo cáo viện trợ" in html
    body = html.split("<main", 1)[-1]
    assert not CODES.search(body), CODES.search(body)
    assert not ISO_DATE.search(body), ISO_DATE.search(body)


def test_item_history_is_paginated_with_bounded_queries(app, db, user, login, full_item):
    web = login("planning.officer")
    url = f"/vien-tro/{full_item.id}/lich-su"
    db.session.expire_all()
    few = selects(db, lambda: web.get(url))
    with app.app_context():
        planner = user("planning.officer")
        for day in range(1, 29):
            aid.add_disbursement(
                full_item, date(2025, 8, day), Decimal("1"), "USD", Decimal("25000"), user=planner
            )
            aid.add_inspection(full_item, inspected_on=date(2025, 8, day), team="Đ", user=planner)
        db.session.commit()
    db.session.expire_all()
    many = selects(db, lambda: web.get(url))
    # One query per table whose names the page shows, whatever the number of entries: the
    # newest 50 (payments, inspections) name nothing, the first page named files, donors...
    assert len(many) <= len(few) <= 10
    first = web.get(url).get_data(as_text=True)
    assert "?page=2" in first and "bản ghi" in first
    second = web.get(url + "?page=2")
    assert second.status_code == 200 and "Khoản viện trợ: LS-1" in second.get_data(as_text=True)


def test_delegation_history_masks_personal_data_for_whoever_may_not_see_it(
    db, login, full_delegation
):
    d = full_delegation
    web = login("planning.officer")  # may read the delegation, not its members' passports
    page = web.get(f"/doan/{d.id}").get_data(as_text=True)
    assert f'href="/doan/{d.id}/lich-su"' in page
    html = web.get(f"/doan/{d.id}/lich-su").get_data(as_text=True)
    assert "Đang xem xét → Đã duyệt" in html and "Lee Ji-eun" in html
    assert "N7654321" not in html and "M1234567" not in html
    assert "số hộ chiếu (đã thay đổi)" in html
    assert personal_views(db, d) == []


def test_unmasked_delegation_history_is_audited(db, login, full_delegation):
    d = full_delegation
    web = login("police.officer")
    html = web.get(f"/doan/{d.id}/lich-su").get_data(as_text=True)
    assert "số hộ chiếu M1234567 → N7654321" in html
    assert len(personal_views(db, d)) == 1


def test_a_draft_history_is_its_agency_s_only(login, make_delegation):
    draft = make_delegation("LS-DRAFT")
    assert login("other.officer").get(f"/doan/{draft.id}/lich-su").status_code == 200
    assert login("planning.officer").get(f"/doan/{draft.id}/lich-su").status_code == 404


def test_audit_log_uses_the_same_labels(login, full_item):
    web = login("admin")
    html = web.get(f"/quan-tri/nhat-ky?object_type=aid_item&object_id={full_item.id}").get_data(
        as_text=True
    )
    assert "Ghi quyết định phê duyệt" in html and "Đã phê duyệt → Đang thực hiện" in html
    assert "Quỹ Nước Sạch Lịch Sử" in html and "01/04/2025" in html
    assert "<code>aid.approve</code>" not in html
    # The action filter finds an action by words of its label.
    found = web.get("/quan-tri/nhat-ky?action=quyết định phê duyệt").get_data(as_text=True)
    assert "Ghi quyết định phê duyệt" in found
    assert web.get("/quan-tri/nhat-ky").status_code == 200
    assert login("planning.officer").get("/quan-tri/nhat-ky").status_code == 403


def test_audit_log_export_keeps_filters_and_is_audited(db, login, full_item):
    web = login("admin")
    response = web.get(f"/quan-tri/nhat-ky/xuat.csv?object_type=aid_item&object_id={full_item.id}")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "Ghi quyết định phê duyệt" in text and "Đang thực hiện" in text
    assert "Đăng nhập" not in text  # the filter kept: only the item's entries
    assert not CODES.search(text)
    exported = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AUDIT_LOG_EXPORT)
    ).all()
    assert exported and "object_type=aid_item" in exported[-1].summary
    assert web.get("/quan-tri/nhat-ky/xuat.xlsx?from=31/02/2025").status_code == 422
    assert login("planning.officer").get("/quan-tri/nhat-ky/xuat.csv").status_code == 403
