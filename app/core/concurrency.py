"""Optimistic locking: a stale form is refused, never silently applied."""

from app.core.errors import StaleObjectError


def check_version(obj, submitted_version: int | None) -> None:
    """Refuse the edit if the record changed since the form was rendered."""
    if submitted_version is None or submitted_version != obj.version:
        raise StaleObjectError()
