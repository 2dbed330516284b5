"""The registry's figures for each plan item over a report's period (a half-year or a year).

The counting rules are the annual report's pure functions (app.stats.*_figures), which
count a calendar year. A half-year is served by filtering the loaded frames to the
period's dates BEFORE calling them (the period lies inside one calendar year, so the
functions' own year test keeps every filtered row): approved items by their decision date,
disbursements by their date, delegations by their start date; the other frames (items
for the donors and the archived check, members) are left whole, as the functions join on
them. The functions themselves are unchanged.

The four people-to-people diplomacy domains' figures are filtered the same way
(app.stats.plan_domain_figures says how for each).

`period_figures(connection, first, last)` returns {figure group key: [Figure, ...]}; the
plan items name the groups they show (app.planreport.plan_items).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from app.stats import loaders
from app.stats.aid_figures import approved_summary, disbursed_summary
from app.stats.delegation_figures import delegation_summary

COUNT, VND = "count", "vnd"


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    kind: str = COUNT  # how it shows: a count or an amount in đồng


def within(dates: pd.Series, first: date, last: date) -> pd.Series:
    """Whether each date (datetime64 after Frames.prepared) is in [first, last]."""
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    return ((dates >= start) & (dates <= end)).fillna(False).astype(bool)


def aid_figures(frames, first: date, last: date) -> list[Figure]:
    f = frames.prepared()
    year = first.year
    approved = approved_summary(f.items[within(f.items["decision_date"], first, last)], year)
    paid = f.disbursements[within(f.disbursements["disbursed_on"], first, last)]
    disbursed = disbursed_summary(paid, f.items, year)
    return [
        Figure("Khoản viện trợ được phê duyệt", approved["count"]),
        Figure("Giá trị viện trợ được phê duyệt (VNĐ)", approved["value_vnd"], VND),
        Figure("Vốn đối ứng của các khoản được phê duyệt (VNĐ)", approved["counterpart_vnd"], VND),
        Figure("Lần giải ngân", disbursed["count"]),
        Figure("Giá trị giải ngân (VNĐ)", disbursed["value_vnd"], VND),
    ]


def delegation_figures(frames, first: date, last: date) -> list[Figure]:
    f = frames.prepared()
    counted = f.delegations[within(f.delegations["start_on"], first, last)]
    summary = delegation_summary(counted, f.members, first.year)
    incoming, outgoing = summary["incoming"], summary["outgoing"]
    return [
        Figure("Đoàn vào", incoming["count"]),
        Figure("Lượt thành viên đoàn vào", incoming["members"]),
        Figure("Đoàn vào khu vực biên giới", incoming["border_area"]),
        Figure("Đoàn ra", outgoing["count"]),
        Figure("Lượt thành viên đoàn ra", outgoing["members"]),
    ]


# Figure groups on the annual frames: key -> (title, function of (frames, first, last)).
FRAME_GROUPS: dict[str, tuple[str, Callable]] = {
    "aid": ("Viện trợ phi chính phủ nước ngoài", aid_figures),
    "delegations": ("Đoàn ra, đoàn vào", delegation_figures),
}


def _domain_groups() -> dict[str, tuple[str, Callable]]:
    """The people-to-people diplomacy domains' groups (app.stats.plan_domain_figures)."""
    from app.stats.plan_domain_figures import DOMAIN_GROUPS

    return DOMAIN_GROUPS


def group_title(key: str) -> str:
    found = FRAME_GROUPS.get(key) or _domain_groups().get(key)
    return found[0] if found else key


def period_figures(connection, first: date, last: date) -> dict[str, list[Figure]]:
    """Every figure group for the period [first, last] (inside one year)."""
    frames = loaders.load_frames(connection, first.year)
    result = {key: function(frames, first, last) for key, (_t, function) in FRAME_GROUPS.items()}
    for key, (_title, function) in _domain_groups().items():
        result[key] = function(connection, first, last)
    return result
