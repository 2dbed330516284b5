"""Issue 15, the query fixes: indexes the plans use and pages in a bounded number of
statements. Plans are read with the database's own EXPLAIN on the statements the code ran."""

import re

import sqlalchemy as sa

from app.delegations import services as delegation_services
from tests.test_delegations_services import delegation, host  # noqa: F401 (fixtures)


def captured(db, func) -> list[tuple[str, object]]:
    """The statements (with their parameters) that `func` sent, harness lines left out."""
    found = []
    engine = db.session.get_bind().engine

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            found.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return found


def plan(db, statement: str, parameters) -> str:
    """The query plan of one statement as text (PostgreSQL with sequential scans made
    expensive, so that an index the planner can use shows even on small tables)."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    cursor = raw.cursor()
    if connection.dialect.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("EXPLAIN " + statement, parameters)
    text = "\n".join(row[0] for row in cursor.fetchall())
    cursor.execute("SET LOCAL enable_seqscan = on")
    return text


# --- 1. Person search by passport ---------------------------------------------------------


def test_person_search_by_passport_uses_the_passport_index(delegation, host, user, db):  # noqa: F811
    delegation_services.submit_delegation(delegation, user=host)
    police = user("police.officer")
    statements = captured(db, lambda: delegation_services.person_search("m 1234567", user=police))
    search = [(s, p) for s, p in statements if "delegation_member" in s]
    assert len(search) == 1
    assert "ix_delegation_member_passport" in plan(db, *search[0])
    # Found by passport as before, and by name (every word, diacritics ignored).
    found = delegation_services.person_search("m 1234567", user=police)
    assert [m.full_name for m in found] == ["Kim Min-jun"]
    assert [m.full_name for m in delegation_services.person_search("KIM min", user=police)] == [
        "Kim Min-jun"
    ]
    # A user who may not see passports is not searched by passport at all.
    viewer = user("leadership.viewer")
    statements = captured(db, lambda: delegation_services.person_search("M1234567", user=viewer))
    assert not any(re.search(r"passport_number\s*=", s) for s, _p in statements)
