"""Optimistic locking: a stale form is refused, never silently applied; and the row lock a
check over a record's children needs."""

from app.core.errors import StaleObjectError
from app.extensions import db


def check_version(obj, submitted_version: int | None) -> None:
    """Refuse the edit if the record changed since the form was rendered."""
    if submitted_version is None or submitted_version != obj.version:
        raise StaleObjectError()


def lock_row(model, row_id: int) -> None:
    """Hold a record's row until the commit, so that a check over its children (a total
    against a limit) cannot be raced by a concurrent writer: SELECT … FOR UPDATE on
    PostgreSQL. SQLite needs nothing more: a request that may write holds the database's
    write lock from its first statement (app/core/transactions.py)."""
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update())
