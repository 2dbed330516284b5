"""Training figures of a year (docs/spec/training.md): courses, trainees and cost, by the
agencies that sent trainees and by topic.

`training_figures(courses, attendance, year)` is a pure function of two frames (no Flask,
no database); `load_training_frames(year)` reads them, one SQL query per table. The
training domain's yearly page and the annual report use both, so the rules live here once.

Input frames (extra columns are ignored; an `archived_at` column, when present, drops the
archived rows):
- courses: id, code, start_on (date), cost_vnd (whole đồng or None), topics (a list or
  tuple of topic keys, or one text with keys separated by ';')
- attendance: course_id, agency_id, agency (its name), trainee_count (>= 1)
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.core.text import fold
from app.training.states import TrainingTopic

COURSE_COLUMNS = ("id", "code", "start_on", "cost_vnd", "topics")
ATTENDANCE_COLUMNS = ("course_id", "agency_id", "agency", "trainee_count")


def empty_courses() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in COURSE_COLUMNS})


def empty_attendance() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in ATTENDANCE_COLUMNS})


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    if "archived_at" in frame.columns:
        return frame[frame["archived_at"].isna()]
    return frame


def _topic_keys(value) -> tuple[str, ...]:
    """A course's topics as keys, each once (a list, a tuple, a ';' text, or nothing)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        value = value.split(";")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def courses_in_year(courses: pd.DataFrame, year: int) -> pd.DataFrame:
    """Live courses whose start date is in `year` (a course counts in its start's year)."""
    courses = _live(courses)
    if courses.empty:
        return courses
    starts = pd.to_datetime(courses["start_on"], errors="coerce")
    return courses[(starts.dt.year == year).to_numpy()]


def _whole(value) -> int:
    return int(value) if value is not None and not pd.isna(value) else 0


def training_figures(courses: pd.DataFrame, attendance: pd.DataFrame, year: int) -> dict:
    """The year's figures, as the JSON of docs/spec/training.md:

    - courses: live courses starting in `year`; trainees: the sum of their live attendance
      rows' trainee counts; cost_vnd: the sum of their costs (a course without a cost adds
      0 and is counted in cost_missing);
    - by_agency: each agency with trainees in those courses: courses (distinct courses it
      sent trainees to) and trainees; sorted by trainees, then courses (descending), then
      name;
    - by_topic: every topic of the vocabulary, in its order: courses having the topic (a
      course counts once in each of its topics) and their trainees (likewise).
    """
    counted = courses_in_year(courses, year)
    ids = set(counted["id"].tolist())
    rows = _live(attendance)
    rows = rows[rows["course_id"].isin(ids)] if not rows.empty else rows
    trainees_by_course: dict = {}
    for course_id, count in zip(rows["course_id"], rows["trainee_count"], strict=True):
        trainees_by_course[course_id] = trainees_by_course.get(course_id, 0) + int(count)

    costs = [value for value in counted["cost_vnd"].tolist() if not _missing(value)]
    by_agency = _by_agency(rows)
    by_topic = {key: {"topic": key, "courses": 0, "trainees": 0} for key in TrainingTopic.labels()}
    for course_id, topics in zip(counted["id"], counted["topics"], strict=True):
        for key in _topic_keys(topics):
            if key in by_topic:
                by_topic[key]["courses"] += 1
                by_topic[key]["trainees"] += trainees_by_course.get(course_id, 0)
    return {
        "year": int(year),
        "courses": len(counted),
        "trainees": sum(trainees_by_course.values()),
        "cost_vnd": sum(_whole(value) for value in costs),
        "cost_missing": len(counted) - len(costs),
        "by_agency": by_agency,
        "by_topic": list(by_topic.values()),
    }


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def _by_agency(rows: pd.DataFrame) -> list[dict]:
    found: dict = {}
    for agency_id, name, course_id, count in zip(
        rows["agency_id"], rows["agency"], rows["course_id"], rows["trainee_count"], strict=True
    ):
        entry = found.setdefault(
            int(agency_id),
            {"agency_id": int(agency_id), "agency": name, "courses": set(), "trainees": 0},
        )
        entry["courses"].add(course_id)
        entry["trainees"] += int(count)
    result = [entry | {"courses": len(entry["courses"])} for entry in found.values()]
    return sorted(result, key=lambda e: (-e["trainees"], -e["courses"], fold(e["agency"])))


# --- Loading (one SQL query per table) --------------------------------------------------


def load_training_frames(year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(courses, attendance) of the live courses (starting in `year` when given), with
    their topics and their live attendance rows. Three queries: courses, topics, attendance
    (joined to the agency for its name)."""
    import sqlalchemy as sa

    from app.auth.models import Agency
    from app.extensions import db
    from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic

    condition = TrainingCourse.archived_at.is_(None)
    if year is not None:
        condition = sa.and_(
            condition, TrainingCourse.start_on.between(date(year, 1, 1), date(year, 12, 31))
        )
    ids = db.select(TrainingCourse.id).where(condition)
    course_rows = db.session.execute(
        db.select(
            TrainingCourse.id,
            TrainingCourse.code,
            TrainingCourse.start_on,
            TrainingCourse.cost_vnd,
        )
        .where(condition)
        .order_by(TrainingCourse.id)
    ).all()
    topic_rows = db.session.execute(
        db.select(
            TrainingCourseTopic.course_id, sa.type_coerce(TrainingCourseTopic.topic, sa.String)
        )
        .where(TrainingCourseTopic.course_id.in_(ids))
        .order_by(TrainingCourseTopic.id)
    ).all()
    attendance_rows = db.session.execute(
        db.select(
            TrainingAttendance.course_id,
            TrainingAttendance.agency_id,
            Agency.name,
            TrainingAttendance.trainee_count,
        )
        .join(Agency, Agency.id == TrainingAttendance.agency_id)
        .where(TrainingAttendance.archived_at.is_(None), TrainingAttendance.course_id.in_(ids))
        .order_by(TrainingAttendance.id)
    ).all()
    topics: dict[int, list[str]] = {}
    for course_id, topic in topic_rows:
        topics.setdefault(course_id, []).append(str(topic))
    courses = pd.DataFrame(
        [
            (row.id, row.code, row.start_on, _int_or_none(row.cost_vnd), topics.get(row.id, []))
            for row in course_rows
        ],
        columns=list(COURSE_COLUMNS),
    )
    attendance = pd.DataFrame(
        [tuple(row) for row in attendance_rows], columns=list(ATTENDANCE_COLUMNS)
    )
    return (
        courses if course_rows else empty_courses(),
        attendance if attendance_rows else empty_attendance(),
    )


def _int_or_none(value):
    return int(value) if value is not None else None
