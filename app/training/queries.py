"""Reads of the training domain: the list's filters and query (shared by the list and its
export), the export's columns, the pickers' agencies and the course page's rows."""

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import Agency
from app.core.listing import MAX_ID
from app.core.text import fold, search_condition
from app.extensions import db
from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic
from app.training.states import TrainingTopic

SORTS = {
    "start": TrainingCourse.start_on,
    "code": TrainingCourse.code,
    "title": TrainingCourse.title,
}
DEFAULT_SORT = "-start"
# Query-string parameters of the list that the export links carry over (not the page).
FILTER_ARGS = ("q", "year", "topic", "organiser", "archived", "sort")


def _int_arg(value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@dataclass
class CourseFilters:
    """The list's filters, cleaned: unknown values are dropped, never an error."""

    q: str = ""
    year: int | None = None
    topic: str = ""
    organiser: int | None = None
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> "CourseFilters":
        topic = args.get("topic", "")
        return cls(
            q=args.get("q", "").strip()[:200],
            year=_int_arg(args.get("year"), 1900, 2100),
            topic=topic if topic in TrainingTopic.labels() else "",
            organiser=_int_arg(args.get("organiser"), 1, MAX_ID),
            archived=args.get("archived", "") == "1",
            sort=args.get("sort", ""),
        )

    def items(self):
        return asdict(self).items()


def with_totals(courses) -> list[tuple]:
    """(course, trainees, agencies) for each course: its live trainees and the number of
    agencies that sent them, read in one grouped query per 1,000 courses (no N+1)."""
    courses = list(courses)
    ids = [course.id for course in courses]
    totals: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(
            db.select(
                TrainingAttendance.course_id,
                sa.func.sum(TrainingAttendance.trainee_count),
                sa.func.count(TrainingAttendance.id),
            )
            .where(
                TrainingAttendance.archived_at.is_(None),
                TrainingAttendance.course_id.in_(ids[start : start + 1000]),
            )
            .group_by(TrainingAttendance.course_id)
        )
        totals.update({row[0]: (int(row[1]), int(row[2])) for row in rows})
    return [(course, *totals.get(course.id, (0, 0))) for course in courses]


def courses_query(filters: CourseFilters):
    """The courses matching the filters, sorted by `filters.sort` (?sort=key or -key;
    newest first by default); shared by the list and its export. Sets `filters.sort` to
    the sort applied."""
    query = db.select(TrainingCourse).options(
        selectinload(TrainingCourse.topic_rows),
        selectinload(TrainingCourse.organiser_agency),
    )
    if (matches := search_condition(TrainingCourse.search_text, filters.q)) is not None:
        query = query.where(matches)
    if filters.year:
        first, last = date(filters.year, 1, 1), date(filters.year, 12, 31)
        query = query.where(TrainingCourse.start_on.between(first, last))
    if filters.topic:
        query = query.where(
            sa.exists().where(
                TrainingCourseTopic.course_id == TrainingCourse.id,
                TrainingCourseTopic.topic == TrainingTopic(filters.topic),
            )
        )
    if filters.organiser:
        query = query.where(TrainingCourse.organiser_agency_id == filters.organiser)
    if not filters.archived:
        query = query.where(TrainingCourse.archived_at.is_(None))
    key = filters.sort if filters.sort.lstrip("-") in SORTS else DEFAULT_SORT
    filters.sort = key
    column = SORTS[key.lstrip("-")]
    query = query.order_by(column.desc() if key.startswith("-") else column.asc())
    return query.order_by(TrainingCourse.id)


def agency_choices() -> list[tuple[int, str]]:
    """(id, name) of the active agencies, by name (diacritics folded)."""
    rows = db.session.execute(
        db.select(Agency.id, Agency.name).where(Agency.active.is_(True))
    ).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda pair: fold(pair[1]))


def organisers_in_use() -> list[tuple[int, str]]:
    """(id, name) of the agencies that organised a course, by name."""
    rows = db.session.execute(
        db.select(Agency.id, Agency.name).where(
            Agency.id.in_(db.select(TrainingCourse.organiser_agency_id).distinct())
        )
    ).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda pair: fold(pair[1]))


def attendance_rows(course_id: int, archived: bool = False) -> list[TrainingAttendance]:
    """The course's rows (live, or the removed ones) with their agencies, by agency name."""
    condition = (
        TrainingAttendance.archived_at.is_not(None)
        if archived
        else TrainingAttendance.archived_at.is_(None)
    )
    rows = db.session.scalars(
        db.select(TrainingAttendance)
        .options(selectinload(TrainingAttendance.agency))
        .where(TrainingAttendance.course_id == course_id, condition)
    ).all()
    return sorted(rows, key=lambda row: fold(row.agency.name))


def _money(value):
    return int(value) if value is not None else None


# The export columns: the keys and Vietnamese labels of sheet KhoaDaoTao
# (docs/spec/training.md), then the list's figures. `row` is (course, trainees, agencies).
EXPORT_COLUMNS = (
    ("ma", "Mã khóa đào tạo", lambda r: r[0].code),
    ("ten", "Tên khóa đào tạo, bồi dưỡng", lambda r: r[0].title),
    ("tu_ngay", "Từ ngày", lambda r: r[0].start_on),
    ("den_ngay", "Đến ngày", lambda r: r[0].end_on),
    (
        "co_quan_to_chuc",
        "Cơ quan tổ chức",
        lambda r: r[0].organiser_agency.name if r[0].organiser_agency else None,
    ),
    ("don_vi_to_chuc", "Đơn vị tổ chức (ghi rõ)", lambda r: r[0].organiser_text),
    ("dia_diem", "Địa điểm", lambda r: r[0].place),
    ("chu_de", "Chủ đề", lambda r: "; ".join(r[0].topic_labels)),
    ("kinh_phi", "Kinh phí (VNĐ)", lambda r: _money(r[0].cost_vnd)),
    ("nguon_kinh_phi", "Nguồn kinh phí", lambda r: r[0].funding_source),
    ("ghi_chu", "Ghi chú", lambda r: r[0].notes),
    ("so_co_quan", "Số cơ quan cử học viên", lambda r: int(r[2])),
    ("so_hoc_vien", "Tổng số học viên", lambda r: int(r[1])),
    ("luu_tru", "Lý do lưu trữ", lambda r: r[0].archive_reason),
)


def attendance_of(course_ids: list[int]) -> list[TrainingAttendance]:
    """The live rows of these courses with their course and agency, by course code then
    agency name (queries in chunks of ids, bounded)."""
    rows: list[TrainingAttendance] = []
    for start in range(0, len(course_ids), 1000):
        rows += db.session.scalars(
            db.select(TrainingAttendance)
            .options(
                selectinload(TrainingAttendance.course), selectinload(TrainingAttendance.agency)
            )
            .where(
                TrainingAttendance.course_id.in_(course_ids[start : start + 1000]),
                TrainingAttendance.archived_at.is_(None),
            )
        ).all()
    return sorted(rows, key=lambda row: (row.course.code, fold(row.agency.name)))
