"""Friendship association figures for the annual statistics: the pure counting rules on
hand-made frames (no Flask, no database), then the loaders against the services' rows."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from app.stats.association_figures import (
    ACTIVITY_COLUMNS,
    association_figures,
    load_activities,
    load_member_counts,
)


def activities(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(ACTIVITY_COLUMNS, row, strict=True)) for row in rows])


# id, association_id, code, name, held_on, kind, participants, funds_vnd, countries
FRAME = activities(
    (1, 10, "HHN-LAO", "Hội Việt – Lào", date(2025, 3, 1), "giao_luu", 40, 15_000_000, ("LA",)),
    (2, 10, "HHN-LAO", "Hội Việt – Lào", date(2025, 9, 2), "ket_nghia", 10, None, ("LA", "KH")),
    (3, 20, "HHN-CAM", "Hội Việt – Campuchia", date(2025, 5, 5), "ho_tro", None, 2_500_000, ()),
    (4, 20, "HHN-CAM", "Hội Việt – Campuchia", date(2024, 12, 31), "ho_tro", 99, 1_000, ("KH",)),
    (5, 30, "HHN-KR", "Hội Việt – Hàn", date(2026, 1, 1), "su_kien", 5, 7, ("KR",)),
)


def test_only_the_year_s_activities_are_counted_with_totals():
    figures = association_figures(FRAME, 2025)
    assert figures["year"] == 2025
    assert figures["activities"] == 3
    assert figures["participants"] == 50  # a missing count adds nothing ...
    assert figures["participants_missing"] == 1  # ... and is counted as missing
    assert figures["funds_vnd"] == 17_500_000
    assert figures["funds_missing"] == 1
    assert figures["without_country"] == 1


def test_by_kind_lists_every_kind_in_the_vocabulary_order():
    rows = association_figures(FRAME, 2025)["by_kind"]
    assert [r["kind"] for r in rows] == ["giao_luu", "ket_nghia", "gap_go", "ho_tro", "su_kien"]
    assert rows[0] == {
        "kind": "giao_luu",
        "label": "Giao lưu",
        "count": 1,
        "participants": 40,
        "funds_vnd": 15_000_000,
    }
    assert rows[2]["count"] == 0 and rows[2]["funds_vnd"] == 0
    assert rows[3] == {
        "kind": "ho_tro",
        "label": "Hỗ trợ",
        "count": 1,
        "participants": 0,
        "funds_vnd": 2_500_000,
    }
    assert sum(r["count"] for r in rows) == 3


def test_by_association_most_activities_first():
    rows = association_figures(FRAME, 2025)["by_association"]
    assert rows == [
        {
            "code": "HHN-LAO",
            "name": "Hội Việt – Lào",
            "count": 2,
            "participants": 50,
            "funds_vnd": 15_000_000,
        },
        {
            "code": "HHN-CAM",
            "name": "Hội Việt – Campuchia",
            "count": 1,
            "participants": 0,
            "funds_vnd": 2_500_000,
        },
    ]


def test_an_activity_counts_once_in_each_of_its_countries():
    rows = association_figures(FRAME, 2025)["by_country"]
    assert rows == [
        {"country": "LA", "name": "Lào", "count": 2, "participants": 50},
        {"country": "KH", "name": "Campuchia", "count": 1, "participants": 10},
    ]
    # a country given twice on one activity still counts once
    doubled = activities(
        (1, 10, "A", "A", date(2025, 1, 1), "gap_go", 3, None, ("LA", "LA")),
    )
    assert association_figures(doubled, 2025)["by_country"][0]["count"] == 1


def test_member_counts_reported_for_the_year():
    counts = pd.DataFrame(
        {
            "association_id": [10, 10, 20],
            "code": ["HHN-LAO", "HHN-LAO", "HHN-CAM"],
            "name": ["Hội Việt – Lào", "Hội Việt – Lào", "Hội Việt – Campuchia"],
            "year": [2024, 2025, 2025],
            "count": [100, 120, 80],
        }
    )
    figures = association_figures(FRAME, 2025, counts)["member_counts"]
    assert figures == {
        "associations": 2,
        "members": 200,
        "rows": [
            {"code": "HHN-CAM", "name": "Hội Việt – Campuchia", "count": 80},
            {"code": "HHN-LAO", "name": "Hội Việt – Lào", "count": 120},
        ],
    }
    assert association_figures(FRAME, 2023, counts)["member_counts"]["members"] == 0


def test_an_empty_year_gives_zeros_and_empty_lists():
    figures = association_figures(FRAME.iloc[0:0], 2025)
    assert figures["activities"] == figures["funds_vnd"] == figures["participants"] == 0
    assert figures["by_association"] == figures["by_country"] == []
    assert all(r["count"] == 0 for r in figures["by_kind"])
    assert figures["member_counts"] == {"associations": 0, "members": 0, "rows": []}


def test_dates_as_text_or_timestamps_work_the_same():
    as_text = FRAME.assign(held_on=FRAME["held_on"].map(str))
    assert association_figures(as_text, 2025) == association_figures(FRAME, 2025)


# --- The loaders ------------------------------------------------------------------------------


@pytest.fixture
def recorded(app_ctx, db, user):
    from app.associations import services

    officer = user("foreign_affairs.officer")
    base = {
        "founding_decision_number": None,
        "founding_decision_date": None,
        "leaders": None,
        "address": None,
        "phone": None,
        "email": None,
        "status": "hoat_dong",
        "union_member": False,
        "union_joined_on": None,
        "notes": None,
        "name_vi": None,
    }
    lao = services.create_association(
        {**base, "code": "HHN-LAO", "name": "Hội Việt – Lào", "countries": ["LA"]}, user=officer
    )
    gone = services.create_association(
        {**base, "code": "HHN-OLD", "name": "Hội cũ", "countries": []}, user=officer
    )
    activity = {
        "title": "Hoạt động",
        "partners": None,
        "participants": 12,
        "delegation_code": None,
        "aid_item_code": None,
        "notes": None,
    }
    services.add_activity(
        lao,
        {**activity, "held_on": date(2025, 4, 1), "kind": "gap_go", "countries": ["LA", "KH"],
         "funds_vnd": Decimal("1500000")},
        user=officer,
    )  # fmt: skip
    services.add_activity(
        lao,
        {**activity, "held_on": date(2025, 6, 1), "kind": "ho_tro", "countries": [],
         "funds_vnd": None, "participants": None},
        user=officer,
    )  # fmt: skip
    archived = services.add_activity(
        lao,
        {**activity, "held_on": date(2025, 7, 1), "kind": "ho_tro", "countries": ["LA"],
         "funds_vnd": Decimal("9")},
        user=officer,
    )  # fmt: skip
    services.archive_activity(archived, "Nhầm", user=officer)
    services.add_activity(
        lao,
        {**activity, "held_on": date(2024, 7, 1), "kind": "su_kien", "countries": ["LA"],
         "funds_vnd": Decimal("5")},
        user=officer,
    )  # fmt: skip
    services.add_activity(
        gone,
        {**activity, "held_on": date(2025, 8, 1), "kind": "su_kien", "countries": ["TH"],
         "funds_vnd": Decimal("5")},
        user=officer,
    )  # fmt: skip
    services.set_member_count(lao, 2025, 300, user=officer)
    services.set_member_count(gone, 2025, 7, user=officer)
    services.archive_association(gone, "Trùng", user=officer)
    db.session.flush()
    return lao


def test_loaders_read_live_rows_of_the_year_in_one_frame_each(recorded, db):
    connection = db.session.connection()
    frame = load_activities(connection, 2025)
    assert list(frame.columns) == list(ACTIVITY_COLUMNS)
    assert sorted(frame["kind"]) == ["gap_go", "ho_tro"]  # archived ones and 2024 left out
    met = frame[frame["kind"] == "gap_go"].iloc[0]
    assert tuple(met["countries"]) == ("LA", "KH") and met["funds_vnd"] == 1_500_000
    counts = load_member_counts(connection, 2025)
    figures = association_figures(frame, 2025, counts)
    assert figures["activities"] == 2 and figures["funds_vnd"] == 1_500_000
    assert figures["participants"] == 12 and figures["without_country"] == 1
    assert figures["member_counts"]["members"] == 300  # the archived association's left out
    every_year = load_activities(connection)
    assert association_figures(every_year, 2024)["activities"] == 1
