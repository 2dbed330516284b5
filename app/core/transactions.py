"""SQLite connections and transactions: concurrent writers wait their turn, never fail.

SQLite in WAL mode lets readers work alongside one writer. A transaction that begins by
reading (plain BEGIN) cannot later take the write lock if another connection committed in
the meantime: SQLite answers "database is locked" at once, and the busy timeout does not
help. So on SQLite a request that may write (any method but GET, HEAD, OPTIONS; logins
included) begins its transactions with BEGIN IMMEDIATE: it takes the write lock first and
queues for it (fairly, see _begin_immediate), up to the busy timeout. A GET that writes
(an audited export) and loses that race is run once more from the start, holding the write
lock from its first query.

PostgreSQL needs none of this: its row locks make concurrent writers wait.
"""

import random
import sqlite3
import time
from functools import wraps

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL, foreign keys and a busy timeout for SQLite; transactions driven by SQLAlchemy.

    pysqlite's own transaction handling breaks SAVEPOINT (used by nested transactions and
    the tests' per-test rollback), so we turn it off and emit BEGIN ourselves.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def wants_write_lock() -> bool:
    """True in a request that may write: its transactions take SQLite's write lock first."""
    if not has_request_context():
        return False
    return request.method not in SAFE_METHODS or g.get("_sqlite_write_lock", False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # Only top-level transactions come here; savepoints (the tests' nested transactions)
    # stay inside the outer one.
    if conn.dialect.name != "sqlite":
        return
    if wants_write_lock():
        _begin_immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn) -> None:
    """BEGIN IMMEDIATE, tried again every few milliseconds up to the busy timeout.

    SQLite's own busy handler backs off to 100 ms sleeps, so a writer that has waited long
    keeps losing the lock to newcomers that poll faster (50 logins at once starved some
    past 15 s). Polling at one short pace, every waiter has the same chance each time the
    lock is released.
    """
    raw = conn.connection.dbapi_connection
    raw.execute("PRAGMA busy_timeout=0")
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    try:
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if not _locked(error) or time.monotonic() > deadline:
                    raise
            time.sleep(random.uniform(0.001, 0.004))  # noqa: S311 - jitter, not secrets
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _locked(error: OperationalError) -> bool:
    return isinstance(error.orig, sqlite3.OperationalError) and "database is locked" in str(
        error.orig
    )


def _lost_write_race(error: OperationalError) -> bool:
    return (
        _locked(error) and request.method in SAFE_METHODS and not g.get("_sqlite_write_lock", False)
    )


def retry_with_write_lock(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except OperationalError as error:
            if not _lost_write_race(error):
                raise
            from app.extensions import db

            db.session.rollback()
            current_app.logger.info("%s: run again with the write lock", request.path)
            g._sqlite_write_lock = True
            return view(*args, **kwargs)

    return wrapper


def init_app(app: Flask) -> None:
    """Call after the blueprints are registered: wraps every view for the GET retry."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retry_with_write_lock(view)
