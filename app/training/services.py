"""Use cases of training courses and their trainees. Services flush; the view commits once.

Every write follows docs/architecture.md: `verb_noun(record, data…, *, user, version=None)`
checks the rule `manage_training` (403), then the data (every broken rule at once, 422),
then the state and the version (409), writes, and audits with TrainingAudit.
"""

import re
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Agency
from app.core import audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.errors import DomainError, FieldError
from app.core.models import sync_children, utcnow
from app.core.validation import VND_LIMIT, collect, in_order, raise_all
from app.extensions import db
from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic
from app.training.states import TrainingAudit, TrainingTopic

COURSE_FIELDS = (
    "code",
    "title",
    "start_on",
    "end_on",
    "organiser_agency_id",
    "organiser_text",
    "place",
    "cost_vnd",
    "funding_source",
    "notes",
)
# What the course form sends: the columns, then the topics (a list of keys).
FORM_FIELDS = (*COURSE_FIELDS, "topics")
ATTENDANCE_FIELDS = ("agency_id", "trainee_count", "names")
CODE_RE = re.compile(r"[A-Z0-9._/-]+")
LIMITS = {"code": 40, "title": 300, "organiser_text": 300, "place": 300, "funding_source": 300}
MAX_TRAINEES = 100_000  # per agency and course: more is a typing mistake


def normalize_code(code: str | None) -> str:
    """Course codes are stored stripped and upper-case (" dt-2026-01 " -> "DT-2026-01")."""
    return (code or "").strip().upper()


def _text(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _require_manager(user) -> None:
    rules.manage_training.require(user)


def _audited(course: TrainingCourse, action: str, user, summary: str, changes: dict):
    """The change flushed and its audit entry added (committed together by the view).
    Attendance changes are audited on their course, so its history shows them."""
    db.session.flush()
    audit.record(action, course, user=user, summary=summary, changes=changes)
    return course


# --- Courses ---------------------------------------------------------------------------


def _agency_exists(agency_id) -> bool:
    return agency_id is not None and db.session.get(Agency, agency_id) is not None


def _check_required(cleaned: dict) -> None:
    if not cleaned["code"]:
        raise FieldError("code", "Vui lòng nhập mã khóa đào tạo.")
    if not CODE_RE.fullmatch(cleaned["code"]):
        raise FieldError("code", "Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . /")


def _check_given(value, field: str, message: str) -> None:
    if not value:
        raise FieldError(field, message)


def _check_lengths(cleaned: dict) -> None:
    errors = {
        field: f"Không được dài quá {limit} ký tự."
        for field, limit in LIMITS.items()
        if cleaned[field] and len(cleaned[field]) > limit
    }
    raise_all(errors)


def _check_organiser(cleaned: dict) -> None:
    agency_id = cleaned["organiser_agency_id"]
    if agency_id is not None and not _agency_exists(agency_id):
        raise FieldError("organiser_agency_id", "Cơ quan tổ chức không có trong danh sách.")
    if agency_id is None and not cleaned["organiser_text"]:
        raise FieldError(
            "organiser_agency_id",
            "Vui lòng chọn cơ quan tổ chức hoặc ghi tên đơn vị tổ chức.",
        )


def _check_cost(cost) -> None:
    if cost is None:
        return
    if cost < 0:
        raise FieldError("cost_vnd", "Kinh phí không được âm.")
    if Decimal(cost) != Decimal(cost).to_integral_value():
        raise FieldError("cost_vnd", "Kinh phí tính bằng đồng, không có phần lẻ.")
    if cost >= VND_LIMIT:
        raise FieldError("cost_vnd", "Kinh phí quá lớn, hãy kiểm tra lại.")


def clean_topics(values) -> list[str]:
    """The topic keys given (a list, or one text separated by ';'), in the vocabulary's
    order, without repeats. Raises FieldError for none or an unknown key."""
    if isinstance(values, str):
        values = values.split(";")
    given = {str(v).strip() for v in values or () if str(v).strip()}
    unknown = sorted(given - set(TrainingTopic.labels()))
    if unknown:
        raise FieldError("topics", f"Chủ đề không hợp lệ: {', '.join(unknown)}.")
    if not given:
        raise FieldError("topics", "Vui lòng chọn ít nhất một chủ đề.")
    return [key for key in TrainingTopic.labels() if key in given]


def _clean_course(data: dict) -> tuple[dict, list[str]]:
    """(columns, topics) cleaned; every broken rule reported at once (FieldError)."""
    cleaned = {field: _text(data.get(field)) for field in COURSE_FIELDS}
    cleaned["code"] = normalize_code(cleaned["code"]) or None
    agency_id = cleaned["organiser_agency_id"]
    if agency_id in ("", 0):
        cleaned["organiser_agency_id"] = None
    topics: list[str] = []

    def topics_check():
        topics.extend(clean_topics(data.get("topics")))

    errors = collect(
        (_check_required, cleaned),
        (_check_given, cleaned["title"], "title", "Vui lòng nhập tên khóa đào tạo."),
        (_check_given, cleaned["start_on"], "start_on", "Vui lòng nhập ngày bắt đầu."),
        (_check_given, cleaned["end_on"], "end_on", "Vui lòng nhập ngày kết thúc."),
        (
            in_order,
            cleaned["start_on"],
            cleaned["end_on"],
            "end_on",
            "Ngày kết thúc không được trước ngày bắt đầu.",
        ),
        (_check_lengths, cleaned),
        (_check_organiser, cleaned),
        (_check_cost, cleaned["cost_vnd"]),
        (topics_check,),
    )
    raise_all(errors)
    if cleaned["cost_vnd"] is not None:
        cleaned["cost_vnd"] = Decimal(cleaned["cost_vnd"])
    return cleaned, topics


def _code_taken(code: str, except_id: int | None = None) -> bool:
    query = db.select(TrainingCourse.id).where(TrainingCourse.code == code)
    if except_id is not None:
        query = query.where(TrainingCourse.id != except_id)
    return db.session.scalar(query) is not None


def _duplicate_code(code: str) -> FieldError:
    return FieldError("code", f"Mã khóa đào tạo '{code}' đã được dùng cho một khóa khác.")


def _snapshot(course: TrainingCourse) -> dict:
    return audit.snapshot(course, COURSE_FIELDS) | {"topics": course.topics}


def _apply_topics(course: TrainingCourse, topics: list[str]) -> None:
    wanted = [{"topic": TrainingTopic(key)} for key in topics]
    course.topic_rows = sync_children(course.topic_rows, "topic", TrainingCourseTopic, wanted)


def create_course(data: dict, *, user) -> TrainingCourse:
    """A new training course; `data` has COURSE_FIELDS and `topics` (keys)."""
    _require_manager(user)
    cleaned, topics = _clean_course(data)
    if _code_taken(cleaned["code"]):
        raise _duplicate_code(cleaned["code"])
    course = TrainingCourse(**cleaned)
    _apply_topics(course, topics)
    db.session.add(course)
    changes = audit.diff({"topics": []}, _snapshot(course))
    summary = f"Tạo khóa đào tạo {course.code} – {course.title}"
    return _audited(course, TrainingAudit.CREATE, user, summary, changes)


def _require_live(course: TrainingCourse) -> None:
    if course.is_archived:
        raise DomainError("Khóa đào tạo đã được lưu trữ; hãy khôi phục trước khi sửa.")


def update_course(
    course: TrainingCourse, data: dict, *, user, version: int | None = None
) -> TrainingCourse:
    """Save the edit form; the version is required (the form always sends it)."""
    _require_manager(user)
    cleaned, topics = _clean_course(data)
    check_version(course, version)
    _require_live(course)
    if _code_taken(cleaned["code"], except_id=course.id):
        raise _duplicate_code(cleaned["code"])
    before = _snapshot(course)
    for field, value in cleaned.items():
        setattr(course, field, value)
    _apply_topics(course, topics)
    changes = audit.diff(before, _snapshot(course))
    if changes:
        if "topics" in changes and len(changes) == 1:
            course.updated_at = utcnow()  # a topics-only change still bumps the version
        _audited(course, TrainingAudit.UPDATE, user, f"Sửa khóa đào tạo {course.code}", changes)
    return course


def archive_course(
    course: TrainingCourse, reason: str, *, user, version: int | None = None
) -> TrainingCourse:
    """Archive (never delete) with a reason; a stale page (its version given) is refused."""
    _require_manager(user)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if version is not None:
        check_version(course, version)
    if course.is_archived:
        raise DomainError("Khóa đào tạo này đã được lưu trữ.")
    course.archived_at = utcnow()
    course.archive_reason = reason[:500]
    changes = {"archive_reason": [None, course.archive_reason]}
    summary = f"Lưu trữ khóa đào tạo {course.code}: {reason}"
    return _audited(course, TrainingAudit.ARCHIVE, user, summary, changes)


def restore_course(course: TrainingCourse, *, user, version: int | None = None) -> TrainingCourse:
    _require_manager(user)
    if version is not None:
        check_version(course, version)
    if not course.is_archived:
        raise DomainError("Khóa đào tạo này không ở trạng thái lưu trữ.")
    changes = {"archive_reason": [course.archive_reason, None]}
    course.archived_at = None
    course.archive_reason = None
    summary = f"Khôi phục khóa đào tạo {course.code}"
    return _audited(course, TrainingAudit.RESTORE, user, summary, changes)


# --- Trainees by agency ----------------------------------------------------------------


def clean_names(text: str | None) -> str | None:
    """One name per line: lines stripped, blank lines dropped; None when no name."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join(lines) or None


def _check_count(count) -> None:
    if count is None:
        raise FieldError("trainee_count", "Vui lòng nhập số học viên.")
    if isinstance(count, bool) or not isinstance(count, int):
        raise FieldError("trainee_count", "Số học viên phải là số nguyên.")
    if count < 1:
        raise FieldError("trainee_count", "Số học viên phải từ 1 trở lên.")
    if count > MAX_TRAINEES:
        raise FieldError("trainee_count", "Số học viên quá lớn, hãy kiểm tra lại.")


def _check_names(names: str | None, count) -> None:
    named = len(names.splitlines()) if names else 0
    if isinstance(count, int) and named > count:
        raise FieldError(
            "names",
            f"Đã ghi {named} họ tên nhưng số học viên chỉ là {count}: số họ tên không được "
            "nhiều hơn số học viên (mỗi dòng một người).",
        )


def _clean_attendance(data: dict, *, with_agency: bool) -> dict:
    cleaned = {
        "agency_id": data.get("agency_id") or None,
        "trainee_count": data.get("trainee_count"),
        "names": clean_names(data.get("names")),
    }
    checks = [
        (_check_count, cleaned["trainee_count"]),
        (_check_names, cleaned["names"], cleaned["trainee_count"]),
    ]
    if with_agency:
        checks.insert(0, (_check_agency, cleaned["agency_id"]))
    raise_all(collect(*checks))
    return cleaned


def _check_agency(agency_id) -> None:
    if agency_id is None:
        raise FieldError("agency_id", "Vui lòng chọn cơ quan cử học viên.")
    if not _agency_exists(agency_id):
        raise FieldError("agency_id", "Cơ quan không có trong danh sách.")


def _attendance_snapshot(row: TrainingAttendance) -> dict:
    return {"trainee_count": row.trainee_count, "names": row.names}


def _agency_name(row: TrainingAttendance) -> str:
    agency = row.agency or db.session.get(Agency, row.agency_id)
    return agency.name if agency else str(row.agency_id)


def add_attendance(course: TrainingCourse, data: dict, *, user) -> TrainingAttendance:
    """Record the trainees an agency sent. An agency has one live row per course: a second
    one is refused (edit that row instead); a removed (archived) row stays as history."""
    _require_manager(user)
    cleaned = _clean_attendance(data, with_agency=True)
    _require_live(course)
    live = db.session.scalar(
        db.select(TrainingAttendance.id).where(
            TrainingAttendance.course_id == course.id,
            TrainingAttendance.agency_id == cleaned["agency_id"],
            TrainingAttendance.archived_at.is_(None),
        )
    )
    if live is not None:
        raise FieldError(
            "agency_id", "Cơ quan này đã có trong danh sách học viên của khóa; hãy sửa dòng đó."
        )
    row = TrainingAttendance(course=course, **cleaned)
    db.session.add(row)
    db.session.flush()
    before = {"trainee_count": None, "names": None}
    changes = {"agency": [None, _agency_name(row)]} | audit.diff(before, _attendance_snapshot(row))
    summary = f"Ghi {row.trainee_count} học viên của {_agency_name(row)} – khóa {course.code}"
    _audited(course, TrainingAudit.ATTENDANCE_ADD, user, summary, changes)
    return row


def update_attendance(
    row: TrainingAttendance, data: dict, *, user, version: int | None = None
) -> TrainingAttendance:
    """Change an agency's trainee count and names (the agency stays)."""
    _require_manager(user)
    cleaned = _clean_attendance(data, with_agency=False)
    check_version(row, version)
    _require_live(row.course)
    if row.is_archived:
        raise DomainError("Dòng học viên này đã được gỡ khỏi khóa.")
    before = _attendance_snapshot(row)
    row.trainee_count = cleaned["trainee_count"]
    row.names = cleaned["names"]
    changes = audit.diff(before, _attendance_snapshot(row))
    if changes:
        summary = f"Sửa học viên của {_agency_name(row)} – khóa {row.course.code}"
        _audited(row.course, TrainingAudit.ATTENDANCE_UPDATE, user, summary, changes)
    return row


def archive_attendance(
    row: TrainingAttendance, reason: str, *, user, version: int | None = None
) -> TrainingAttendance:
    """Remove an agency's row from the course: archived with a reason, never deleted."""
    _require_manager(user)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do gỡ dòng học viên.")
    if version is not None:
        check_version(row, version)
    _require_live(row.course)
    if row.is_archived:
        raise DomainError("Dòng học viên này đã được gỡ khỏi khóa.")
    row.archived_at = utcnow()
    row.archive_reason = reason[:500]
    changes = {"agency": [_agency_name(row), None], "archive_reason": [None, row.archive_reason]}
    summary = f"Gỡ học viên của {_agency_name(row)} – khóa {row.course.code}: {reason}"
    _audited(row.course, TrainingAudit.ATTENDANCE_ARCHIVE, user, summary, changes)
    return row


def fold_attendance(source_id: int, target_id: int, *, user=None, username=None) -> int:
    """Before agency `source` is merged into `target`: on each course where both have a live
    row, the source's trainees and names are added to the target's row and the source's row
    is archived (history), so the merge can then move every row of the source without two
    live rows for one course and agency. Audited on each course. Returns how many."""
    source_rows = db.session.scalars(
        db.select(TrainingAttendance).where(
            TrainingAttendance.agency_id == source_id, TrainingAttendance.archived_at.is_(None)
        )
    ).all()
    targets = {
        row.course_id: row
        for row in db.session.scalars(
            db.select(TrainingAttendance).where(
                TrainingAttendance.agency_id == target_id,
                TrainingAttendance.archived_at.is_(None),
                TrainingAttendance.course_id.in_([row.course_id for row in source_rows]),
            )
        )
    }
    folded = 0
    for row in source_rows:
        target = targets.get(row.course_id)
        if target is None:
            continue
        before = _attendance_snapshot(target)
        target.trainee_count += row.trainee_count
        target.names = clean_names("\n".join(filter(None, (target.names, row.names))))
        row.archived_at = utcnow()
        row.archive_reason = f"Gộp vào dòng của {_agency_name(target)} (gộp cơ quan)"[:500]
        db.session.flush()
        changes = audit.diff(before, _attendance_snapshot(target))
        audit.record(
            TrainingAudit.ATTENDANCE_MERGE,
            row.course,
            user=user,
            username=username,
            summary=f"Gộp học viên của {_agency_name(row)} vào {_agency_name(target)} – "
            f"khóa {row.course.code}",
            changes={"agency": [_agency_name(row), _agency_name(target)]} | changes,
        )
        folded += 1
    return folded


def trainees_total(course_id: int) -> int:
    """The course's trainees (live rows), in SQL."""
    total = db.session.scalar(
        db.select(sa.func.coalesce(sa.func.sum(TrainingAttendance.trainee_count), 0)).where(
            TrainingAttendance.course_id == course_id, TrainingAttendance.archived_at.is_(None)
        )
    )
    return int(total or 0)
