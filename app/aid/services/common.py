"""What the aid writes share: the VND value of an amount, the checks of a step's data, and
saving a row with its audit entry."""

from decimal import Decimal

from app.core import audit, validation
from app.core.errors import FieldError
from app.core.money import to_vnd
from app.extensions import db


def vnd_value(amount: Decimal, currency: str, rate_vnd: Decimal | None) -> int:
    """Whole đồng, rounded half up: round(amount × rate) (spec/annual-report.md)."""
    return to_vnd(amount, None if currency == "VND" else rate_vnd)


def given(value, field: str, message: str) -> None:
    """A value the step needs (text, a date, a choice)."""
    if not value:
        raise FieldError(field, message)


def check(*rules: tuple) -> None:
    """Run every (rule, *args); report all broken ones at once (FieldError, 422)."""
    validation.raise_all(validation.collect(*rules))


def saved(row, action: str, *, user, summary: str, changes: dict | None = None):
    """The row added and flushed (so it has its id), with its audit entry; returns it."""
    db.session.add(row)
    db.session.flush()
    audit.record(action, row, user=user, summary=summary, changes=changes)
    return row
