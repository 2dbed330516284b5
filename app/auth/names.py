"""The name an agency had on a day (issue 11): records, decisions and exports show the
name of the agency on the record's date, from the former names kept at each rename
(AgencyName). The former names of every agency are read once per request (a handful of
rows), so a list of records costs one query, not one per agency."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import g, has_app_context

from app.auth.models import Agency, AgencyName
from app.core.dates import VN_TZ
from app.extensions import db

Periods = dict[int, list[tuple[date | None, date, str]]]


def _former_names() -> Periods:
    """agency id -> (used from, used until, name) of its former names, per request."""
    cached = g.get("_agency_former_names") if has_app_context() else None
    if cached is not None:
        return cached
    periods: Periods = {}
    for agency_id, used_from, used_until, name in db.session.execute(
        sa.select(
            AgencyName.agency_id, AgencyName.used_from, AgencyName.used_until, AgencyName.name
        ).order_by(AgencyName.used_until)
    ):
        periods.setdefault(agency_id, []).append((used_from, used_until, name))
    if has_app_context():
        g._agency_former_names = periods
    return periods


def forget_former_names() -> None:
    """After a rename: the next name looked up reads the former names again."""
    if has_app_context():
        g.pop("_agency_former_names", None)


def as_day(when: date | datetime | None) -> date | None:
    """A record's date: a timestamp counts by its day in Vietnam."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(ZoneInfo(VN_TZ)).date()
    return when


def agency_name_on(agency: Agency | None, when: date | datetime | None) -> str:
    """The agency's name on that day (its current name when the day is unknown)."""
    if agency is None:
        return ""
    day = as_day(when)
    if day is None:
        return agency.name
    for used_from, used_until, name in _former_names().get(agency.id, ()):
        if day < used_until and (used_from is None or day >= used_from):
            return name
    return agency.name
