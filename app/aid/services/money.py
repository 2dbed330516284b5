"""The money of an item in its own currency: what was disbursed against the approved value
(with its amendments), per row and per year, in Python for one item and in SQL for lists.

A disbursement in the item's currency counts with its amount; one in another currency
counts with its VND value at the item's rate (VND per unit), so a change of rate between
the approval and a payment never makes an item look over-disbursed.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from app.aid.models import AidItem, Disbursement
from app.extensions import db

# SQL sums numbers as floating point on SQLite: a total counts as above the value only when
# it exceeds it by more than half a cent (the Python check, exact, is the one that asks).
SQL_TOLERANCE = Decimal("0.005")


def in_item_currency(item: AidItem, currency: str, amount, value_vnd) -> Decimal:
    """One amount in the item's currency."""
    if currency == item.currency:
        return Decimal(amount)
    rate = item.rate_vnd if item.currency != "VND" else None
    return Decimal(value_vnd) / Decimal(rate) if rate else Decimal(value_vnd)


def _live(item: AidItem):
    return (Disbursement.aid_item_id == item.id, Disbursement.archived_at.is_(None))


def disbursed(item: AidItem) -> Decimal:
    """The item's live disbursements in its currency (one grouped query)."""
    rows = db.session.execute(
        db.select(
            Disbursement.currency,
            db.func.sum(Disbursement.amount),
            db.func.sum(Disbursement.value_vnd),
        )
        .where(*_live(item))
        .group_by(Disbursement.currency)
    ).all()
    return sum((in_item_currency(item, *row) for row in rows), Decimal(0))


def disbursed_by_year(item: AidItem) -> dict[int, Decimal]:
    """{year: disbursed in the item's currency}, one grouped query."""
    year = db.func.extract("year", Disbursement.disbursed_on)
    rows = db.session.execute(
        db.select(
            year,
            Disbursement.currency,
            db.func.sum(Disbursement.amount),
            db.func.sum(Disbursement.value_vnd),
        )
        .where(*_live(item))
        .group_by(year, Disbursement.currency)
    ).all()
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for year_value, currency, amount, value_vnd in rows:
        totals[int(year_value)] += in_item_currency(item, currency, amount, value_vnd)
    return dict(totals)


def sums_of(item: AidItem, disbursements) -> tuple[int, Decimal, dict[int, Decimal]]:
    """From the item's disbursements already loaded (the item page): the live total in
    VND, in the item's currency, and by year, summed per currency as `disbursed` and
    `disbursed_by_year` do in SQL (no query)."""
    by_key: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    total_vnd = 0
    for row in disbursements:
        if row.archived_at is None:
            sums = by_key[(row.disbursed_on.year, row.currency)]
            sums[0] += Decimal(row.amount)
            sums[1] += Decimal(row.value_vnd)
            total_vnd += int(row.value_vnd)
    by_currency: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for (year, currency), (amount, value_vnd) in by_key.items():
        by_currency[currency][0] += amount
        by_currency[currency][1] += value_vnd
        by_year[year] += in_item_currency(item, currency, amount, value_vnd)
    total = sum(
        (in_item_currency(item, c, amount, vnd) for c, (amount, vnd) in by_currency.items()),
        Decimal(0),
    )
    return total_vnd, total, dict(by_year)


def share_of_value(item: AidItem, amount: Decimal) -> Decimal | None:
    """`amount` as a percentage of the approved value, one decimal; None without a value."""
    from app.core.money import round_half_up

    if not item.value:
        return None
    return round_half_up(Decimal(amount) * 100 / Decimal(item.value), 1)


def _disbursed_sql(until: date | None = None):
    """The correlated sum of an item's live disbursements in its currency (up to `until`)."""
    rate = db.func.coalesce(AidItem.rate_vnd, 1)
    counted = db.case(
        (Disbursement.currency == AidItem.currency, Disbursement.amount),
        else_=Disbursement.value_vnd / rate,
    )
    return (
        db.select(db.func.sum(counted))
        .where(
            Disbursement.aid_item_id == AidItem.id,
            Disbursement.archived_at.is_(None),
            *([Disbursement.disbursed_on <= until] if until else []),
        )
        .correlate(AidItem)
        .scalar_subquery()
    )


def over_disbursed_condition(until: date | None = None):
    """Items whose live disbursements (those dated up to `until`, when given) exceed the
    approved value (with its amendments)."""
    return _disbursed_sql(until) > AidItem.value + SQL_TOLERANCE
