"""Loading the statistics' frames: one SQL query per source table, restricted in SQL.

load_frames(year) feeds the report. Each query selects only the columns the rules use,
drops archived rows and keeps only the rows the year needs:
- items: approved in the year, active in the year, or with a disbursement in the year (for
  the donor of that disbursement);
- disbursements: dated in the year (those of archived items are dropped by the rules, since
  their item is not in the items frame);
- delegations: counted statuses, starting in the year;
- sectors: of the items approved in the year;
- organisations: the main donors of the loaded items (an archived organisation still names
  the donor of a live item: it is a reference, not a counted record);
- members: live members of the delegations counted in the year.

load_report_frames(year) feeds the CLI and the documents: the same frames, except
that the year's disbursements come added up by the database (report.PaidTotals: per rate,
per main donor of their item) instead of as ~300 000 rows at national scale, and the items
are only those approved or active in the year (the paid ones were loaded for their donor,
which the database now joins). Same figures (tests/test_stats_first_view.py). The year page
and the downloads load its two halves apart (load_aid_frames, load_delegation_frames), each
kept by the revisions of its own tables (app.stats.services).

load_totals(first, last) feeds the comparison of several years and the home page's key
figures with daily totals (see report.Totals).

Rates are read as floats (they have 6 decimals; report.usd_rate_micros turns them back into
exact millionths), coded columns as plain text, so no column of Decimal or Enum objects is
built.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from app.aid.models import AidItem, AidSector, Disbursement
from app.delegations.models import Delegation, DelegationMember
from app.orgs.models import Organization
from app.stats import report

# Above this many ids, the organisations are selected with a subquery instead of a list of
# bound parameters (SQLite allows 32 766 of them).
MAX_IN_LIST = 5_000


def _float(column):
    return sa.cast(column, sa.Float).label(column.key)


def _text(column):
    """A coded column as plain text (no Enum objects built per row)."""
    return sa.type_coerce(column, sa.String).label(column.key)


def _between(column, start: date, end: date):
    return column.between(start, end)


def paid_between(first: date, last: date):
    """The ids of the items with a live disbursement dated first..last (a select)."""
    return sa.select(Disbursement.aid_item_id).where(
        Disbursement.archived_at.is_(None), _between(Disbursement.disbursed_on, first, last)
    )


def _approved_condition(first: date, last: date):
    return sa.and_(
        AidItem.status.in_(report.APPROVED_OR_LATER), _between(AidItem.decision_date, first, last)
    )


def _active_condition(first: date, last: date):
    # The actual start (app.aid.timing), else the planned one, else the approval date.
    start = sa.func.coalesce(AidItem.actual_start_on, AidItem.start_on, AidItem.decision_date)
    return sa.and_(
        AidItem.status.in_(report.ACTIVE_STATUSES),
        start <= last,
        sa.or_(AidItem.end_on.is_(None), AidItem.end_on >= first),
    )


def _items_condition(first: date, last: date):
    """Live items approved in the year, active in it, or paid in it.

    Written as `id IN (… UNION … UNION …)`, not as an OR of the three: PostgreSQL cannot
    hash a subquery inside an OR when its rows exceed work_mem (the 302 000 disbursements
    of a national year), and then rescans them for every item: the year page never ended.
    The union of ids is one hashed semi-join (0.24 s at national scale; SQLite the same
    0.2 s either way)."""
    approved = sa.select(AidItem.id).where(_approved_condition(first, last))
    active = sa.select(AidItem.id).where(_active_condition(first, last))
    counted = sa.union(approved, paid_between(first, last), active)
    return sa.and_(AidItem.archived_at.is_(None), AidItem.id.in_(counted))


def _approved_or_active(first: date, last: date):
    """Live items approved in the year or active in it, in one pass over aid_item: the two
    conditions inside a CASE, which no index serves (a third of the items qualify; with an
    OR SQLite merged its status and date indexes, 0.4-0.7 s against 0.06 s for the scan,
    and the union of ids cost PostgreSQL 0.46 s against 0.14 s)."""
    either = sa.case(
        (_approved_condition(first, last), 1),
        (_active_condition(first, last), 1),
        else_=0,
    )
    return sa.and_(AidItem.archived_at.is_(None), either == 1)


def _delegations_condition(start: date, end: date):
    return sa.and_(
        Delegation.archived_at.is_(None),
        Delegation.status.in_(report.COUNTED_DELEGATION_STATUSES),
        _between(Delegation.start_on, start, end),
    )


def _read(connection, query, kind: str) -> pd.DataFrame:
    frame = pd.read_sql_query(query, connection)
    if frame.empty:
        return report.empty_frame(kind)
    return frame


ITEM_COLUMNS = [
    AidItem.id,
    _text(AidItem.status),
    AidItem.decision_date,
    sa.func.coalesce(AidItem.actual_start_on, AidItem.start_on).label("start_on"),
    AidItem.end_on,
    _text(AidItem.modality),
    AidItem.main_donor_id,
    AidItem.value_vnd,
    AidItem.counterpart_vnd,
    AidItem.currency,
    _float(AidItem.rate_vnd),
    _float(AidItem.rate_usd),
]


def load_report_frames(connection, year: int) -> report.Frames:
    """The frames of the report of `year` with its disbursements added up by the database
    (report.PaidTotals): the aid frames and the delegation frames."""
    frames = load_aid_frames(connection, year)
    delegations = load_delegation_frames(connection, year)
    frames.delegations, frames.members = delegations.delegations, delegations.members
    return frames


def load_aid_frames(connection, year: int) -> report.Frames:
    """The frames of the report's aid section of `year` (items, sectors, donors) with its
    disbursements added up by the database (report.PaidTotals): two GROUP BY queries
    instead of the year's rows; the delegation frames are left empty.

    Exact: the rules only count the disbursements of live items and add their stored VND
    values (each rounded once when recorded), per rate for the USD value (rounded once
    after the sum, as from the rows) and per main donor of the item."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    items_where = _approved_or_active(first, last)
    items = _read(connection, sa.select(*ITEM_COLUMNS).where(items_where), "items")
    in_year = sa.and_(
        Disbursement.archived_at.is_(None), _between(Disbursement.disbursed_on, first, last)
    )
    rows, value = sa.func.count().label("rows"), sa.func.sum(Disbursement.value_vnd)
    # Disbursements of archived items left out with NOT IN the few archived ids (SQLite then
    # keeps to the date range of the covering index, see load_totals).
    archived_items = sa.select(AidItem.id).where(AidItem.archived_at.is_not(None))
    rate_key = (Disbursement.currency, Disbursement.rate_vnd, Disbursement.rate_usd)
    by_rate = pd.read_sql_query(
        sa.select(
            Disbursement.currency,
            _float(Disbursement.rate_vnd),
            _float(Disbursement.rate_usd),
            rows,
            value.label("value_vnd"),
        )
        .where(in_year, Disbursement.aid_item_id.not_in(archived_items))
        .group_by(*rate_key),
        connection,
    )
    # Per main donor: added up per item first, then the items joined (36 000 lookups of an
    # item instead of 300 000: SQLite 0.15 s against 0.33 s at national scale).
    per_item = (
        sa.select(Disbursement.aid_item_id, rows, value.label("value_vnd"))
        .where(in_year)
        .group_by(Disbursement.aid_item_id)
        .subquery()
    )
    by_donor = pd.read_sql_query(
        sa.select(
            AidItem.main_donor_id,
            sa.func.sum(per_item.c.rows).label("rows"),
            sa.func.sum(per_item.c.value_vnd).label("value_vnd"),
        )
        .select_from(per_item)
        .join(AidItem, AidItem.id == per_item.c.aid_item_id)
        .where(AidItem.archived_at.is_(None))
        .group_by(AidItem.main_donor_id),
        connection,
    )
    donor_ids = {int(i) for i in items["main_donor_id"].dropna()}
    donor_ids |= {int(i) for i in by_donor["main_donor_id"].dropna()}
    # Over MAX_IN_LIST donors: those of every live item (more than needed, never fewer).
    live_donors = sa.select(AidItem.main_donor_id).where(AidItem.archived_at.is_(None))
    frames = _aid_frames(connection, first, last, items, sorted(donor_ids), live_donors)
    frames.paid = report.PaidTotals(year, by_rate, by_donor)
    return frames


def load_frames(connection, year: int) -> report.Frames:
    """The six frames of the report of `year`, one query per table (the disbursements as
    rows: the period figures of app.stats.plan_figures choose them by date)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    items_where = _items_condition(first, last)

    items = _read(connection, sa.select(*ITEM_COLUMNS).where(items_where), "items")

    paid_columns = [
        Disbursement.aid_item_id,
        Disbursement.disbursed_on,
        Disbursement.value_vnd,
        Disbursement.currency,
        _float(Disbursement.rate_vnd),
        _float(Disbursement.rate_usd),
    ]
    # No condition on the item here: the rules drop rows whose item is not in the items
    # frame (archived). A join or IN on aid_item makes SQLite walk the item index instead
    # of the date range (2.3 s instead of 0.3 s for a year of 1 000 000 rows).
    disbursements = _read(
        connection,
        sa.select(*paid_columns).where(
            Disbursement.archived_at.is_(None),
            _between(Disbursement.disbursed_on, first, last),
        ),
        "disbursements",
    )
    donor_ids = sorted({int(i) for i in items["main_donor_id"].dropna()})
    items_donors = sa.select(AidItem.main_donor_id).where(items_where)
    frames = _aid_frames(connection, first, last, items, donor_ids, items_donors)
    frames.disbursements = disbursements
    delegations = load_delegation_frames(connection, year)
    frames.delegations, frames.members = delegations.delegations, delegations.members
    return frames


def _aid_frames(connection, first, last, items, donor_ids, donors_query) -> report.Frames:
    """The items with their sectors and donors (`donor_ids`, or those of `donors_query`
    when they are too many for a list)."""
    frames = report.Frames(items=items)
    approved_in_year = sa.select(AidItem.id).where(
        AidItem.archived_at.is_(None),
        AidItem.status.in_(report.APPROVED_OR_LATER),
        _between(AidItem.decision_date, first, last),
    )
    frames.sectors = _read(
        connection,
        sa.select(AidSector.aid_item_id, _text(AidSector.sector), _float(AidSector.share)).where(
            AidSector.aid_item_id.in_(approved_in_year)
        ),
        "sectors",
    )
    # The main donors of the loaded items and disbursements (an IN list of their ids; a
    # subquery repeating the items condition costs a second pass over the items).
    donors = (
        Organization.id.in_(donor_ids)
        if len(donor_ids) <= MAX_IN_LIST
        else Organization.id.in_(donors_query)
    )
    frames.organizations = _read(
        connection,
        sa.select(
            Organization.id, Organization.code, Organization.name, Organization.country
        ).where(donors),
        "organizations",
    )
    return frames


def load_delegation_frames(connection, year: int) -> report.Frames:
    """The frames of the report's delegation section of `year`: the delegations counted in
    it and their live members (the aid frames are left empty)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    delegation_columns = [
        Delegation.id,
        _text(Delegation.direction),
        _text(Delegation.status),
        Delegation.start_on,
        Delegation.country,
        _text(Delegation.purpose),
        Delegation.is_border_area,
    ]
    delegations = _read(
        connection,
        sa.select(*delegation_columns).where(_delegations_condition(first, last)),
        "delegations",
    )
    counted_in_year = sa.select(Delegation.id).where(_delegations_condition(first, last))
    members = _read(
        connection,
        sa.select(
            DelegationMember.delegation_id,
            DelegationMember.passport_number,
            DelegationMember.nationality,
        ).where(
            DelegationMember.archived_at.is_(None),
            DelegationMember.delegation_id.in_(counted_in_year),
        ),
        "members",
    )
    return report.Frames(delegations=delegations, members=members)


def load_totals(connection, first_year: int, last_year: int) -> report.Totals:
    """Daily totals for the yearly figures of first_year..last_year (report.Totals), one
    query per table: the database adds up each day's rows (a year has at most 366 of
    them), the rules in report.yearly_figures pick the statuses and the years.

    Archived rows are left out, and so are the disbursements of archived items (NOT IN
    the few archived ids: SQLite then keeps walking the date index). The services keep
    each of the three apart, under the revisions of the tables it reads (TOTALS_PARTS).
    """
    return report.Totals(
        **{name: load(connection, first_year, last_year) for name, _, load in TOTALS_PARTS}
    )


def load_approved_totals(connection, first_year: int, last_year: int) -> pd.DataFrame:
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    return _read_totals(
        connection,
        sa.select(
            AidItem.decision_date,
            _text(AidItem.status),
            sa.func.count().label("count"),
            sa.func.sum(AidItem.value_vnd).label("value_vnd"),
        )
        .where(AidItem.archived_at.is_(None), _between(AidItem.decision_date, start, end))
        .group_by(AidItem.decision_date, AidItem.status),
        ("decision_date", "status", "count", "value_vnd"),
    )


def load_disbursed_totals(connection, first_year: int, last_year: int) -> pd.DataFrame:
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    archived_items = sa.select(AidItem.id).where(AidItem.archived_at.is_not(None))
    return _read_totals(
        connection,
        sa.select(Disbursement.disbursed_on, sa.func.sum(Disbursement.value_vnd).label("value_vnd"))
        .where(
            Disbursement.archived_at.is_(None),
            _between(Disbursement.disbursed_on, start, end),
            Disbursement.aid_item_id.not_in(archived_items),
        )
        .group_by(Disbursement.disbursed_on),
        ("disbursed_on", "value_vnd"),
    )


def load_delegation_totals(connection, first_year: int, last_year: int) -> pd.DataFrame:
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    return _read_totals(
        connection,
        sa.select(
            Delegation.start_on,
            _text(Delegation.direction),
            _text(Delegation.status),
            sa.func.count().label("count"),
        )
        .where(Delegation.archived_at.is_(None), _between(Delegation.start_on, start, end))
        .group_by(Delegation.start_on, Delegation.direction, Delegation.status),
        ("start_on", "direction", "status", "count"),
    )


# The parts of report.Totals: (field, the tables its query reads, its loader).
TOTALS_PARTS = (
    ("approved", ("aid_item",), load_approved_totals),
    ("disbursed", ("aid_item", "disbursement"), load_disbursed_totals),
    ("delegations", ("delegation",), load_delegation_totals),
)


def _read_totals(connection, query, columns) -> pd.DataFrame:
    frame = pd.read_sql_query(query, connection)
    if frame.empty:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    return frame
