"""The training figures of a year: pure pandas, no Flask, no database."""

from datetime import date, datetime

import pandas as pd

from app.stats.training_figures import (
    empty_attendance,
    empty_courses,
    training_figures,
)
from app.training.states import TrainingTopic


def courses(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "code", "start_on", "cost_vnd", "topics"])


def attendance(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["course_id", "agency_id", "agency", "trainee_count"])


COURSES = courses(
    (1, "A", date(2026, 3, 10), 25_000_000, ["le_tan", "doi_ngoai_nhan_dan"]),
    (2, "B", date(2026, 12, 31), None, ["ngoai_ngu"]),
    (3, "C", date(2025, 12, 31), 7_000_000, ["le_tan"]),  # ended in 2026, started 2025
    (4, "D", date(2026, 1, 1), 1_000_000, "le_tan; khac"),  # topics as one text
)
ATTENDANCE = attendance(
    (1, 10, "Công an tỉnh", 3),
    (1, 20, "Sở Ngoại vụ", 5),
    (2, 20, "Sở Ngoại vụ", 2),
    (3, 10, "Công an tỉnh", 40),
    (4, 30, "Ủy ban nhân dân xã Đăk Tô", 1),
)


def by_topic(figures) -> dict:
    return {row["topic"]: (row["courses"], row["trainees"]) for row in figures["by_topic"]}


def test_totals_count_courses_by_their_start_year():
    figures = training_figures(COURSES, ATTENDANCE, 2026)
    assert figures["year"] == 2026
    assert figures["courses"] == 3  # A, B, D (C started in 2025)
    assert figures["trainees"] == 3 + 5 + 2 + 1
    assert figures["cost_vnd"] == 26_000_000
    assert figures["cost_missing"] == 1
    assert isinstance(figures["cost_vnd"], int) and isinstance(figures["trainees"], int)


def test_by_agency_counts_distinct_courses_and_sorts_by_trainees():
    figures = training_figures(COURSES, ATTENDANCE, 2026)
    assert figures["by_agency"] == [
        {"agency_id": 20, "agency": "Sở Ngoại vụ", "courses": 2, "trainees": 7},
        {"agency_id": 10, "agency": "Công an tỉnh", "courses": 1, "trainees": 3},
        {"agency_id": 30, "agency": "Ủy ban nhân dân xã Đăk Tô", "courses": 1, "trainees": 1},
    ]


def test_by_topic_counts_a_course_once_in_each_of_its_topics():
    figures = training_figures(COURSES, ATTENDANCE, 2026)
    assert [row["topic"] for row in figures["by_topic"]] == list(TrainingTopic.labels())
    assert by_topic(figures) == {
        "le_tan": (2, 9),  # A (8 trainees) and D (1)
        "doi_ngoai_nhan_dan": (1, 8),
        "vien_tro_pcpnn": (0, 0),
        "doan_ra_vao": (0, 0),
        "ngoai_ngu": (1, 2),
        "khac": (1, 1),
    }


def test_the_previous_year_has_its_own_course():
    figures = training_figures(COURSES, ATTENDANCE, 2025)
    assert (figures["courses"], figures["trainees"], figures["cost_vnd"]) == (1, 40, 7_000_000)
    assert figures["by_agency"] == [
        {"agency_id": 10, "agency": "Công an tỉnh", "courses": 1, "trainees": 40}
    ]


def test_archived_rows_are_left_out_when_the_frames_carry_archived_at():
    archived_course = COURSES.assign(archived_at=[None, datetime(2026, 5, 1), None, None])
    archived_row = ATTENDANCE.assign(archived_at=[datetime(2026, 4, 1), None, None, None, None])
    figures = training_figures(archived_course, archived_row, 2026)
    assert figures["courses"] == 2  # A and D
    assert figures["trainees"] == 5 + 1  # A's police row is archived; B is archived
    assert by_topic(figures)["le_tan"] == (2, 6)


def test_a_course_without_attendance_or_topics_still_counts():
    frame = courses((9, "Z", date(2026, 6, 1), 0, []))
    figures = training_figures(frame, empty_attendance(), 2026)
    assert (figures["courses"], figures["trainees"], figures["cost_vnd"]) == (1, 0, 0)
    assert figures["cost_missing"] == 0  # 0 is a recorded cost
    assert figures["by_agency"] == []
    assert all(row["courses"] == 0 for row in figures["by_topic"])


def test_empty_frames_give_zeros():
    figures = training_figures(empty_courses(), empty_attendance(), 2026)
    assert figures["courses"] == figures["trainees"] == figures["cost_vnd"] == 0
    assert figures["by_agency"] == []
    assert len(figures["by_topic"]) == len(TrainingTopic.labels())


def test_dates_as_timestamps_and_large_costs_stay_exact():
    frame = courses(
        (1, "A", pd.Timestamp("2026-02-01"), 9 * 10**17, ["khac"]),
        (2, "B", pd.Timestamp("2026-02-02"), 9 * 10**17, ["khac"]),
    )
    figures = training_figures(frame, empty_attendance(), 2026)
    assert figures["cost_vnd"] == 18 * 10**17  # beyond int64 would overflow; Python ints


def test_attendance_of_courses_outside_the_year_is_ignored():
    frame = courses((1, "A", date(2026, 3, 1), None, ["khac"]))
    rows = attendance((1, 10, "X", 2), (99, 10, "X", 50))
    figures = training_figures(frame, rows, 2026)
    assert figures["trainees"] == 2
    assert figures["by_agency"][0]["courses"] == 1
