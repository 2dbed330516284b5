"""The registry workbook written into the registry: import, re-import, round trip, CLI, web."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.aid.models import AidItem, Disbursement
from app.aid.states import AidAudit
from app.core.dates import today_vn
from app.core.models import AuditEntry
from app.delegations.models import Delegation, DelegationMember
from app.delegations.states import DelegationAudit
from app.demo_records import build_workbook
from app.orgs.models import Organization
from app.transfer.exporter import export_workbook, template_workbook
from app.transfer.importer import import_workbook


def workbook(**sheets) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def contents(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.values) for ws in book.worksheets}


ORG = ["ma", "ten", "loai", "quoc_gia"]
AID = [
    "ma",
    "ten",
    "hinh_thuc",
    "nha_tai_tro",
    "linh_vuc",
    "dia_ban",
    "trang_thai",
    "so_quyet_dinh",
    "ngay_phe_duyet",
    "gia_tri",
    "tien_te",
    "ty_gia",
    "ngay_bat_dau",
]


@pytest.fixture
def admin(user):
    return user("admin")


def small_file(value="100.000", status="dang_thuc_hien", disbursements=None):
    return workbook(
        ToChuc=[ORG, ["KOICA", "Korea International Cooperation Agency", "chinh_phu", "Hàn Quốc"]],
        VienTro=[
            AID,
            [
                "VT-1",
                "Trường học Đăk Tô",
                "Dự án",
                "KOICA",
                "giao_duc:70; y_te:30",
                "23584",
                status,
                "12/QĐ-UBND",
                "15/03/2024",
                value,
                "USD",
                "25.000",
                "01/04/2024",
            ],
        ],
        GiaiNgan=[
            ["ma_vien_tro", "ngay", "so_tien", "tien_te", "ty_gia"],
            *(disbursements or [["VT-1", "10/04/2024", "40.000", "USD", "25.100"]]),
        ],
        Doan=[
            [
                "ma",
                "huong",
                "ten",
                "to_chuc",
                "quoc_gia",
                "tu_ngay",
                "den_ngay",
                "muc_dich",
                "dia_ban",
                "trang_thai",
            ],
            [
                "DV-1",
                "vao",
                "Đoàn KOICA khảo sát",
                "KOICA",
                "KR; JP",
                "05/05/2024",
                "07/05/2024",
                "khao_sat",
                "23584",
                "hoan_thanh",
            ],
        ],
        ThanhVien=[
            ["ma_doan", "ho_ten", "quoc_tich", "so_ho_chieu", "truong_doan"],
            ["DV-1", "Kim Min-jun", "KR", " m12 345 ", "x"],
            ["DV-1", "Nguyễn Văn A", "VN", None, None],
        ],
    )


def test_import_stores_every_sheet(app_ctx, db, admin):
    report = import_workbook(small_file(), "so-lieu.xlsx", admin)
    assert report.ok, [str(e) for e in report.errors]
    db.session.commit()
    org = db.session.scalar(sa.select(Organization).where(Organization.code == "KOICA"))
    assert org.country == "KR" and org.kind == "chinh_phu"
    item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "VT-1"))
    assert (item.status, item.modality, item.value_vnd) == (
        "dang_thuc_hien",
        "du_an",
        2_500_000_000,
    )
    assert item.rate_usd == Decimal("25000") and item.main_donor_id == org.id
    assert [(s.sector, s.share) for s in item.sectors] == [("giao_duc", 70), ("y_te", 30)]
    assert [loc.commune_code for loc in item.locations] == ["23584"]
    (paid,) = db.session.scalars(sa.select(Disbursement).where(Disbursement.aid_item_id == item.id))
    assert paid.value_vnd == 1_004_000_000 and paid.disbursed_on == date(2024, 4, 10)
    delegation = db.session.scalar(sa.select(Delegation).where(Delegation.code == "DV-1"))
    assert delegation.countries == ["KR", "JP"] and delegation.organization_id == org.id
    assert delegation.status == "hoan_thanh" and delegation.author_agency_id == admin.agency_id
    members = sorted(delegation.members, key=lambda m: m.full_name)
    assert [(m.full_name, m.passport_number, m.is_head) for m in members] == [
        ("Kim Min-jun", "M12345", True),
        ("Nguyễn Văn A", None, False),
    ]
    assert report.counts["VienTro"].created == 1
    imports = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "transfer.import")
    )
    (entry,) = imports.all()
    assert "so-lieu.xlsx" in entry.summary and entry.username == "admin"


def test_reimport_changes_nothing(app_ctx, db, admin):
    data = small_file()
    import_workbook(data, "a.xlsx", admin)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    report = import_workbook(data, "a.xlsx", admin)
    assert all(c.created == c.updated == 0 for c in report.counts.values()), report.counts
    db.session.commit()
    # Only the import itself is recorded the second time.
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before + 1


def test_update_replaces_children_and_audits(app_ctx, db, admin):
    import_workbook(small_file(), "a.xlsx", admin)
    db.session.commit()
    changed = small_file(
        value="120.000",
        disbursements=[
            ["VT-1", "10/04/2024", "40.000", "USD", "25.100"],
            ["VT-1", "10/06/2024", "20.000", "USD", "25.200"],
        ],
    )
    report = import_workbook(changed, "b.xlsx", admin)
    db.session.commit()
    assert report.counts["VienTro"].updated == 1 and report.counts["GiaiNgan"].created == 2
    item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "VT-1"))
    assert item.value_vnd == 3_000_000_000
    rows = db.session.scalars(sa.select(Disbursement).where(Disbursement.aid_item_id == item.id))
    rows = rows.all()
    assert sum(1 for d in rows if d.archived_at is None) == 2
    assert sum(1 for d in rows if d.archived_at is not None) == 1  # replaced, not deleted
    # The import speaks the forms' audit vocabulary (AidAudit), on the aid_item table.
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == AidAudit.UPDATE))
    assert entry.object_type == "aid_item" and entry.object_id == str(item.id)
    assert entry.changes["value_vnd"] == [2_500_000_000, 3_000_000_000]
    assert entry.summary == "Nhập từ tệp b.xlsx: cập nhật VT-1"
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "disbursement")
    ).all()
    assert sorted(actions) == [AidAudit.DISBURSEMENT_ADD] * 3 + [AidAudit.DISBURSEMENT_ARCHIVE]


def test_empty_optional_cell_clears_the_field(app_ctx, db, admin):
    rows = [[*ORG, "so_giay"], ["KOICA", "KOICA", "chinh_phu", "KR", "12/GĐK"]]
    import_workbook(workbook(ToChuc=rows), "a.xlsx", admin)
    rows[1][4] = None
    import_workbook(workbook(ToChuc=rows), "b.xlsx", admin)
    org = db.session.scalar(sa.select(Organization).where(Organization.code == "KOICA"))
    assert org.certificate_number is None


def test_errors_write_nothing(app_ctx, db, admin):
    bad = workbook(
        ToChuc=[ORG, ["A", "Org A", "ngo", "US"]],
        VienTro=[
            AID,
            [
                "VT-9",
                "X",
                "du_an",
                "NOWHERE",
                "y_te",
                None,
                "da_phe_duyet",
                None,
                None,
                "-5",
                "XYZ",
                None,
                None,
            ],
        ],
    )
    report = import_workbook(bad, "bad.xlsx", admin)
    assert not report.ok
    messages = " ".join(str(e) for e in report.errors)
    assert "VienTro, dòng 2" in messages
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def test_approved_item_without_decision_in_file_or_registry(app_ctx, db, admin):
    rows = [
        ["ma", "ten", "hinh_thuc", "nha_tai_tro", "linh_vuc", "trang_thai", "gia_tri", "tien_te"],
        ["VT-2", "X", "du_an", "K", "y_te", "da_phe_duyet", "5", "VND"],
    ]
    data = workbook(ToChuc=[ORG, ["K", "K", "ngo", "US"]], VienTro=rows)
    report = import_workbook(data, "a.xlsx", admin)
    assert not report.ok and "quyết định" in " ".join(str(e) for e in report.errors)


def test_round_trip_export_import_export(app_ctx, db, admin):
    report = import_workbook(build_workbook(), "demo.xlsx", admin)
    assert report.ok, [str(e) for e in report.errors[:5]]
    first = export_workbook()
    db.session.rollback()  # back to an empty registry
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 0
    again = import_workbook(first, "export.xlsx", admin)
    assert again.ok, [str(e) for e in again.errors[:5]]
    assert contents(export_workbook()) == contents(first)


def test_template_reads_back_clean():
    from app.transfer.reader import read_workbook

    result = read_workbook(template_workbook(), "mau.xlsx")
    assert result.ok and result.warnings == [] and all(r == [] for r in result.sheets.values())


def test_export_without_personal_data(app_ctx, db, admin):
    import_workbook(small_file(), "a.xlsx", admin)
    header = contents(export_workbook(include_personal=False))["ThanhVien"][0]
    assert "Số hộ chiếu" not in header and "Ngày sinh" not in header and "Họ và tên" in header


def test_cli_import_dry_run_export_template(app, db, tmp_path):
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(small_file())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["data", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "không ghi" in dry.output
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 0
    done = runner.invoke(args=["data", "import", str(path)])
    assert done.exit_code == 0 and "VienTro: 1 created" in done.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not an excel file")
    failed = runner.invoke(args=["data", "import", str(bad)])
    assert failed.exit_code == 1 and "không phải tệp Excel" in failed.output
    out = tmp_path / "all.xlsx"
    assert runner.invoke(args=["data", "export", str(out)]).exit_code == 0
    assert "VT-1" in str(contents(out.read_bytes())["VienTro"])
    template = tmp_path / "mau.xlsx"
    assert runner.invoke(args=["data", "template", str(template)]).exit_code == 0
    assert "DanhMuc" in load_workbook(template).sheetnames


def upload(web, data: bytes, filename: str = "so-lieu.xlsx"):
    """Upload a file on the transfer page; the check job's page (immediate mode)."""
    return web.post(
        "/du-lieu/kiem-tra",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def job_url(response) -> str:
    """The job page a POST redirected to."""
    return response.request.path


def test_web_upload_report_confirm(login, db):
    web = login("planning.officer")
    assert web.get("/du-lieu/").status_code == 200
    checked = upload(web, small_file())
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Tệp hợp lệ" in page
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 0  # only checked
    check_url = job_url(checked)
    done = web.post(f"{check_url}/nhap", follow_redirects=True)
    assert done.status_code == 200 and "Đã nhập dữ liệu" in done.get_data(as_text=True)
    assert job_url(done) != check_url  # the import is a job of its own
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 1
    again = web.post(f"{check_url}/nhap")  # a second click shows the same import
    assert again.status_code == 303 and again.location.endswith(job_url(done))
    assert web.get("/du-lieu/viec/..%2F..%2Fetc%2Fpasswd").status_code == 404
    # Another user cannot see the job, nor confirm it.
    other = login("foreign_affairs.officer")
    assert other.get(check_url).status_code == 404
    assert other.post(f"{check_url}/nhap").status_code == 404


def test_web_upload_errors_and_permissions(login, db):
    web = login("foreign_affairs.officer")
    bad = web.post(
        "/du-lieu/kiem-tra",
        {"file": (io.BytesIO(b""), "rong.xlsx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "rỗng" in bad.get_data(as_text=True)
    for username in ("police.officer", "planning.viewer"):
        other = login(username)
        assert other.get("/du-lieu/").status_code == 403
        refused = other.post(
            "/du-lieu/kiem-tra",
            {"file": (io.BytesIO(small_file()), "a.xlsx")},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 403
        assert other.post("/du-lieu/xuat").status_code == 403


def export_contents(web) -> dict:
    """Run the export job on the web and download its file."""
    page = web.post("/du-lieu/xuat", follow_redirects=True)
    assert page.status_code == 200 and "Tải tệp về" in page.get_data(as_text=True)
    download = web.get(f"{job_url(page)}/tep")
    assert download.status_code == 200
    return contents(download.data)


def test_web_export_masks_for_planning_and_is_audited(login, db, admin, app):
    with app.app_context():
        import_workbook(small_file(), "a.xlsx", admin)
    db.session.commit()
    planning = export_contents(login("planning.officer"))
    assert "Số hộ chiếu" not in planning["ThanhVien"][0]
    foreign = export_contents(login("foreign_affairs.officer"))
    assert "M12345" in str(foreign["ThanhVien"])
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "transfer.export")
        )
        == 2
    )


def test_member_list_upload(login, db):
    from tests.test_delegations_web import get, member_form, request_form

    host = login("other.officer")
    host.post("/doan/moi", request_form())
    delegation = get(db)
    rows = [
        ["Họ và tên", "Quốc tịch", "Số hộ chiếu", "Ngày sinh", "Trưởng đoàn"],
        ["Lee Seo-yeon", "Hàn Quốc", "S1001", "01/02/1985", "x"],
        ["Park Ji-ho", "KR", None, "31/02/1990", None],
        ["Choi Yoo-na", "KR", "S1001", None, None],
    ]
    response = host.post(
        f"/doan/{delegation.id}/thanh-vien/tai-len",
        {"file": (io.BytesIO(workbook(DanhSach=rows)), "danh-sach.xlsx")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 3" in body and "Ngày sinh" in body and "Dòng 4" in body
    assert db.session.scalar(sa.select(sa.func.count(DelegationMember.id))) == 0
    good = [rows[0], rows[1], ["Park Ji-ho", "KR", "S2002", "01/02/1990", None]]
    ok = host.post(
        f"/doan/{delegation.id}/thanh-vien/tai-len",
        {"file": (io.BytesIO(workbook(DanhSach=good)), "danh-sach.xlsx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert sorted(m.full_name for m in delegation.members) == ["Lee Seo-yeon", "Park Ji-ho"]
    csv_data = "Họ và tên;Quốc tịch;Số hộ chiếu\nTanaka;JP;T9009\n".encode("utf-8-sig")
    ok_csv = host.post(
        f"/doan/{delegation.id}/thanh-vien/tai-len",
        {"file": (io.BytesIO(csv_data), "tv.csv")},
        content_type="multipart/form-data",
    )
    assert ok_csv.status_code == 302
    assert member_form  # the shared builder stays importable


def test_round_trip_keeps_the_annual_report(app_ctx, db, admin):
    from datetime import datetime

    from app.stats.services import annual_report

    moment = datetime(2026, 1, 10, 8, 0)
    assert import_workbook(build_workbook(seed=11), "demo.xlsx", admin).ok
    years = range(2021, 2027)
    before = {year: annual_report(year, moment) for year in years}
    exported = export_workbook()
    db.session.rollback()
    assert import_workbook(exported, "export.xlsx", admin).ok
    after = {year: annual_report(year, moment) for year in years}
    assert after == before
    assert any(r["aid"]["approved"]["count"] for r in before.values())
    assert any(r["delegations"]["incoming"]["count"] for r in before.values())


def test_absurd_amounts_are_row_errors(app_ctx, db, admin):
    rows = [
        [
            "ma",
            "ten",
            "hinh_thuc",
            "nha_tai_tro",
            "linh_vuc",
            "trang_thai",
            "gia_tri",
            "tien_te",
            "ty_gia",
        ],
        [
            "VT-8",
            "X",
            "du_an",
            "K",
            "y_te",
            "tiep_nhan",
            "999.999.999.999.999.999.999",
            "USD",
            "25.000",
        ],
        [
            "VT-9",
            "Y",
            "du_an",
            "K",
            "y_te",
            "tiep_nhan",
            "900.000.000.000.000",
            "USD",
            "900.000.000",
        ],
    ]
    report = import_workbook(
        workbook(ToChuc=[ORG, ["K", "K", "ngo", "US"]], VienTro=rows), "a.xlsx", admin
    )
    messages = [str(e) for e in report.errors]
    assert any("dòng 2" in m and "quá lớn" in m for m in messages), messages
    assert any("dòng 3" in m and "quá lớn" in m for m in messages), messages


def test_other_agencies_drafts_stay_out_of_exports_and_imports(login, db):
    from tests.test_delegations_web import get, member_form, request_form

    host = login("other.officer")
    host.post("/doan/moi", request_form())
    draft = get(db)
    host.post(f"/doan/{draft.id}/thanh-vien/moi", member_form())
    planner = login("planning.officer")
    exported = export_contents(planner)
    assert "DV-2026-01" not in str(exported["Doan"]) + str(exported["ThanhVien"])
    members = workbook(
        ThanhVien=[
            ["ma_doan", "ho_ten", "quoc_tich", "so_ho_chieu"],
            ["DV-2026-01", "Hacker", "JP", "P333"],
        ]
    )
    checked = upload(planner, members, "tv.xlsx")
    assert checked.status_code == 422 and "đơn vị khác" in checked.get_data(as_text=True)
    assert [m.full_name for m in draft.members] == ["Kim Min-jun"]


def test_replaced_members_are_counted_and_audited(app_ctx, db, admin):
    import_workbook(small_file(), "a.xlsx", admin)
    changed = workbook(
        ThanhVien=[
            ["ma_doan", "ho_ten", "quoc_tich", "so_ho_chieu"],
            ["DV-1", "Tanaka", "JP", "T1"],
        ]
    )
    report = import_workbook(changed, "b.xlsx", admin)
    assert report.counts["ThanhVien"].created == 1 and report.counts["ThanhVien"].replaced == 2
    assert "2 dòng cũ được thay thế" in report.summary()
    archived = db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action == DelegationAudit.MEMBER_REMOVE
        )
    )
    assert archived == 2


def test_imported_passports_checked_like_the_form(app_ctx, db, admin):
    data = workbook(
        ThanhVien=[
            ["ma_doan", "ho_ten", "quoc_tich", "so_ho_chieu"],
            ["DV-X", "A", "JP", "TK 12#$%"],
        ]
    )
    report = import_workbook(data, "tv.xlsx", admin)
    assert any("chữ cái không dấu" in str(e) for e in report.errors)


def test_imported_approved_delegations_have_their_report_due(app_ctx, db, admin):
    """Legacy spreadsheets bring approved visits that ended without a report: the overdue
    alert must see them as it sees those approved in the registry."""
    from app.delegations import services as delegation_services
    from app.delegations import states
    from app.delegations.models import Delegation

    assert import_workbook(build_workbook(), "demo.xlsx", admin).ok
    approved = db.session.scalars(
        sa.select(Delegation).where(Delegation.status == states.APPROVED)
    ).all()
    assert approved and all(d.report_due_on and d.report_due_on > d.end_on for d in approved)
    ended = {d.id for d in approved if d.report_due_on < today_vn()}
    assert ended, "the demo workbook holds an approved visit whose report is overdue"
    overdue = delegation_services.alerts(user=admin)["reports_overdue"]
    assert ended <= {d.id for d in overdue}


def test_import_warns_of_money_above_the_approved_value(app_ctx, db, admin):
    """An import records what happened (not refused), but the check says which items were
    paid above their approved value before the user confirms."""
    within = import_workbook(small_file(), "a.xlsx", admin)
    assert within.ok and not [w for w in within.warnings if "vượt giá trị" in w.message]
    db.session.rollback()
    paid = [["VT-1", "10/04/2024", "80.000", "USD", "25.100"],
            ["VT-1", "10/05/2024", "30.000", "USD", "25.100"]]  # fmt: skip
    over = import_workbook(small_file(disbursements=paid), "b.xlsx", admin)
    assert over.ok
    warned = [str(w) for w in over.warnings if "vượt giá trị" in w.message]
    assert warned == [
        "GiaiNgan: Khoản viện trợ VT-1: tổng giải ngân vượt giá trị được phê duyệt (kể cả "
        "điều chỉnh). Hãy kiểm tra trước khi xác nhận nhập."
    ]
