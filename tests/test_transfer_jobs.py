"""The transfer page's background jobs, upload limits, the tables' constraints, the audit
vocabulary and formula-like text, through the import, the export and the web."""

import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from huey.storage import MemoryStorage
from openpyxl import Workbook, load_workbook

from app.aid.models import AidItem
from app.core.export import write_cell
from app.core.models import AuditEntry
from app.orgs.models import Organization
from app.transfer import files, jobs, tasks, views
from app.transfer.exporter import export_workbook
from app.transfer.importer import import_workbook
from app.transfer.reader import read_workbook
from tests.test_transfer_import import (
    ORG,
    contents,
    job_url,
    small_file,
    upload,
    workbook,
)


@pytest.fixture
def admin(user):
    return user("admin")


def texts(issues) -> list[str]:
    return [str(issue) for issue in issues]


# --- Jobs on the web ----------------------------------------------------------------------


def test_a_job_page_shows_progress_until_done_then_the_result(login, db, user, app, monkeypatch):
    web = login("planning.officer")
    with app.app_context():
        token = views._stage(small_file(), "so-lieu.xlsx")
        job = jobs.create(
            jobs.CHECK, user("planning.officer"), filename="so-lieu.xlsx", token=token
        )
    waiting = web.get(f"/du-lieu/viec/{job['id']}")
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in page and "Đang chờ xử lý" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it
    assert "scripts/worker" not in page
    monkeypatch.setattr(jobs, "STALE_AFTER", timedelta(0))  # no news: is a worker running?
    assert "scripts/worker" in web.get(f"/du-lieu/viec/{job['id']}").get_data(as_text=True)
    with app.app_context():
        jobs.run(job["id"])
    done = web.get(f"/du-lieu/viec/{job['id']}")
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "http-equiv" not in page and "Tệp hợp lệ" in page
    # The job stays reachable after the browser is gone: listed on the transfer page.
    assert f"/du-lieu/viec/{job['id']}" in web.get("/du-lieu/").get_data(as_text=True)


def test_with_a_worker_the_request_only_queues_the_job(login, db, app, monkeypatch):
    """HUEY_IMMEDIATE=0: the upload is queued; the worker (here: this thread) runs it."""
    monkeypatch.setattr(jobs.huey, "_immediate", False)
    monkeypatch.setattr(jobs.huey, "storage", MemoryStorage("test"))
    web = login("planning.officer")
    queued = web.post(
        "/du-lieu/kiem-tra",
        {"file": (io.BytesIO(small_file()), "so-lieu.xlsx")},
        content_type="multipart/form-data",
    )
    assert queued.status_code == 303 and jobs.huey.pending_count() == 1
    assert "Đang chờ xử lý" in web.get(queued.location).get_data(as_text=True)
    with app.app_context():
        jobs.huey.execute(jobs.huey.dequeue())
    page = web.get(queued.location).get_data(as_text=True)
    assert "Tệp hợp lệ" in page and "http-equiv" not in page


def test_a_failing_job_says_so_and_writes_nothing(login, db, monkeypatch):
    def broken(job, progress):
        db.session.add(Organization(code="X", name="X", kind="ngo", country="US"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setitem(tasks.RUNNERS, jobs.CHECK, broken)
    page = upload(login("planning.officer"), small_file())
    assert page.status_code == 200 and "Có lỗi ngoài dự kiến" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def test_the_error_report_lists_every_error(login, db, monkeypatch):
    monkeypatch.setattr(views, "ERRORS_PER_PAGE", 5)
    rows = [ORG] + [[f"T{i}", f"Org {i}", "ngo", "Atlantis"] for i in range(12)]
    web = login("planning.officer")
    first = upload(web, workbook(ToChuc=rows), "loi.xlsx")
    assert first.status_code == 422 and "Tệp có 12 lỗi" in first.get_data(as_text=True)
    seen = []
    for number in (1, 2, 3):
        page = web.get(f"{job_url(first)}?trang={number}").get_data(as_text=True)
        seen += [row for row in range(2, 14) if f"<td>ToChuc</td><td>{row}</td>" in page]
    assert sorted(seen) == list(range(2, 14))  # each of the 12 rows, on one of the pages


def test_filtering_the_audit_log_by_action_finds_the_imports_update(login, db, admin, app):
    with app.app_context():
        import_workbook(small_file(), "a.xlsx", admin)
    db.session.commit()
    web = login("admin")
    checked = upload(web, small_file(value="120.000"), "b.xlsx")
    assert checked.status_code == 200
    web.post(f"{job_url(checked)}/nhap")
    log = web.get("/quan-tri/nhat-ky?action=aid.update").get_data(as_text=True)
    assert "Nhập từ tệp b.xlsx: cập nhật VT-1" in log
    assert "import_update" not in log


# --- Upload limits ------------------------------------------------------------------------


def zip_bomb(tmp_path, megabytes: int = 201) -> bytes:
    """A small .xlsx (a few hundred KB) whose sheet inflates to `megabytes` MB."""
    good = io.BytesIO(workbook(ToChuc=[ORG, ["T1", "Org", "ngo", "US"]]))
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/')
            sheet.write(b'spreadsheetml/2006/main"><sheetData>')
            spaces = b" " * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(spaces)
            sheet.write(b"</sheetData></worksheet>")
    return path.read_bytes()


def test_a_zip_bomb_is_refused_without_reading_it(tmp_path, monkeypatch, app, login, db):
    bomb = zip_bomb(tmp_path)
    assert len(bomb) < 1024 * 1024

    def no_reading(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(files.openpyxl, "load_workbook", no_reading)
    with app.app_context():
        result = read_workbook(bomb, "bom.xlsx")
    (error,) = texts(result.errors)
    assert "'xl/worksheets/sheet1.xml' giải nén ra 201,0 MB" in error
    assert "giới hạn 200,0 MB cho mỗi phần (IMPORT_MAX_INFLATED_MB)" in error
    refused = login("planning.officer").post(
        "/du-lieu/kiem-tra",
        {"file": (io.BytesIO(bomb), "bom.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413 and "IMPORT_MAX_INFLATED_MB" in refused.get_data(as_text=True)
    path = tmp_path / "bom.xlsx"
    path.write_bytes(bomb)
    failed = app.test_cli_runner().invoke(args=["data", "import", str(path)])
    assert failed.exit_code == 1 and "IMPORT_MAX_INFLATED_MB" in failed.output


def test_the_inflated_limit_is_a_setting(tmp_path, app, monkeypatch):
    data = zip_bomb(tmp_path, megabytes=3)
    monkeypatch.setitem(app.config, "IMPORT_MAX_INFLATED_MB", 2)
    with app.app_context():
        assert "giới hạn 2,0 MB" in texts(read_workbook(data, "a.xlsx").errors)[0]
    monkeypatch.setitem(app.config, "IMPORT_MAX_INFLATED_MB", 4)
    with app.app_context():
        assert "IMPORT_MAX_INFLATED_MB" not in " ".join(texts(read_workbook(data, "a.xlsx").errors))


def test_rows_per_sheet_are_bounded_in_xlsx_and_csv(app, monkeypatch, login, db):
    assert files.DEFAULT_MAX_ROWS >= 100_000
    rows = [ORG] + [[f"T{i}", f"Org {i}", "ngo", "US"] for i in range(4)]
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 4)
    with app.app_context():
        assert files.limits()[1] == 4
        assert read_workbook(workbook(ToChuc=rows), "a.xlsx").ok  # exactly at the limit
        over = read_workbook(workbook(ToChuc=[*rows, ["T9", "Org 9", "ngo", "US"]]), "a.xlsx")
        csv_text = "\n".join(",".join(r) for r in [*rows, ["T9", "Org 9", "ngo", "US"]])
        over_csv = read_workbook(csv_text.encode("utf-8-sig"), "ToChuc.csv")
    expected = (
        "ToChuc, dòng 6: Trang có hơn 4 dòng dữ liệu, vượt giới hạn 4 dòng mỗi trang "
        "(IMPORT_MAX_ROWS): hãy chia thành nhiều tệp."
    )
    assert texts(over.errors) == [expected] and over.sheets["ToChuc"] == []
    assert texts(over_csv.errors) == [expected]
    page = upload(login("planning.officer"), workbook(ToChuc=[*rows, ["T9", "X", "ngo", "US"]]))
    assert page.status_code == 422 and "IMPORT_MAX_ROWS" in page.get_data(as_text=True)


# --- Rules and constraints ----------------------------------------------------------------

MEMBERS = ["ma_doan", "ho_ten", "quoc_tich", "so_ho_chieu", "ngay_sinh"]


def test_births_before_1900_are_refused_like_the_form(app_ctx, db, admin):
    data = workbook(
        ThanhVien=[
            MEMBERS,
            ["DV-1", "Cụ A", "VN", None, "31/12/1899"],  # Excel keeps such a date as text
            ["DV-1", "Cụ B", "VN", None, date(1900, 1, 1)],
        ]
    )
    report = import_workbook(data, "tv.xlsx", admin)
    birth_errors = [e for e in report.errors if e.column == "Ngày sinh"]
    assert texts(birth_errors) == [
        "ThanhVien, dòng 2, cột «Ngày sinh»: Ngày sinh không hợp lệ (trước năm 1900)."
    ]


def test_passport_expiring_before_the_visit_ends_is_refused_like_the_form(app_ctx, db, admin):
    data = small_file()
    book = load_workbook(io.BytesIO(data))
    members = book["ThanhVien"]
    members.cell(1, 6, "han_ho_chieu")
    members.cell(2, 6, "06/05/2024")  # the visit ends on 07/05/2024
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_workbook(buffer.getvalue(), "a.xlsx", admin)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Hạn hộ chiếu")]


def test_emptying_a_not_null_field_of_an_existing_record_is_a_row_error(app_ctx, db, admin):
    assert import_workbook(small_file(), "a.xlsx", admin).ok
    db.session.commit()
    rows = [
        ["ma", "ten", "hinh_thuc", "nha_tai_tro", "linh_vuc", "trang_thai", "gia_tri"],
        ["VT-1", "Trường học Đăk Tô", "du_an", "KOICA", "giao_duc", "dang_thuc_hien", "1"],
        ["VT-NEW", "Mới", "du_an", "KOICA", "y_te", "tiep_nhan", "5"],
    ]
    rows[0] += ["tien_te", "ty_gia", "so_quyet_dinh", "ngay_phe_duyet", "che_do"]
    rows[1] += ["USD", "25.000", "12/QĐ-UBND", "15/03/2024", None]  # regime emptied: refused
    rows[2] += ["VND", None, None, None, None]  # a new record gets the default regime
    report = import_workbook(workbook(VienTro=rows), "b.xlsx", admin)
    assert texts(report.errors) == [
        "VienTro, dòng 2, cột «Chế độ pháp lý»: "
        "Không được để trống (sổ đăng ký bắt buộc có giá trị này)."
    ]
    db.session.rollback()
    item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "VT-1"))
    assert item.regime == "nd313_2025" and item.value == 100_000


def test_text_longer_than_its_column_is_a_row_error(app_ctx, db, admin):
    stop = "01/05/2024 | 23584 | " + "x" * 301 + " | gặp gỡ"
    data = small_file()
    book = load_workbook(io.BytesIO(data))
    book["Doan"].cell(1, 11, "lich_trinh")
    book["Doan"].cell(2, 11, stop.replace("01/05", "06/05"))
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_workbook(buffer.getvalue(), "a.xlsx", admin)
    assert texts(report.errors) == [
        "Doan, dòng 2, cột «Lịch trình»: Dòng 1 của lịch trình: địa điểm dài quá 300 ký tự."
    ]


# --- Formula-like text --------------------------------------------------------------------

FORMULA_LIKE = ["=1+2", "-abc", "@x", "+84 123", '=HYPERLINK("http://x")']


def test_formula_like_text_is_exported_as_text_and_reimported_unchanged(app_ctx, db, admin):
    book = Workbook()
    sheet = book.active
    sheet.title = "ToChuc"
    sheet.append([*ORG, "ghi_chu"])
    for i, name in enumerate(FORMULA_LIKE, start=2):  # typed as text, as a user would
        for column, value in enumerate([f"T{i - 2}", name, "ngo", "US"], start=1):
            write_cell(sheet.cell(i, column), value)
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_workbook(buffer.getvalue(), "a.xlsx", admin).ok
    exported = export_workbook()
    sheet = load_workbook(io.BytesIO(exported))["ToChuc"]
    names = {}
    for code_cell, name_cell, *rest in sheet.iter_rows(min_row=2):
        assert name_cell.data_type == "s" and name_cell.quotePrefix  # text, never a formula
        assert rest[-1].value is None  # an empty value stays empty
        names[code_cell.value] = name_cell.value
    assert [names[f"T{i}"] for i in range(len(FORMULA_LIKE))] == FORMULA_LIKE
    db.session.rollback()
    assert import_workbook(exported, "export.xlsx", admin).ok
    stored = dict(db.session.execute(sa.select(Organization.code, Organization.name)).all())
    assert [stored[f"T{i}"] for i in range(len(FORMULA_LIKE))] == FORMULA_LIKE
    assert contents(export_workbook()) == contents(exported)


def test_the_web_export_is_audited_once_per_job(login, db):
    web = login("planning.officer")
    page = web.post("/du-lieu/xuat", follow_redirects=True)
    assert page.status_code == 200
    assert web.get(f"{job_url(page)}/tep").status_code == 200
    assert web.get(f"{job_url(page)}/tep").status_code == 200  # downloaded twice
    exports = sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "transfer.export")
    assert db.session.scalar(exports) == 1
    assert login("foreign_affairs.officer").get(f"{job_url(page)}/tep").status_code == 404
