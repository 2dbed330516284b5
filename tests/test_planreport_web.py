"""The plan report over HTTP with real logins and CSRF: foreign affairs opens a half-year
report, two agencies contribute from their inbox, a non-asked agency is refused, late texts
are marked, a final report refuses edits (409), bad input is a 422 with nothing written,
and the workbook carries the texts and figures."""

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.dates import today_vn
from app.core.models import AuditEntry
from app.planreport.models import PlanContribution, PlanReport
from app.planreport.states import PlanReportAudit

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')


def version_on(page: str) -> str:
    return VERSION_RE.search(page).group(1)


def open_report(fa, user, *, half=1, year=2026, deadline=None, asked=("police", "other")):
    """Foreign affairs opens a report through the form, then sends it; its id."""
    form = fa.get("/bao-cao-ke-hoach/moi").get_data(as_text=True)
    assert "Mở báo cáo thực hiện Kế hoạch đối ngoại nhân dân" in form
    deadline = deadline or today_vn() + timedelta(days=7)
    response = fa.post(
        "/bao-cao-ke-hoach/moi",
        {
            "period_kind": "nua_nam",
            "year": str(year),
            "half": str(half),
            "deadline": f"{deadline:%d/%m/%Y}",
            "agencies": [str(user(f"{name}.officer").agency_id) for name in asked],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    sent = fa.post(f"/bao-cao-ke-hoach/{report_id}/buoc/open", {"version": version_on(page)})
    assert sent.status_code == 302
    return report_id


def contribute(client, report_id, item, text, version="0"):
    return client.post(
        f"/bao-cao-ke-hoach/{report_id}/dong-gop/{item}", {"text": text, "version": version}
    )


def test_half_year_report_from_opening_to_final(db, login, user):
    fa = login("foreign_affairs.officer")
    report_id = open_report(fa, user)
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    assert "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân" in page
    assert "6 tháng đầu năm 2026" in page and "Đang thu thập đóng góp" in page

    # Two asked agencies find it in their inbox and write from there.
    for name, item, text in (("police", 3, "Công an: 4 đoàn vào"), ("other", 2, "Xã: giao lưu")):
        client = login(f"{name}.officer")
        home = client.get("/").get_data(as_text=True)
        assert "Báo cáo kế hoạch cần đóng góp" in home
        inbox = client.get("/bao-cao-ke-hoach/can-dong-gop").get_data(as_text=True)
        assert f"/bao-cao-ke-hoach/{report_id}/dong-gop" in inbox
        assert client.get(f"/bao-cao-ke-hoach/{report_id}/dong-gop").status_code == 200
        response = contribute(client, report_id, item, text)
        assert response.status_code == 302
        assert "Báo cáo kế hoạch cần đóng góp" not in client.get("/").get_data(as_text=True)

    rows = db.session.scalars(
        sa.select(PlanContribution).where(PlanContribution.report_id == report_id)
    ).all()
    assert sorted((r.item_no, r.text, r.is_late) for r in rows) == [
        (2, "Xã: giao lưu", False),
        (3, "Công an: 4 đoàn vào", False),
    ]
    # Foreign affairs and the leadership read both; the police reads its own.
    for name in ("foreign_affairs.officer", "leadership.viewer"):
        page = login(name).get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
        assert "Công an: 4 đoàn vào" in page and "Xã: giao lưu" in page
    police_page = login("police.officer").get(f"/bao-cao-ke-hoach/{report_id}")
    assert "Xã: giao lưu" not in police_page.get_data(as_text=True)

    # Consolidate, then mark final.
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    texts = {f"item_{n}": "" for n in range(1, 8)}
    texts["item_3"] = "Tổng hợp: quản lý tốt đoàn ra, đoàn vào"
    saved = fa.post(
        f"/bao-cao-ke-hoach/{report_id}/tong-hop", {**texts, "version": version_on(page)}
    )
    assert saved.status_code == 302
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    final = fa.post(f"/bao-cao-ke-hoach/{report_id}/buoc/finalize", {"version": version_on(page)})
    assert final.status_code == 302
    report = db.session.get(PlanReport, report_id)
    assert report.status == "hoan_tat"
    assert report.consolidated_text(3) == "Tổng hợp: quản lý tốt đoàn ra, đoàn vào"

    # Final: an edit of a contribution, of the consolidation or of the settings is a 409.
    police = login("police.officer")
    row = next(r for r in rows if r.item_no == 3)
    refused = contribute(police, report_id, 3, "Sửa sau khi chốt", str(row.version))
    assert refused.status_code == 409
    assert "Không thể đóng góp khi báo cáo đang ở trạng thái “Đã chốt" in refused.get_data(
        as_text=True
    )
    again = fa.post(
        f"/bao-cao-ke-hoach/{report_id}/tong-hop", {**texts, "version": str(report.version)}
    )
    assert again.status_code == 409
    assert fa.get(f"/bao-cao-ke-hoach/{report_id}/sua").status_code == 409
    db.session.expire_all()
    assert db.session.get(PlanContribution, row.id).text == "Công an: 4 đoàn vào"
    audited = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "plan_report")
    ).all()
    assert {PlanReportAudit.CREATE, PlanReportAudit.OPEN, PlanReportAudit.FINALIZE} <= set(audited)
    assert PlanReportAudit.CONSOLIDATE in audited


def test_an_agency_not_asked_is_refused(db, login, user):
    report_id = open_report(login("foreign_affairs.officer"), user)
    guard = login("border_guard.officer")
    assert guard.get(f"/bao-cao-ke-hoach/{report_id}").status_code == 403
    assert guard.get(f"/bao-cao-ke-hoach/{report_id}/dong-gop").status_code == 403
    assert contribute(guard, report_id, 1, "Xin góp").status_code == 403
    assert guard.get(f"/bao-cao-ke-hoach/{report_id}/bao-cao.xlsx").status_code == 403
    assert f"/bao-cao-ke-hoach/{report_id}" not in guard.get("/bao-cao-ke-hoach/").get_data(
        as_text=True
    )
    # An asked agency may not open, consolidate or finalise.
    police = login("police.officer")
    assert police.get("/bao-cao-ke-hoach/moi").status_code == 403
    assert police.post(f"/bao-cao-ke-hoach/{report_id}/buoc/finalize", {}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(PlanContribution.id))) == 0


def test_after_the_deadline_a_text_is_marked_late(db, login, user):
    fa = login("foreign_affairs.officer")
    report_id = open_report(fa, user, deadline=today_vn() - timedelta(days=1))
    other = login("other.officer")
    page = other.get(f"/bao-cao-ke-hoach/{report_id}/dong-gop").get_data(as_text=True)
    assert "Đã quá hạn gửi đóng góp" in page
    response = contribute(other, report_id, 1, "Gửi muộn")
    assert response.status_code == 302
    assert "gửi sau hạn" in other.get(response.headers["Location"]).get_data(as_text=True)
    row = db.session.scalar(
        sa.select(PlanContribution).where(PlanContribution.report_id == report_id)
    )
    assert row.is_late is True
    assert "Gửi sau hạn" in fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)


def test_bad_input_is_422_with_nothing_written(db, login, user):
    fa = login("foreign_affairs.officer")
    before = db.session.scalar(sa.select(sa.func.count(PlanReport.id)))
    response = fa.post(
        "/bao-cao-ke-hoach/moi",
        {"period_kind": "nua_nam", "year": "2026", "half": "", "deadline": "31/02/2026"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ngày không hợp lệ" in page or "không hợp lệ" in page
    response = fa.post(
        "/bao-cao-ke-hoach/moi",
        {"period_kind": "nua_nam", "year": "2026", "half": "", "deadline": "30/06/2026"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vui lòng chọn 6 tháng đầu năm hoặc 6 tháng cuối năm." in page
    assert "Vui lòng chọn ít nhất một cơ quan" in page
    assert db.session.scalar(sa.select(sa.func.count(PlanReport.id))) == before

    report_id = open_report(fa, user)
    police = login("police.officer")
    empty = contribute(police, report_id, 2, "   ")
    assert empty.status_code == 422
    assert "Vui lòng nhập nội dung." in empty.get_data(as_text=True)
    too_long = contribute(police, report_id, 2, "x" * 20_001)
    assert too_long.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(PlanContribution.id))) == 0
    assert contribute(police, report_id, 9, "Mục không có").status_code == 404
    # A consolidated text too long: 422 on the report's page, nothing saved.
    page = fa.get(f"/bao-cao-ke-hoach/{report_id}").get_data(as_text=True)
    texts = {f"item_{n}": "Ngắn" for n in range(1, 8)}
    texts["item_5"] = "y" * 20_001
    refused = fa.post(
        f"/bao-cao-ke-hoach/{report_id}/tong-hop", {**texts, "version": version_on(page)}
    )
    assert refused.status_code == 422
    assert "Nội dung không được dài quá 20.000 ký tự." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanReport, report_id).consolidated == {}
    # A stale text (someone of the agency saved meanwhile) is a 409, the first text kept.
    assert contribute(police, report_id, 2, "Lần một").status_code == 302
    assert contribute(police, report_id, 2, "Lần hai", "0").status_code == 409
    db.session.expire_all()
    row = db.session.scalar(
        sa.select(PlanContribution).where(PlanContribution.report_id == report_id)
    )
    assert row.text == "Lần một"


def test_workbook_and_print_page(db, login, user, make_item):
    from app.aid.states import AidStatus

    make_item("VT-PLAN", status=AidStatus.DA_PHE_DUYET)  # approved 25/03/2025: first half
    fa = login("foreign_affairs.officer")
    report_id = open_report(fa, user, year=2025)
    contribute(login("police.officer"), report_id, 3, "=SUM(A1) không phải công thức")
    response = fa.get(f"/bao-cao-ke-hoach/{report_id}/bao-cao.xlsx")
    assert response.status_code == 200
    assert "bao-cao-ke-hoach-2025-H1" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    report_sheet, texts = workbook["Báo cáo"], workbook["Đóng góp của cơ quan"]
    assert report_sheet["A1"].value == "BÁO CÁO THỰC HIỆN KẾ HOẠCH ĐỐI NGOẠI NHÂN DÂN"
    assert report_sheet["B2"].value == "6 tháng đầu năm 2025"
    cells = {
        row[2]: row[3]
        for row in report_sheet.iter_rows(min_row=9, values_only=True)
        if row[2] is not None
    }
    assert cells["Viện trợ phi chính phủ nước ngoài: Khoản viện trợ được phê duyệt"] == 1
    assert cells["Đoàn ra, đoàn vào: Đoàn vào"] == 0
    numbers = [row[0] for row in report_sheet.iter_rows(min_row=9, values_only=True) if row[0]]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    rows = list(texts.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == (3, user("police.officer").agency.name, "=SUM(A1) không phải công thức")
    assert texts["C2"].data_type == "s"  # text, never a formula
    assert rows[0][4] == "không"

    printed = fa.get(f"/bao-cao-ke-hoach/{report_id}/in")
    assert printed.status_code == 200
    page = printed.get_data(as_text=True)
    assert "print.css" in page and "=SUM(A1) không phải công thức" in page
    assert "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân" in page
