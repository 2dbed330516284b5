"""The people-to-people diplomacy domains' figures for a plan report's period.

Each domain's pure function (app/stats/*_figures.py, rules in docs/spec/<domain>.md) counts
a calendar year. For a half-year its frames are filtered to the period's dates before the
call (the period lies inside one year, so the function's own year test keeps every
filtered row):
- associations: activities by the day they were held;
- training: courses by their start date (their trainees follow them);
- mobilisation: contacts by their date and proposals by the day they were sent (contacts,
  proposals, requested value), proposals by the day of their outcome (pledges), and the
  linked items by their decision date and their disbursements by date (approved, disbursed);
  each figure comes from a call on its own filtered frames;
- budget: a line is yearly, so the allocation is the year's; the spending is counted up to
  the period's last day (or today, if earlier) through the function's own `as_of`, so for
  the second half-year it is the year's spending to date.

Each loader is one SQL query per table (the domain's own).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.core.dates import today_vn
from app.stats import association_figures as associations
from app.stats import budget_figures as budget
from app.stats import mobilisation_figures as mobilisation
from app.stats import training_figures as training
from app.stats.frames import to_datetime
from app.stats.plan_figures import COUNT, VND, Figure, within


def _dated(frame: pd.DataFrame, column: str, first: date, last: date) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[within(to_datetime(frame[column]), first, last).to_numpy()]


def association_figures(connection, first: date, last: date) -> list[Figure]:
    activities = associations.load_activities(connection, first.year)
    found = associations.association_figures(_dated(activities, "held_on", first, last), first.year)
    return [
        Figure("Hoạt động của các hội hữu nghị", found["activities"]),
        Figure("Lượt người tham gia", found["participants"]),
        Figure("Kinh phí các hoạt động (VNĐ)", found["funds_vnd"], VND),
    ]


def training_figures(connection, first: date, last: date) -> list[Figure]:
    courses, attendance = training.load_training_frames(first.year)
    found = training.training_figures(
        _dated(courses, "start_on", first, last), attendance, first.year
    )
    return [
        Figure("Khóa đào tạo, bồi dưỡng", found["courses"]),
        Figure("Lượt học viên", found["trainees"]),
        Figure("Kinh phí đào tạo (VNĐ)", found["cost_vnd"], VND),
    ]


def budget_figures(connection, first: date, last: date) -> list[Figure]:
    from app.budget.queries import min_share

    lines, spending = budget.load_budget_frames(first.year)
    as_of = min(last, today_vn())
    totals = budget.budget_figures(lines, spending, first.year, min_share(), as_of)["totals"]
    return [
        Figure(f"Kinh phí được phân bổ năm {first.year} (VNĐ)", totals["allocated_vnd"], VND),
        Figure(f"Kinh phí đã chi lũy kế đến {as_of:%d/%m/%Y} (VNĐ)", totals["spent_vnd"], VND),
    ]


def mobilisation_figures(connection, first: date, last: date) -> list[Figure]:
    f = mobilisation.load_mobilisation_frames(connection, first.year)
    year = first.year

    def funnel(**frames) -> dict:
        return mobilisation.mobilisation_funnel(**{**f, **frames}, year=year)["total"]

    sent = funnel(
        contacts_df=_dated(f["contacts_df"], "occurred_on", first, last),
        proposals_df=_dated(f["proposals_df"], "sent_on", first, last),
    )
    pledged = funnel(proposals_df=_dated(f["proposals_df"], "outcome_on", first, last))
    approved = funnel(
        items_df=_dated(f["items_df"], "decision_date", first, last),
        disbursements_df=_dated(f["disbursements_df"], "disbursed_on", first, last),
    )
    return [
        Figure("Lượt tiếp xúc vận động nhà tài trợ", sent["contacts"]),
        Figure("Đề xuất gửi nhà tài trợ", sent["proposals"]),
        Figure("Giá trị đề nghị (VNĐ)", sent["requested_vnd"], VND),
        Figure("Nhà tài trợ cam kết", pledged["pledges"]),
        Figure("Giá trị cam kết (VNĐ)", pledged["pledged_vnd"], VND),
        Figure("Khoản được vận động đã phê duyệt", approved["approved_items"], COUNT),
        Figure(
            "Giá trị phê duyệt của các khoản được vận động (VNĐ)", approved["approved_vnd"], VND
        ),
    ]


# key -> (title, function of (connection, first, last)); plan items name them.
DOMAIN_GROUPS = {
    "associations": ("Hoạt động của các hội hữu nghị", association_figures),
    "training": ("Đào tạo, bồi dưỡng", training_figures),
    "budget": ("Kinh phí đối ngoại nhân dân", budget_figures),
    "mobilisation": ("Vận động viện trợ", mobilisation_figures),
}
