"""The annual report's people-to-people diplomacy sections (issue 13, part 6): friendship
associations' activities, training, the budget and aid mobilisation.

Each domain owns its counting rules as a pure function in app/stats (documented in
docs/spec/<domain>.md) and its loader (one SQL query per table); this module only loads
their frames for a year (`load_people_frames`) and calls the functions (`sections`), so the
report (app.stats.report), the page, the workbook, the CSV files and the JSON show the same
figures. The new top-level keys and the workbook's new sheets are described in
docs/spec/annual-report-people-diplomacy.md.

The budget's figures also depend on the day they are computed for (spending after it is
not counted; the 30 September rule applies once that day is past) and on the setting
BUDGET_MIN_SHARE_BY_SEPT: both are inputs here (`PeopleInput`), never read inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import pandas as pd

from app.stats import association_figures as associations
from app.stats import budget_figures as budget
from app.stats import mobilisation_figures as mobilisation
from app.stats import training_figures as training

SECTION_KEYS = ("associations", "training", "budget", "mobilisation")
# The tables of each section (app.stats.people_tables), by key: their CSV file names.
TABLE_KEYS = {
    "associations": (
        "hoi_tong_hop",
        "hoi_loai_hoat_dong",
        "hoi_theo_hoi",
        "hoi_quoc_gia",
        "hoi_hoi_vien",
    ),
    "training": ("dao_tao_tong_hop", "dao_tao_co_quan", "dao_tao_chu_de"),
    "budget": ("kinh_phi_tong_hop", "kinh_phi_don_vi"),
    "mobilisation": ("van_dong_quoc_gia",),
}
ALL_TABLE_KEYS = tuple(key for keys in TABLE_KEYS.values() for key in keys)


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})


@dataclass
class PeopleFrames:
    """The source frames of the four sections (missing ones are empty)."""

    activities: pd.DataFrame = field(default_factory=lambda: _empty(associations.ACTIVITY_COLUMNS))
    member_counts: pd.DataFrame = field(
        default_factory=lambda: _empty(associations.MEMBER_COUNT_COLUMNS)
    )
    courses: pd.DataFrame = field(default_factory=training.empty_courses)
    attendance: pd.DataFrame = field(default_factory=training.empty_attendance)
    budget_lines: pd.DataFrame = field(default_factory=lambda: _empty(budget.LINE_COLUMNS))
    budget_spending: pd.DataFrame = field(default_factory=lambda: _empty(budget.SPENDING_COLUMNS))
    contacts: pd.DataFrame = field(default_factory=lambda: mobilisation.empty_frame("contacts"))
    proposals: pd.DataFrame = field(default_factory=lambda: mobilisation.empty_frame("proposals"))
    mobilised_items: pd.DataFrame = field(default_factory=lambda: mobilisation.empty_frame("items"))
    mobilised_disbursements: pd.DataFrame = field(
        default_factory=lambda: mobilisation.empty_frame("disbursements")
    )

    def all(self) -> list[pd.DataFrame]:
        """Every frame, in a fixed order (for the cache's digest)."""
        return [getattr(self, f.name) for f in fields(self)]


@dataclass
class PeopleInput:
    """What the four sections are computed from: the frames, the day the budget is counted
    on, and the budget's share to use by 30 September (percent)."""

    frames: PeopleFrames
    as_of: date
    share_setting: int

    def cache_key(self) -> tuple:
        """The inputs that are not frames (part of the cache's key)."""
        return (self.as_of.isoformat(), int(self.share_setting))


def load_people_frames(connection, year: int) -> PeopleFrames:
    """The year's frames of the four domains, with their own loaders (one SQL query per
    table, archived rows left out)."""
    courses, attendance = training.load_training_frames(year)
    lines, spending = budget.load_budget_frames(year)
    mobilised = mobilisation.load_mobilisation_frames(connection, year)
    return PeopleFrames(
        activities=associations.load_activities(connection, year),
        member_counts=associations.load_member_counts(connection, year),
        courses=courses,
        attendance=attendance,
        budget_lines=lines,
        budget_spending=spending,
        contacts=mobilised["contacts_df"],
        proposals=mobilised["proposals_df"],
        mobilised_items=mobilised["items_df"],
        mobilised_disbursements=mobilised["disbursements_df"],
    )


def sections(people: PeopleInput, year: int) -> dict:
    """The four sections of `year`, keyed by SECTION_KEYS, each in its domain's JSON shape."""
    f = people.frames
    return {
        "associations": associations.association_figures(f.activities, year, f.member_counts),
        "training": training.training_figures(f.courses, f.attendance, year),
        "budget": budget.budget_figures(
            f.budget_lines, f.budget_spending, year, people.share_setting, people.as_of
        ),
        "mobilisation": mobilisation.mobilisation_funnel(
            f.contacts, f.proposals, f.mobilised_items, f.mobilised_disbursements, year
        ),
    }
