"""Computed figures kept in the database, shared by every worker, server and restart.

The in-process memo (app.stats.cache) keeps a page's figures under the revisions of the
tables they read; every gunicorn worker, each app server and each restart computed them once
more (seconds at national scale, issue 15). Here the same results are also stored in the
table `stats_figures` under the same key, so whichever process computes first serves all.

Never stale, for the reason the memo is not (app.stats.cache): a result is stored only under
the revisions read before its rows were loaded, and only if they had not moved once loaded;
the triggers move the revisions in the writer's own transaction, with a random token, so two
processes that read the same revisions see the same committed rows. The key also holds the
code that computed the result (code_version(): a digest of the registry's Python sources and
the versions of Python and RESULT_LIBRARIES, read at a process's first use), so a
deployment with other rules never reads figures of the old ones (deployments stop the
services first: README).

The payload is a pickle (the comparison is a DataFrame, the notes a dataclass) signed with
HMAC-SHA256 under the app's SECRET_KEY: a row written by anything else than this code (a
hand-made INSERT, a restored backup of another installation) fails the check and is ignored,
never unpickled. (In development the key is the public DEV_SECRET_KEY: there the store is as
trusted as the local database; production refuses to start without a random key.) A row
that cannot be read for any reason is a miss: the figures are computed.

Writes go through a connection of their own, in a transaction of their own (a page view
commits nothing of its request; a writing request on SQLite, which holds the write lock,
stores nothing), and give up rather than wait: SQLite's busy timeout is cut
to WRITE_WAIT_MS for that write (an import holding the write lock must not hold up the page),
PostgreSQL's lock_timeout likewise. The table keeps the newest MAX_ROWS results.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import platform
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

log = logging.getLogger(__name__)

# Libraries whose behaviour shapes a stored result or its pickle (frames, country names).
RESULT_LIBRARIES = ("pandas", "numpy", "pycountry", "babel", "sqlalchemy")
MAX_ROWS = 256  # a few years of pages, JSON reports and key figures, with their past keys
WRITE_WAIT_MS = 250
MISSING = object()


class StatsFigures(db.Model):
    """One computed result: its key's digest, the signed pickle, when it was stored."""

    __tablename__ = "stats_figures"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    signature: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)


@cache
def code_version() -> str:
    """A digest of the registry's Python sources and of the versions of Python and
    RESULT_LIBRARIES."""
    hasher = hashlib.blake2b(digest_size=16)
    versions = [platform.python_version()] + [_version(name) for name in RESULT_LIBRARIES]
    hasher.update(" ".join(versions).encode())
    root = Path(__file__).resolve().parent.parent  # app/
    for path in sorted(root.rglob("*.py")):
        hasher.update(str(path.relative_to(root)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def enabled() -> bool:
    return bool(current_app.config.get("STATS_SHARED_FIGURES", True))


def _key(key) -> str:
    return hashlib.sha256(repr((code_version(), key)).encode()).hexdigest()


def _sign(key: str, payload: bytes) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, key.encode() + payload, hashlib.sha256).hexdigest()


def recall(connection, key):
    """The result stored under `key` (the name, arguments and input revisions), or MISSING.

    On PostgreSQL the read runs in a savepoint: a failed statement (the table not yet
    migrated, a timeout) would otherwise abort the request's transaction, and every later
    query of the page with it."""
    digest = _key(key)
    try:
        if connection.dialect.name == "postgresql":
            with connection.begin_nested():
                row = _read(connection, digest)
        else:
            row = _read(connection, digest)
        if row is None:
            return MISSING
        payload = bytes(row.payload)
        if not hmac.compare_digest(row.signature, _sign(digest, payload)):
            log.warning("statistics figures %s: bad signature, ignored", digest)
            return MISSING
        return pickle.loads(payload)  # noqa: S301 - signed by this installation (above)
    except Exception:  # an unreadable row is a miss: the figures are computed
        log.warning("statistics figures %s not read", digest, exc_info=True)
        return MISSING


def _read(connection, digest: str):
    return connection.execute(
        sa.select(StatsFigures.payload, StatsFigures.signature).where(StatsFigures.key == digest)
    ).first()


def remember(key, result) -> None:
    """Store `result` under `key` (see remember_all)."""
    remember_all([(key, result)])


def remember_all(entries) -> None:
    """Store each (key, result) of `entries`, in one transaction of its own; best effort
    (never waits past WRITE_WAIT_MS for a lock, never fails the page)."""
    if not entries or _holds_sqlite_write_lock():
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for key, result in entries:
        digest = _key(key)
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        rows.append(
            {
                "key": digest,
                "payload": payload,
                "signature": _sign(digest, payload),
                "created_at": now,
            }
        )
    try:
        with db.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # on the driver's connection: a statement here would begin
                raw.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
            try:
                with connection.begin():
                    if not sqlite:
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {WRITE_WAIT_MS}")
                    for row in rows:
                        _insert(connection, row)
                    _prune(connection)
            finally:
                if sqlite:
                    from app.core.transactions import BUSY_TIMEOUT_MS

                    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except sa.exc.OperationalError:  # locked or busy: the next view stores them
        log.info("statistics figures not stored (database busy)", exc_info=True)
    except sa.exc.SQLAlchemyError:
        log.warning("statistics figures not stored", exc_info=True)


def _holds_sqlite_write_lock() -> bool:
    """A writing request on SQLite holds the write lock from its first query
    (app.core.transactions): a second connection of the same request would wait for it."""
    from app.core.transactions import wants_write_lock

    return db.engine.dialect.name == "sqlite" and wants_write_lock()


def _insert(connection, row: dict) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    connection.execute(insert(StatsFigures).values(**row).on_conflict_do_nothing())


def _prune(connection) -> None:
    """Keep the newest MAX_ROWS results (older keys are of revisions that moved on)."""
    newest = (
        sa.select(StatsFigures.key)
        .order_by(StatsFigures.created_at.desc(), StatsFigures.key)
        .limit(MAX_ROWS)
    )
    connection.execute(sa.delete(StatsFigures).where(StatsFigures.key.not_in(newest)))


def clear() -> None:
    """Remove every stored result (tests)."""
    with db.engine.begin() as connection:
        connection.execute(sa.delete(StatsFigures))
