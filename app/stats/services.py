"""Use cases of the statistics: the report of a year, the page's comparison, key figures.

Each one loads its frames with one SQL query per source table (app.stats.loaders; the
report's disbursements as two totals added up by the database: loaders.load_report_frames)
on the session's connection and applies the pure rules of app.stats.report. The pages' figures
(year_page, key_figures) and the downloads' report (cached_annual_report) are reused while
the input tables' revisions are the same (one small query, app.stats.revisions), and the
rules' result while the loaded rows are the same (app.stats.cache explains both steps and
why they are never stale); annual_report() (the CLI, the documents) computes afresh.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime

import pandas as pd

from app.core.dates import today_vn
from app.extensions import db
from app.stats import cache, loaders, notes, people_diplomacy, report, revisions, shared

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
    sections (docs/spec/annual-report-people-diplomacy.md), computed afresh."""
    frames = loaders.load_report_frames(db.session.connection(), year)
    return report.annual_report(frames, year, generated_at, people_input(year))


def _frames(data: report.Frames | report.Totals) -> list[pd.DataFrame]:
    if isinstance(data, report.Frames):
        return data.all()  # with the disbursement totals
    return [getattr(data, field.name) for field in fields(data)]


# The tables each use case reads (tests/test_stats_precomputed.py checks them): its figures
# are kept by the revisions of these only, so a new donor, say, keeps the comparison; and
# by their counted series (revisions.counted): rows that count in no figure (a dossier in
# the procedure, a draft delegation) keep them too.
REPORT_TABLES = revisions.TRACKED_TABLES
AID_TABLES = ("aid_item", "aid_sector", "disbursement", "organization")  # the report's parts
DELEGATION_TABLES = ("delegation", "delegation_member")
PEOPLE_TABLES = tuple(  # associations, training, budget, mobilisation (with its aid)
    sorted(set(REPORT_TABLES) - {"aid_sector", "delegation", "delegation_member"})
)
TOTALS_TABLES = ("aid_item", "delegation", "disbursement")  # comparison, key figures
NOTES_TABLES = ("aid_item", "disbursement")


class _Figures:
    """One use case's figures through the two steps of app.stats.cache: by the revisions of
    the tables they read, from one read at the start (`before`), in this process's memo
    and then in the database's (app.stats.shared, written by any process), else loaded, by
    the rows' digest, and then stored under `before` in both if those revisions did not
    move while loading (close())."""

    def __init__(self):
        self.connection = db.session.connection()
        self.before = revisions.fingerprint(self.connection)
        self.computed: list[tuple] = []

    def get(
        self,
        key: tuple,
        load,
        inputs,
        compute,
        store: cache.FiguresCache = cache.figures,
        tables=REPORT_TABLES,
    ):
        """load() -> loaded; inputs(loaded) -> frames for the digest (None: no digest
        step); compute(loaded) -> the figures."""
        if self.before is not None:
            kept = (key, revisions.covering(self.before, revisions.counted(tables)))
            found = store.recall(kept)
            if found is not cache.MISSING:
                return found
            if shared.enabled():  # computed by another worker, server or before a restart
                found = shared.recall(self.connection, kept)
                if found is not shared.MISSING:
                    store.remember(kept, found)  # a copy: the caller may change `found`
                    return found
        loaded = load()
        if inputs is None:
            result = compute(loaded)
        else:
            result = store.get(key, inputs(loaded), lambda: compute(loaded))
        self.computed.append((store, key, tables, result))
        return result

    def close(self) -> None:
        """Store what was computed, if its tables' revisions are still those read first."""
        if self.computed and self.before is not None:
            after = revisions.fingerprint(self.connection)
            unmoved = []
            for store, key, tables, result in self.computed:
                series = revisions.counted(tables)
                kept = revisions.covering(self.before, series)
                if after is not None and revisions.covering(after, series) == kept:
                    store.remember((key, kept), result)
                    unmoved.append(((key, kept), result))
            if shared.enabled():
                shared.remember_all(unmoved)  # one transaction for all
        self.computed = []


notes_cache = cache.FiguresCache()  # the notes are two queries, no pandas: no digest step


def _report(figures: _Figures, year: int) -> dict:
    """The report of `year` with the people sections, generated_at not set: its aid,
    delegation and people-to-people diplomacy parts each kept by the revisions of the
    tables it reads (a disbursement keeps the delegation figures, a delegation the aid
    figures)."""
    from app.budget.queries import min_share

    as_of, share = today_vn(), min_share()  # the budget's inputs that are not rows
    connection = figures.connection
    aid = figures.get(
        ("report aid", year),
        lambda: loaders.load_aid_frames(connection, year),
        _frames,
        lambda frames: report.aid_section(frames, year),
        tables=AID_TABLES,
    )
    delegations = figures.get(
        ("report delegations", year),
        lambda: loaders.load_delegation_frames(connection, year),
        _frames,
        lambda frames: report.delegation_section(frames, year),
        tables=DELEGATION_TABLES,
    )
    people = figures.get(
        ("report people", year, as_of.isoformat(), int(share)),
        lambda: people_diplomacy.PeopleInput(
            people_diplomacy.load_people_frames(connection, year), as_of, share
        ),
        lambda loaded: loaded.frames.all(),
        lambda loaded: people_diplomacy.sections(loaded, year),
        tables=PEOPLE_TABLES,
    )
    return report.assemble(year, aid, delegations, people)


def cached_annual_report(year: int, generated_at: datetime | None = None) -> dict:
    """annual_report(year), reused while its input tables' revisions (else its rows) are
    the same; generated_at is the time of this call (or the one given)."""
    figures = _Figures()
    data = _report(figures, year)
    figures.close()
    moment = (generated_at or report.generated_now()).astimezone(report.VN_TZ)
    data["generated_at"] = moment.replace(microsecond=0).isoformat()
    return data


@dataclass
class YearPage:
    report: dict
    comparison: pd.DataFrame  # one row per year, oldest first, the report's year last
    notes: notes.YearNotes  # over-disbursed items and corrections (figures unchanged)


def _totals(figures: _Figures, first: int, last: int) -> report.Totals:
    """The daily totals of first..last, each of their three parts kept by the revisions of
    its own tables (a delegation keeps the aid totals, a disbursement the approvals)."""
    return report.Totals(
        **{
            name: figures.get(
                ("totals", name, first, last),
                lambda load=load: load(figures.connection, first, last),
                None,
                lambda frame: frame,
                tables=tables,
            )
            for name, tables, load in loaders.TOTALS_PARTS
        }
    )


def _comparison(figures: _Figures, year: int) -> pd.DataFrame:
    first = max(FIRST_YEAR, year - COMPARISON_YEARS)
    return figures.get(
        ("comparison", first, year),
        lambda: _totals(figures, first, year),
        _frames,
        lambda totals: report.yearly_figures(totals, range(first, year + 1)),
        tables=TOTALS_TABLES,
    )


def comparison(year: int) -> pd.DataFrame:
    """Yearly figures of `year` and the 5 years before it, from one load of daily totals
    for the whole range (one query per table)."""
    figures = _Figures()
    result = _comparison(figures, year)
    figures.close()
    return result


def year_notes(year: int) -> notes.YearNotes:
    """What the year's figures include that a reader should know (figures unchanged)."""
    return notes.year_notes(db.session, year)


def year_page(year: int) -> YearPage:
    """The report of `year`, its comparison with the previous years and its notes: one
    small query when no input table changed since they were last computed."""
    figures = _Figures()
    data = _report(figures, year)
    table = _comparison(figures, year)
    page_notes = figures.get(
        ("notes", year),
        lambda: None,
        None,
        lambda _: year_notes(year),
        store=notes_cache,
        tables=NOTES_TABLES,
    )
    figures.close()
    data["generated_at"] = report.generated_now().isoformat()
    return YearPage(report=data, comparison=table, notes=page_notes)


def key_figures(year: int | None = None) -> dict:
    """Figures of the year for the home page: approved count and value, disbursed value,
    delegations in and out (the report's rules, on daily totals: three small queries;
    reused while the input tables' revisions, else those totals, are the same)."""
    year = year or current_year()
    figures = _Figures()
    result = figures.get(
        ("key figures", year),
        lambda: _totals(figures, year, year),
        _frames,
        lambda totals: report.key_figures_from(totals, year),
        tables=TOTALS_TABLES,
    )
    figures.close()
    return result


WARM_YEARS = 2  # the current year and the one before: the pages most asked for


def warm(years=None) -> dict[int, float]:
    """Compute what the year pages, the downloads and the home page ask for first (the
    current year and the one before, or `years`) and keep it in both stores, so the first
    view after a change finds it (the worker runs this every minute: app.transfer.jobs).
    Figures already kept cost one small query each. Returns the seconds spent per year."""
    first = current_year()
    spent = {}
    for year in years or range(first, first - WARM_YEARS, -1):
        started = time.perf_counter()
        year_page(year)
        db.session.rollback()  # each year from a snapshot of its own, nothing to commit
        key_figures(year)
        db.session.rollback()
        spent[year] = time.perf_counter() - started
    return spent
