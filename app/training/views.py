"""Pages of the training domain: the list and its exports, a course's page with its
trainees by agency, the course form, archiving, and the yearly summary."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.core import audit
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.forms import VersionedForm
from app.core.lazy import lazy_function
from app.core.listing import arg_year, paginate
from app.core.permissions import requires
from app.core.web import form_action, form_page, get_or_404, record_form_page
from app.extensions import db
from app.training import exports, queries, services
from app.training.forms import ArchiveForm, AttendanceForm, CourseForm
from app.training.models import TrainingAttendance, TrainingCourse
from app.training.states import TrainingAudit, TrainingTopic

# pandas is imported by the first figures page, not at start-up.
load_training_frames = lazy_function("app.stats.training_figures", "load_training_frames")
training_figures = lazy_function("app.stats.training_figures", "training_figures")

bp = Blueprint("training", __name__, url_prefix="/dao-tao")


# --- The list and its exports ----------------------------------------------------------


def _export_args() -> dict:
    return {k: v for k, v in request.args.items() if k in queries.FILTER_ARGS and v}


@bp.route("/")
@requires(rules.read_training)
def index():
    filters = queries.CourseFilters.from_args(request.args)
    page = paginate(queries.courses_query(filters))
    return render_template(
        "training/index.html",
        page=page,
        rows=queries.with_totals(page.items),
        filters=filters,
        sort=filters.sort,
        topics=TrainingTopic,
        organisers=queries.organisers_in_use(),
        years=range(today_vn().year + 1, 1999, -1),
        export_args=_export_args(),
    )


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_training)
def export(fmt: str):
    filters = queries.CourseFilters.from_args(request.args)
    courses = db.session.scalars(queries.courses_query(filters)).all()
    return exports.courses_download(queries.with_totals(courses), fmt)


@bp.route("/xuat-hoc-vien.<any(xlsx, csv):fmt>")
@requires(rules.read_training)
def export_trainees(fmt: str):
    """The trainees (with their names) of the listed courses; audited, it names people."""
    filters = queries.CourseFilters.from_args(request.args)
    ids = [course.id for course in db.session.scalars(queries.courses_query(filters))]
    rows = queries.attendance_of(ids)
    used = ", ".join(f"{k}={v}" for k, v in filters.items() if v and k != "sort")
    audit.record(
        TrainingAudit.EXPORT,
        object_type="training_course",
        summary=f"Xuất học viên đào tạo ({len(rows)} dòng, {fmt.upper()}; lọc: {used or 'không'})",
    )
    db.session.commit()
    return exports.attendance_download(rows, fmt)


# --- A course's page and its trainees --------------------------------------------------


def _course_url(course: TrainingCourse) -> str:
    return url_for("training.detail", course_id=course.id)


def _detail_context(course: TrainingCourse, **forms) -> dict:
    rows = queries.attendance_rows(course.id)
    agencies = queries.agency_choices()
    context = {
        "course": course,
        "rows": rows,
        "removed_rows": queries.attendance_rows(course.id, archived=True),
        "total": sum(row.trainee_count for row in rows),
        "archive_form": ArchiveForm(formdata=None, version=course.version),
        "attendance_form": AttendanceForm(formdata=None, agencies=agencies),
    }
    return context | forms


@bp.route("/<int:course_id>")
@requires(rules.read_training)
def detail(course_id: int):
    course = get_or_404(TrainingCourse, course_id)
    return render_template("training/detail.html", **_detail_context(course))


@bp.route("/<int:course_id>/hoc-vien", methods=["POST"])
@requires(rules.manage_training)
def add_attendance(course_id: int):
    course = get_or_404(TrainingCourse, course_id)
    form = AttendanceForm(agencies=queries.agency_choices())
    context = _detail_context(course)
    context.pop("attendance_form")
    # Invalid: the course page again with the errors under the fields (HTTP 422).
    return form_page(
        form,
        "training/detail.html",
        save=lambda: services.add_attendance(
            course,
            data={
                "agency_id": form.agency_id.data,
                "trainee_count": form.trainee_count.data,
                "names": form.names.data,
            },
            user=current_user,
        ),
        success=lambda row: f"Đã ghi {row.trainee_count} học viên của {row.agency.name}.",
        redirect_to=_course_url(course) + "#hoc-vien",
        attendance_form=form,
        **context,
    )


def _live_row(row_id: int) -> TrainingAttendance:
    row = get_or_404(TrainingAttendance, row_id)
    if row.is_archived:
        abort(404)
    return row


@bp.route("/hoc-vien/<int:row_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_training)
def edit_attendance(row_id: int):
    row = _live_row(row_id)
    form = AttendanceForm(obj=row)
    del form.agency_id  # the agency of a row stays; remove the row to change it
    if request.method == "GET":
        form.version.data = row.version
    return form_page(
        form,
        "training/attendance_form.html",
        save=lambda: services.update_attendance(
            row,
            data={"trainee_count": form.trainee_count.data, "names": form.names.data},
            user=current_user,
            version=form.version_number(),
        ),
        success=f"Đã lưu học viên của {row.agency.name}.",
        redirect_to=_course_url(row.course) + "#hoc-vien",
        row=row,
        course=row.course,
    )


@bp.route("/hoc-vien/<int:row_id>/go", methods=["POST"])
@requires(rules.manage_training)
def archive_attendance(row_id: int):
    row = _live_row(row_id)
    form = ArchiveForm()
    return form_action(
        form,
        save=lambda: services.archive_attendance(
            row, reason=form.reason.data, user=current_user, version=form.version_number()
        ),
        success=f"Đã gỡ học viên của {row.agency.name} khỏi khóa (lưu trữ, không xóa).",
        back=_course_url(row.course) + "#hoc-vien",
        invalid="Vui lòng ghi lý do gỡ dòng học viên.",
    )


# --- Create, edit, archive, restore ----------------------------------------------------


def _course_data(form: CourseForm) -> dict:
    return {name: form[name].data for name in services.FORM_FIELDS}


def _course_page(course: TrainingCourse | None):
    form = CourseForm(obj=course, agencies=queries.agency_choices())
    if course is not None and request.method == "GET":
        form.topics.data = course.topics
    return record_form_page(
        course,
        form,
        "training/form.html",
        create=services.create_course,
        update=services.update_course,
        data=_course_data,
        created=lambda saved: f"Đã tạo khóa đào tạo {saved.code}.",
        updated=lambda saved: f"Đã lưu khóa đào tạo {saved.code}.",
        redirect_to=_course_url,
        course=course,
    )


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_training)
def new():
    return _course_page(None)


@bp.route("/<int:course_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_training)
def edit(course_id: int):
    return _course_page(get_or_404(TrainingCourse, course_id))


@bp.route("/<int:course_id>/luu-tru", methods=["POST"])
@requires(rules.manage_training)
def archive(course_id: int):
    course = get_or_404(TrainingCourse, course_id)
    form = ArchiveForm()
    context = _detail_context(course)
    context.pop("archive_form")
    return form_page(
        form,
        "training/detail.html",
        save=lambda: services.archive_course(
            course, reason=form.reason.data, user=current_user, version=form.version_number()
        ),
        success=f"Đã lưu trữ khóa đào tạo {course.code}.",
        redirect_to=_course_url(course),
        archive_form=form,
        **context,
    )


@bp.route("/<int:course_id>/khoi-phuc", methods=["POST"])
@requires(rules.manage_training)
def restore(course_id: int):
    course = get_or_404(TrainingCourse, course_id)
    form = VersionedForm()
    return form_action(
        form,
        save=lambda: services.restore_course(
            course, user=current_user, version=form.version_number()
        ),
        success=f"Đã khôi phục khóa đào tạo {course.code}.",
        back=_course_url(course),
    )


# --- The yearly summary ----------------------------------------------------------------


def _summary_year() -> int:
    return arg_year("year") or today_vn().year


def _year_figures(year: int) -> dict:
    """The year's figures by the one rule of app.stats.training_figures."""
    courses, attendance = load_training_frames(year)
    return training_figures(courses, attendance, year)


@bp.route("/thong-ke")
@requires(rules.read_training)
def summary():
    year = _summary_year()
    return render_template(
        "training/summary.html",
        year=year,
        figures=_year_figures(year),
        topics=TrainingTopic,
        years=range(today_vn().year + 1, 1999, -1),
    )


@bp.route("/thong-ke/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_training)
def summary_export(fmt: str):
    return exports.summary_download(_year_figures(_summary_year()), fmt)
