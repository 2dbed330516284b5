"""Revisions of the statistics' input tables, kept by database triggers (issue 15).

Every table a statistic reads (TRACKED_TABLES: the aid, delegation and organisation tables
and the four people-to-people diplomacy domains') has triggers, created by migration
f5c7e9a1b3d4, that record each insert, update, delete (and, on PostgreSQL, truncate) in the
same transaction as the change. So a change made anywhere (a form, the workbook import, a
fix in raw SQL, another worker or the CLI) moves the revisions when it commits, and a
rolled-back change never does.

- SQLite: one row per table in `stats_revision`; each changed row adds 1 to `revision`
  and draws a new random `token`. SQLite has one writer at a time, so the row adds no
  waiting.
- PostgreSQL: a writer never updates a shared row (that would make every writer of a table
  wait for the others' commits, and an import hold that lock for its whole transaction);
  a statement-level trigger inserts a row into `stats_change` (name, txid, random token)
  for each writing statement, which conflicts with no other
  transaction, so the transaction's own reads see every statement move the revisions too.
  A new row each time, not one row per transaction updated by each statement: PostgreSQL
  keeps a version of a row per update, and an executemany of n rows then cost n² (20 000
  one-row inserts: 3.8 s against 0.26 s; 1 000 000 disbursements never finished). The
  revision of a table is then (rows, sum of their tokens), read with the folded rows of
  `stats_revision` (compact() moves old change rows there past COMPACT_ABOVE).

fingerprint() reads them all in one small query. Two readers that get the same fingerprint
see the same committed rows in every tracked table: each committed change adds to a count
and a random token, and a rolled-back one left nothing visible. The random token also makes
a value that was seen inside a rolled-back transaction, or before a backup was restored,
never come back with other rows behind it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

log = logging.getLogger(__name__)

# The tables the statistics read (the year page, its notes and comparison, the home page's
# key figures, the annual report with its people-to-people diplomacy sections).
# tests/test_stats_precomputed.py checks this list against the tables the loaders actually
# query and the triggers the database has. Migration f5c7e9a1b3d4 has its own copy.
TRACKED_TABLES = (
    "agency",
    "aid_item",
    "aid_sector",
    "association",
    "association_activity",
    "association_activity_country",
    "association_member_count",
    "budget_line",
    "budget_spending",
    "delegation",
    "delegation_member",
    "disbursement",
    "mobilisation_contact",
    "mobilisation_proposal",
    "organization",
    "training_attendance",
    "training_course",
    "training_course_topic",
)

# A second series, "<table>:counted", moved only by changes to rows that can count in a
# statistic or a follow-up alert (migration b7e9a1c3d5f6; why each rule is safe:
# docs/decisions.md). The statistics and the alert lists are kept by it, so drafting (a new
# dossier, a new donor, a member of a draft delegation) keeps their figures.
COUNTED_TABLES = ("aid_item", "aid_sector", "delegation", "delegation_member", "organization")
COUNTED = ":counted"
# Every series the triggers move: a table's plain series, and the counted ones.
SERIES = frozenset(TRACKED_TABLES) | {f"{t}{COUNTED}" for t in COUNTED_TABLES}

COMPACT_ABOVE = 10_000  # PostgreSQL change rows before they are folded into stats_revision


class StatsRevision(db.Model):
    """One row per tracked table: SQLite's counter, PostgreSQL's folded change rows."""

    __tablename__ = "stats_revision"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    token: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class StatsChange(db.Model):
    """PostgreSQL: one row per writing statement on a tracked table (unused on SQLite)."""

    __tablename__ = "stats_change"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    txid: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    token: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


def counted(tables) -> tuple[str, ...]:
    """The series that keep results reading `tables` only through rows that can count: the
    counted series of COUNTED_TABLES, the plain one of the others."""
    return tuple(f"{t}{COUNTED}" if t in COUNTED_TABLES else t for t in tables)


def trigger_names(dialect: str) -> dict[str, tuple[str, ...]]:
    """{table: its trigger names} as migrations f5c7e9a1b3d4 and b7e9a1c3d5f6 create them."""
    names: dict[str, tuple[str, ...]] = {}
    for t in TRACKED_TABLES:
        if dialect == "sqlite":
            ops = ("ins", "upd", "del")
            plain = tuple(f"stats_rev_{t}_{op}" for op in ops)
            extra = tuple(f"stats_rev_{t}_counted_{op}" for op in ops)
        else:
            plain = (f"stats_change_{t}",)
            extra = tuple(f"stats_change_{t}_counted_{op}" for op in ("ins", "upd", "del", "trunc"))
        names[t] = plain + (extra if t in COUNTED_TABLES else ())
    return names


def installed_triggers(connection) -> set[str]:
    """The names of the revision triggers the database has."""
    return {row[0] for row in connection.execute(sa.text(_TRIGGERS[connection.dialect.name]))}


_TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats_rev_%'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
    "AND tgname LIKE 'stats_change_%'",
}
# One statement: the revisions, and how many triggers exist (a migration that rebuilds a
# table on SQLite drops its triggers; then fingerprint() says None and the pages fall back
# to loading and hashing the rows).
_FINGERPRINT = {
    "sqlite": "SELECT name, revision, token FROM stats_revision UNION ALL "
    "SELECT '#triggers', count(*), 0 FROM sqlite_master "
    "WHERE type = 'trigger' AND name LIKE 'stats_rev_%'",
    "postgresql": "SELECT name, revision, token FROM stats_revision UNION ALL "
    "SELECT '+' || name, count(*), sum(token) FROM stats_change GROUP BY name UNION ALL "
    "SELECT '#triggers', count(*), 0 FROM pg_trigger WHERE NOT tgisinternal "
    "AND tgname LIKE 'stats_change_%'",
}


def fingerprint(connection) -> tuple | None:
    """The revisions of every tracked table, in one query; None when a trigger is missing
    (or on a database without them)."""
    dialect = connection.dialect.name
    if dialect not in _FINGERPRINT:
        return None
    rows = connection.execute(sa.text(_FINGERPRINT[dialect]))
    values = tuple(sorted((name, int(rev), int(token or 0)) for name, rev, token in rows))
    triggers = next(rev for name, rev, _ in values if name == "#triggers")
    expected = sum(len(names) for names in trigger_names(dialect).values())
    if triggers != expected:
        log.warning("statistics revision triggers: %s of %s", triggers, expected)
        return None
    if dialect == "postgresql":
        changes = sum(rev for name, rev, _ in values if name.startswith("+"))
        if changes > COMPACT_ABOVE:
            compact(connection.engine)
    return values


def covering(fingerprint: tuple, series) -> tuple:
    """The rows of a fingerprint that cover `series` (table names, or counted series from
    counted(); PostgreSQL's change rows are named "+<series>")."""
    return tuple(row for row in fingerprint if row[0].lstrip("+") in series)


def compact(engine) -> None:
    """PostgreSQL: fold the committed change rows into stats_revision, in a transaction of
    its own (best effort: a failure leaves the rows for the next time). The folded
    fingerprint differs from the unfolded one, so the next view computes once more."""
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "WITH gone AS (DELETE FROM stats_change RETURNING name, token), "
                    "folded AS (SELECT name, count(*) AS n, sum(token) AS s "
                    "FROM gone GROUP BY name) "
                    "UPDATE stats_revision r SET revision = r.revision + f.n, "
                    "token = ((r.token::numeric + f.s) % 9223372036854775807)::bigint "
                    "FROM folded f WHERE r.name = f.name"
                )
            )
    except sa.exc.SQLAlchemyError:
        log.warning("statistics change rows not compacted", exc_info=True)
