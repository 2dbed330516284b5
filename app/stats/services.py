"""Use cases of the statistics: the report of a year, the page's comparison, key figures.

Each one loads its frames with one SQL query per source table (app.stats.loaders) on the
session's connection and applies the pure rules of app.stats.report. The pages' figures
(year_page, key_figures) reuse the rules' result while the loaded rows are the same
(app.stats.cache); the report for the CLI and the downloads is always computed afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import pandas as pd

from app.core.dates import today_vn
from app.extensions import db
from app.stats import cache, loaders, notes, people_diplomacy, report

FIRST_YEAR = 1990  # the oldest year a report is offered for (Decree 93/2009 era and before)
FUTURE_YEARS = 5  # approved delegations and items may be dated a few years ahead
COMPARISON_YEARS = 5  # the page compares the year with the 5 before it


def year_range() -> tuple[int, int]:
    """The years a report may be asked for: 1990 to five years after the current year."""
    return FIRST_YEAR, today_vn().year + FUTURE_YEARS


def is_valid_year(year: int) -> bool:
    low, high = year_range()
    return low <= year <= high


def current_year() -> int:
    """The current year in Vietnam (Asia/Ho_Chi_Minh)."""
    return today_vn().year


def people_input(year: int) -> people_diplomacy.PeopleInput:
    """The people-to-people diplomacy sections' input: the year's frames of the four
    domains, counted on today's date (Vietnam) with the budget's share setting."""
    from app.budget.queries import min_share

    frames = people_diplomacy.load_people_frames(db.session.connection(), year)
    return people_diplomacy.PeopleInput(frames, today_vn(), min_share())


def annual_report(year: int, generated_at: datetime | None = None) -> dict:
    """The report of `year` in the spec's JSON shape, with the people-to-people diplomacy
    sections (docs/spec/annual-report-people-diplomacy.md)."""
    frames = loaders.load_frames(db.session.connection(), year)
    return report.annual_report(frames, year, generated_at, people_input(year))


def _frames(data: report.Frames | report.Totals) -> list[pd.DataFrame]:
    return [getattr(data, field.name) for field in fields(data)]


def cached_annual_report(year: int) -> dict:
    """annual_report(year), the rules' result reused while the year's rows are the same
    (the aid and delegation frames and the four domains' frames all go into the digest,
    so a change in any of those tables computes it again); generated_at is the time of
    this call."""
    frames = loaders.load_frames(db.session.connection(), year)
    people = people_input(year)
    data = cache.figures.get(
        ("report", year, *people.cache_key()),
        _frames(frames) + people.frames.all(),
        lambda: report.annual_report(frames, year, people=people),
    )
    data["generated_at"] = report.generated_now().isoformat()
    return data


@dataclass
class YearPage:
    report: dict
    comparison: pd.DataFrame  # one row per year, oldest first, the report's year last
    notes: notes.YearNotes  # over-disbursed items and corrections (figures unchanged)


def comparison(year: int) -> pd.DataFrame:
    """Yearly figures of `year` and the 5 years before it, from one load of daily totals
    for the whole range (one query per table)."""
    first = max(FIRST_YEAR, year - COMPARISON_YEARS)
    totals = loaders.load_totals(db.session.connection(), first, year)
    return cache.figures.get(
        ("comparison", first, year),
        _frames(totals),
        lambda: report.yearly_figures(totals, range(first, year + 1)),
    )


def year_notes(year: int) -> notes.YearNotes:
    """What the year's figures include that a reader should know (figures unchanged)."""
    return notes.year_notes(db.session, year)


def year_page(year: int) -> YearPage:
    """The report of `year`, its comparison with the previous years and its notes."""
    return YearPage(
        report=cached_annual_report(year),
        comparison=comparison(year),
        notes=year_notes(year),
    )


def key_figures(year: int | None = None) -> dict:
    """Figures of the year for the home page: approved count and value, disbursed value,
    delegations in and out (the report's rules, on daily totals: three small queries;
    the rules' result reused while those totals are the same)."""
    year = year or current_year()
    totals = loaders.load_totals(db.session.connection(), year, year)
    return cache.figures.get(
        ("key figures", year), _frames(totals), lambda: report.key_figures_from(totals, year)
    )
