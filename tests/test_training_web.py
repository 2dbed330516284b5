"""Training pages over HTTP: real logins and CSRF, permissions, 422 / 409, exports, summary."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.models import AuditEntry
from app.stats.training_figures import load_training_frames, training_figures
from app.training import services
from app.training.models import TrainingAttendance, TrainingCourse
from app.training.states import TrainingAudit
from tests.training_helpers import agency, course_data, form_post, internal_affairs_officer


def counts(db) -> tuple[int, int, int]:
    """(courses, attendance rows, audit entries): what a refused request must not change."""
    return (
        db.session.scalar(sa.select(sa.func.count(TrainingCourse.id))),
        db.session.scalar(sa.select(sa.func.count(TrainingAttendance.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
    )


def by_code(db, code) -> TrainingCourse | None:
    return db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == code))


@pytest.fixture
def course(app, db, user):
    with app.app_context():
        course = services.create_course(course_data(), user=user("foreign_affairs.officer"))
        db.session.commit()
    return course


def test_officer_creates_a_course_through_the_form(login, db):
    web = login("foreign_affairs.officer")
    page = web.get("/dao-tao/moi").get_data(as_text=True)
    assert "Thêm khóa đào tạo, bồi dưỡng" in page and "Lễ tân đối ngoại" in page
    response = web.post("/dao-tao/moi", form_post())
    assert response.status_code == 302
    course = by_code(db, "DT-2026-01")
    assert course.start_on == date(2026, 3, 10) and course.cost_vnd == 25_000_000
    assert course.topics == ["le_tan", "doi_ngoai_nhan_dan"]
    detail = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo khóa đào tạo DT-2026-01." in detail
    assert "10/03/2026 – 12/03/2026" in detail and "25.000.000 ₫" in detail
    assert "Lễ tân đối ngoại; Công tác đối ngoại nhân dân" in detail


def test_internal_affairs_officer_may_create(app, login, db):
    with app.app_context():
        internal_affairs_officer(db)
    web = login("noivu.officer")
    assert web.post("/dao-tao/moi", form_post(code="NV-1")).status_code == 302
    assert by_code(db, "NV-1") is not None


def test_police_officer_reads_but_may_not_write(login, db, course):
    web = login("police.officer")
    listing = web.get("/dao-tao/").get_data(as_text=True)
    assert "DT-2026-01" in listing and "+ Thêm khóa đào tạo" not in listing
    detail = web.get(f"/dao-tao/{course.id}").get_data(as_text=True)
    assert "Ghi học viên" not in detail and "Lưu trữ khóa đào tạo" not in detail
    before = counts(db)
    assert web.get("/dao-tao/moi").status_code == 403
    assert web.post("/dao-tao/moi", form_post(code="X-1")).status_code == 403
    post = {"agency_id": agency(db, "CAT").id, "trainee_count": "2"}
    assert web.post(f"/dao-tao/{course.id}/hoc-vien", post).status_code == 403
    assert web.post(f"/dao-tao/{course.id}/luu-tru", {"reason": "x"}).status_code == 403
    assert counts(db) == before


@pytest.mark.parametrize("username", ["leadership.viewer", "other.officer", "admin"])
def test_every_signed_in_user_reads(login, course, username):
    web = login(username)
    assert web.get("/dao-tao/").status_code == 200
    assert web.get(f"/dao-tao/{course.id}").status_code == 200
    assert web.get("/dao-tao/thong-ke?year=2026").status_code == 200
    assert "Đào tạo, bồi dưỡng" in web.get("/").get_data(as_text=True)  # the menu line


def test_signed_out_users_go_to_the_login_page(web):
    response = web.get("/dao-tao/")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_on": "01/03/2026"}, "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"start_on": "31/02/2026"}, "Ngày không hợp lệ"),
        ({"topics": []}, "Vui lòng chọn ít nhất một chủ đề."),
        ({"topics": ["bogus"]}, "Chủ đề không hợp lệ: bogus."),
        ({"organiser_text": ""}, "Vui lòng chọn cơ quan tổ chức hoặc ghi tên đơn vị tổ chức."),
        ({"cost_vnd": "1,234.5"}, "Số không hợp lệ"),
        ({"cost_vnd": "1.000,5"}, "Kinh phí tính bằng đồng, không có phần lẻ."),
        ({"title": ""}, "Vui lòng nhập tên khóa đào tạo."),
    ],
)
def test_bad_input_is_422_in_vietnamese_and_writes_nothing(login, db, changes, message):
    web = login("foreign_affairs.officer")
    before = counts(db)
    response = web.post("/dao-tao/moi", form_post(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(db) == before


def test_duplicate_code_is_422_next_to_the_field(login, db, course):
    web = login("foreign_affairs.officer")
    response = web.post("/dao-tao/moi", form_post())
    assert response.status_code == 422
    assert "Mã khóa đào tạo &#39;DT-2026-01&#39; đã được dùng" in response.get_data(as_text=True)


def test_stale_edit_is_409_and_not_applied(login, db, course):
    web = login("foreign_affairs.officer")
    page = web.get(f"/dao-tao/{course.id}/sua").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{course.version}"' in page
    old = course.version
    fresh = web.post(f"/dao-tao/{course.id}/sua", form_post(title="Mới", version=old))
    assert fresh.status_code == 302
    stale = web.post(f"/dao-tao/{course.id}/sua", form_post(title="Cũ đè", version=old))
    assert stale.status_code == 409
    assert "người khác thay đổi" in stale.get_data(as_text=True)
    db.session.refresh(course)
    assert course.title == "Mới"


def test_attendance_add_edit_remove(login, db, course):
    web = login("foreign_affairs.officer")
    cat, snv = agency(db, "CAT"), agency(db, "SNV")
    ok = web.post(
        f"/dao-tao/{course.id}/hoc-vien",
        {"agency_id": cat.id, "trainee_count": "2", "names": "Nguyễn Văn A\nTrần Thị B"},
    )
    assert ok.status_code == 302
    web.post(f"/dao-tao/{course.id}/hoc-vien", {"agency_id": snv.id, "trainee_count": "5"})
    page = web.get(f"/dao-tao/{course.id}").get_data(as_text=True)
    assert 'data-testid="trainee-total">7<' in page
    assert "Nguyễn Văn A" in page and "Chưa ghi họ tên" in page

    before = counts(db)
    too_many = web.post(
        f"/dao-tao/{course.id}/hoc-vien",
        {"agency_id": agency(db, "BĐBP").id, "trainee_count": "1", "names": "A\nB\nC"},
    )
    assert too_many.status_code == 422
    assert "Đã ghi 3 họ tên nhưng số học viên chỉ là 1" in too_many.get_data(as_text=True)
    again = web.post(f"/dao-tao/{course.id}/hoc-vien", {"agency_id": cat.id, "trainee_count": "1"})
    assert again.status_code == 422
    assert "Cơ quan này đã có trong danh sách học viên" in again.get_data(as_text=True)
    zero = web.post(f"/dao-tao/{course.id}/hoc-vien", {"agency_id": cat.id, "trainee_count": "0"})
    assert zero.status_code == 422
    assert counts(db) == before

    row = db.session.scalar(
        sa.select(TrainingAttendance).where(TrainingAttendance.agency_id == cat.id)
    )
    edit_url = f"/dao-tao/hoc-vien/{row.id}/sua"
    assert web.get(edit_url).status_code == 200
    bad = web.post(edit_url, {"trainee_count": "1", "names": "A\nB", "version": row.version})
    assert bad.status_code == 422 and "số họ tên không" in bad.get_data(as_text=True)
    old = row.version
    assert web.post(edit_url, {"trainee_count": "4", "version": old}).status_code == 302
    assert web.post(edit_url, {"trainee_count": "6", "version": old}).status_code == 409
    db.session.refresh(row)
    assert row.trainee_count == 4

    no_reason = web.post(f"/dao-tao/hoc-vien/{row.id}/go", {"reason": "", "version": row.version})
    assert no_reason.status_code == 303
    removed = web.post(
        f"/dao-tao/hoc-vien/{row.id}/go", {"reason": "Ghi nhầm", "version": row.version}
    )
    assert removed.status_code == 302
    db.session.refresh(row)
    assert row.is_archived and row.archive_reason == "Ghi nhầm"
    page = web.get(f"/dao-tao/{course.id}").get_data(as_text=True)
    assert 'data-testid="trainee-total">5<' in page and "Dòng đã gỡ (1)" in page
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "training_course", AuditEntry.object_id == str(course.id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions[-1] == TrainingAudit.ATTENDANCE_ARCHIVE
    assert TrainingAudit.ATTENDANCE_UPDATE in actions


def test_archive_needs_a_reason_then_hides_the_course(login, db, course):
    web = login("foreign_affairs.officer")
    missing = web.post(f"/dao-tao/{course.id}/luu-tru", {"reason": "", "version": course.version})
    assert missing.status_code == 422
    assert "Vui lòng nhập lý do." in missing.get_data(as_text=True)
    done = web.post(f"/dao-tao/{course.id}/luu-tru", {"reason": "Hủy", "version": course.version})
    assert done.status_code == 302
    assert 'data-testid="course-row"' not in web.get("/dao-tao/").get_data(as_text=True)
    shown = web.get("/dao-tao/?archived=1").get_data(as_text=True)
    assert shown.count('data-testid="course-row"') == 1 and "Đã lưu trữ" in shown
    assert web.get(f"/dao-tao/{course.id}/sua").status_code == 200  # the form shows ...
    db.session.refresh(course)
    stale_edit = web.post(f"/dao-tao/{course.id}/sua", form_post(version=course.version))
    assert stale_edit.status_code == 409  # ... but an archived course is not edited


def test_list_filters_and_pagination_links(app, login, db, user):
    with app.app_context():
        manager = user("foreign_affairs.officer")
        for number in range(30):
            services.create_course(
                course_data(code=f"P{number:02d}", title=f"Khóa Đắk Tô {number}"), user=manager
            )
        services.create_course(
            course_data(code="OLD", start_on=date(2024, 1, 5), end_on=date(2024, 1, 6)),
            user=manager,
        )
        db.session.commit()
    web = login("leadership.viewer")
    size = app.config["PAGE_SIZE"]
    assert size < 30
    first = web.get("/dao-tao/?q=dak+to").get_data(as_text=True)
    assert first.count('data-testid="course-row"') == size
    assert "page=2" in first
    second = web.get("/dao-tao/?q=dak+to&page=2").get_data(as_text=True)
    assert second.count('data-testid="course-row"') == 30 - size
    year = web.get("/dao-tao/?year=2024").get_data(as_text=True)
    assert year.count('data-testid="course-row"') == 1 and "OLD" in year
    assert web.get("/dao-tao/?year=abc&topic=zzz&organiser=-4&sort=x").status_code == 200


def test_exports_use_labels_and_write_text_as_text(app, login, db, user):
    with app.app_context():
        manager = user("foreign_affairs.officer")
        course = services.create_course(
            course_data(title='=HYPERLINK("x")', place="+84 Quảng Ngãi"), user=manager
        )
        services.add_attendance(
            course,
            {"agency_id": agency(db, "CAT").id, "trainee_count": 2, "names": "-Nguyễn A\nB"},
            user=manager,
        )
        db.session.commit()
    web = login("police.viewer")
    response = web.get("/dao-tao/xuat.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=False))
    headers = [cell.value for cell in rows[0]]
    assert headers[:4] == ["Mã khóa đào tạo", "Tên khóa đào tạo, bồi dưỡng", "Từ ngày", "Đến ngày"]
    values = {h: cell for h, cell in zip(headers, rows[1], strict=True)}
    title = values["Tên khóa đào tạo, bồi dưỡng"]
    assert title.value == '=HYPERLINK("x")' and title.data_type == "s" and title.quotePrefix
    assert values["Địa điểm"].quotePrefix
    assert values["Chủ đề"].value == "Lễ tân đối ngoại; Công tác đối ngoại nhân dân"
    assert values["Kinh phí (VNĐ)"].value == 25_000_000
    assert values["Từ ngày"].is_date and values["Tổng số học viên"].value == 2

    text = web.get("/dao-tao/xuat.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][1] == '\'=HYPERLINK("x")' and table[1][2] == "10/03/2026"
    assert "le_tan" not in text

    trainees = web.get("/dao-tao/xuat-hoc-vien.xlsx")
    sheet = load_workbook(io.BytesIO(trainees.data)).active
    header, row = list(sheet.iter_rows(values_only=False))[:2]
    assert [c.value for c in header] == [
        "Mã khóa đào tạo",
        "Cơ quan cử học viên",
        "Số học viên",
        "Họ tên học viên",
    ]
    assert row[3].value == "-Nguyễn A; B" and row[3].quotePrefix
    exported = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == TrainingAudit.EXPORT)
    ).all()
    assert len(exported) == 1 and "1 dòng" in exported[0].summary


def _summary_data(app, db, user):
    with app.app_context():
        manager = user("foreign_affairs.officer")
        first = services.create_course(course_data(code="S1"), user=manager)
        second = services.create_course(
            course_data(code="S2", topics=["ngoai_ngu"], cost_vnd=None), user=manager
        )
        services.create_course(
            course_data(code="S0", start_on=date(2025, 6, 1), end_on=date(2025, 6, 2)),
            user=manager,
        )
        cat, snv = agency(db, "CAT"), agency(db, "SNV")
        services.add_attendance(first, {"agency_id": cat.id, "trainee_count": 3}, user=manager)
        services.add_attendance(first, {"agency_id": snv.id, "trainee_count": 4}, user=manager)
        row = services.add_attendance(
            second, {"agency_id": snv.id, "trainee_count": 6}, user=manager
        )
        services.add_attendance(
            second, {"agency_id": agency(db, "BĐBP").id, "trainee_count": 9}, user=manager
        )
        services.archive_attendance(row, "nhầm", user=manager)
        db.session.commit()
    return cat, snv


def test_loader_reads_live_rows_for_the_pure_rule(app, db, user):
    cat, snv = _summary_data(app, db, user)
    with app.app_context():
        courses, attendance = load_training_frames(2026)
        assert sorted(courses["code"]) == ["S1", "S2"]
        assert sorted(map(sorted, courses["topics"])) == [
            ["doi_ngoai_nhan_dan", "le_tan"],
            ["ngoai_ngu"],
        ]
        figures = training_figures(courses, attendance, 2026)
        all_courses, all_attendance = load_training_frames()
        assert len(all_courses) == 3
        assert training_figures(all_courses, all_attendance, 2026) == figures
    assert (figures["courses"], figures["trainees"], figures["cost_vnd"]) == (2, 16, 25_000_000)
    assert [(r["agency"], r["courses"], r["trainees"]) for r in figures["by_agency"]] == [
        (agency(db, "BĐBP").name, 1, 9),
        (snv.name, 1, 4),
        (cat.name, 1, 3),
    ]


def test_summary_page_and_export_show_the_figures(app, login, db, user):
    _summary_data(app, db, user)
    web = login("leadership.viewer")
    page = web.get("/dao-tao/thong-ke?year=2026").get_data(as_text=True)
    assert "Thống kê đào tạo năm 2026" in page
    assert 'data-testid="summary-courses">2<' in page
    assert 'data-testid="summary-trainees">16<' in page
    assert "1 khóa chưa ghi kinh phí" in page
    assert "Quản lý viện trợ PCPNN" in page  # every topic is listed, zeros too
    assert 'data-testid="summary-courses">1<' in web.get("/dao-tao/thong-ke?year=2025").get_data(
        as_text=True
    )
    assert web.get("/dao-tao/thong-ke?year=99999").status_code == 200  # falls back to this year

    book = load_workbook(io.BytesIO(web.get("/dao-tao/thong-ke/xuat.xlsx?year=2026").data))
    assert book.sheetnames == ["TongHop", "TheoCoQuan", "TheoChuDe"]
    topics = {row[0]: row[1:] for row in book["TheoChuDe"].iter_rows(min_row=2, values_only=True)}
    assert topics["Lễ tân đối ngoại"] == (1, 7) and topics["Ngoại ngữ"] == (1, 9)
    totals = dict(book["TongHop"].iter_rows(min_row=2, values_only=True))
    assert totals["Tổng số lượt học viên"] == 16 and totals["Năm"] == "2026"
    text = web.get("/dao-tao/thong-ke/xuat.csv?year=2026").data.decode("utf-8-sig")
    assert "Theo chủ đề,Lễ tân đối ngoại,1,7" in text


def test_list_and_course_page_ask_a_bounded_number_of_queries(app, login, db, user):
    from tests.test_stats_web import selects

    agencies = [agency(db, code) for code in ("CAT", "SNV", "BĐBP", "SNgV", "STC-VT", "VP UBND")]

    def make(prefix: str, count: int, rows: int):
        with app.app_context():
            manager = user("foreign_affairs.officer")
            for number in range(count):
                course = services.create_course(
                    course_data(code=f"{prefix}{number}", organiser_agency_id=agencies[1].id),
                    user=manager,
                )
                for a in agencies[:rows]:
                    services.add_attendance(
                        course, {"agency_id": a.id, "trainee_count": 2}, user=manager
                    )
            db.session.commit()

    web = login("leadership.viewer")
    make("Q", 2, 1)
    few = selects(db, lambda: web.get("/dao-tao/"))
    make("R", 10, 6)
    many = selects(db, lambda: web.get("/dao-tao/"))
    assert len(few) == len(many)
    page = web.get("/dao-tao/").get_data(as_text=True)
    assert page.count('data-testid="course-row"') == 12 and "6 cơ quan" in page

    small = by_code(db, "Q0")
    large = by_code(db, "R0")
    assert len(selects(db, lambda: web.get(f"/dao-tao/{small.id}"))) == len(
        selects(db, lambda: web.get(f"/dao-tao/{large.id}"))
    )


def test_the_audit_log_names_training_records_and_actions_in_vietnamese(app, login, db, course):
    with app.app_context():
        services.add_attendance(
            course,
            {"agency_id": agency(db, "CAT").id, "trainee_count": 2},
            user=_manager(db),
        )
        db.session.commit()
    page = login("admin").get(
        f"/quan-tri/nhat-ky?object_type=training_course&object_id={course.id}"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Khóa đào tạo, bồi dưỡng" in text
    assert "Thêm khóa đào tạo" in text and "Ghi học viên của một cơ quan" in text


def _manager(db):
    from app.auth.models import User

    return db.session.scalar(sa.select(User).where(User.username == "foreign_affairs.officer"))
