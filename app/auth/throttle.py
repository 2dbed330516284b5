"""Login throttling: failed attempts counted in the database, so every web worker sees them.

An account is locked for LOGIN_LOCK_MINUTES once LOGIN_MAX_FAILURES_USER failures fall
within LOGIN_WINDOW_MINUTES; the same for an address with LOGIN_MAX_FAILURES_IP. Only
failures count: an office shares one address, so a correct password is never refused
because of its address (only an account's own lock refuses it). A success or an
administrator's unlock clears the account's count, not the address's.
"""

from datetime import UTC, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import LoginFailure
from app.core.models import utcnow
from app.extensions import db

KEEP_FAILURES = timedelta(days=1)  # the counts need minutes; the audit log keeps history


def _minutes(name: str) -> timedelta:
    return timedelta(minutes=current_app.config[name])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _locked_until(condition, limit: int) -> datetime | None:
    """When the lock ends, or None: locked while the newest of the last `limit` failures
    is younger than the lock time and all `limit` fall within the window."""
    window, lock = _minutes("LOGIN_WINDOW_MINUTES"), _minutes("LOGIN_LOCK_MINUTES")
    now = utcnow()
    times = db.session.scalars(
        sa.select(LoginFailure.at)
        .where(condition, LoginFailure.at > now - window - lock)
        .order_by(LoginFailure.at.desc())
        .limit(limit)
    ).all()
    if limit < 1 or len(times) < limit:
        return None
    newest, oldest = _aware(times[0]), _aware(times[-1])
    if newest - oldest <= window and newest + lock > now:
        return newest + lock
    return None


def account_locked_until(username: str) -> datetime | None:
    return _locked_until(
        sa.and_(LoginFailure.username == username, LoginFailure.cleared.is_(False)),
        current_app.config["LOGIN_MAX_FAILURES_USER"],
    )


def locked_accounts(usernames: list[str]) -> dict[str, datetime]:
    """{username: lock end} for the locked ones among `usernames` (a list page): one query
    finds the accounts with enough recent failures, only those are checked in full."""
    limit = current_app.config["LOGIN_MAX_FAILURES_USER"]
    since = utcnow() - _minutes("LOGIN_WINDOW_MINUTES") - _minutes("LOGIN_LOCK_MINUTES")
    candidates = db.session.scalars(
        sa.select(LoginFailure.username)
        .where(
            LoginFailure.username.in_(usernames),
            LoginFailure.cleared.is_(False),
            LoginFailure.at > since,
        )
        .group_by(LoginFailure.username)
        .having(sa.func.count() >= limit)
    ).all()
    locked = {name: account_locked_until(name) for name in candidates}
    return {name: until for name, until in locked.items() if until is not None}


def address_locked_until(ip: str | None) -> datetime | None:
    if not ip:
        return None
    return _locked_until(LoginFailure.ip == ip, current_app.config["LOGIN_MAX_FAILURES_IP"])


def record_failure(username: str, ip: str | None) -> None:
    now = utcnow()
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - KEEP_FAILURES))
    db.session.add(LoginFailure(at=now, username=username[:80], ip=ip))
    db.session.flush()


def clear_account(username: str) -> int:
    """Forget the account's failures (not the address's); returns how many were cleared."""
    result = db.session.execute(
        sa.update(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.cleared.is_(False))
        .values(cleared=True)
    )
    return result.rowcount


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no-such-user-dummy-password")


def check_unknown_user_password(password: str) -> bool:
    """Spend the time of a real password check, so an unknown name answers as slowly."""
    check_password_hash(_dummy_hash(), password)
    return False
