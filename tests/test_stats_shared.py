"""Statistics computed once for every process (issue 15, item 5): the figures one process
computes are kept in the database (app.stats.shared) under the revisions they were read at,
so another worker, another app server or a restarted process shows them with a few small
queries; a counted change is never served from there; a row this installation did not sign,
or figures of other code, are ignored; the job worker warms the current years.

These tests commit (a store written by one process is read by another): each cleans up
after itself. The test app has the store off (tests/conftest.py); they turn it on."""

import pickle
import time
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.stats import cache, report, services, shared
from app.transfer import jobs
from tests.conftest import WebClient
from tests.test_stats_precomputed import (
    Y,
    count_statements,
    delete_delegations,
    insert_delegation,
    uncached,
    without_time,
)


@pytest.fixture
def store_on(app, monkeypatch):
    """The shared store on, empty, and this process's memo empty (a fresh process)."""
    monkeypatch.setitem(app.config, "STATS_SHARED_FIGURES", True)
    with app.app_context():
        shared.clear()
    forget()
    yield
    with app.app_context():
        shared.clear()
        _db.session.remove()


@pytest.fixture
def delegations(app):
    """Commit counted delegations of Y in plain SQL (another connection); removed after."""
    codes = []

    def add(count: int = 1) -> None:
        with app.app_context(), _db.engine.begin() as other:
            for _ in range(count):
                codes.append(f"SHR-{uuid.uuid4().hex[:8]}")
                insert_delegation(other, codes[-1])

    yield add
    with app.app_context():
        delete_delegations(codes)


def forget() -> None:
    """What a new worker or a restarted server has in memory: nothing."""
    cache.figures.clear()
    services.notes_cache.clear()


def rules_run(monkeypatch) -> list:
    runs = []
    original = report.aid_section
    monkeypatch.setattr(report, "aid_section", lambda *a, **k: runs.append(1) or original(*a, **k))
    return runs


def stored_rows(app) -> int:
    with app.app_context():
        count = _db.session.execute(sa.select(sa.func.count()).select_from(shared.StatsFigures))
        result = count.scalar_one()
        _db.session.remove()
        return result


def incoming(app) -> int:
    with app.app_context():
        result = services.year_page(Y).report["delegations"]["incoming"]["count"]
        _db.session.remove()
        return result


def test_figures_computed_by_one_process_serve_another(app, store_on, delegations, monkeypatch):
    delegations(2)
    before = incoming(app)
    # the report's 3 parts, the comparison and its 3 daily totals, the notes
    assert stored_rows(app) == 8
    forget()
    runs = rules_run(monkeypatch)

    def view():
        with app.app_context():
            page = services.year_page(Y)
            expected = uncached(Y)
            assert without_time(page.report) == expected
            assert list(without_time(page.report)) == list(expected)  # the spec's key order
            _db.session.remove()

    statements = count_statements(app, view)
    figures_reads = [s for s in statements if "stats_figures" in s]
    # the report's three parts, the comparison, the notes (uncached() loads on its own)
    assert len(figures_reads) == 5
    assert runs == [1]  # uncached() only: the page's rules did not run
    assert incoming(app) == before


def test_a_counted_change_is_never_served_from_the_store(app, store_on, delegations):
    delegations()
    before = incoming(app)
    delegations()  # committed by another connection
    forget()
    assert incoming(app) == before + 1
    with app.app_context():
        assert without_time(services.year_page(Y).report) == uncached(Y)
        _db.session.remove()


def test_a_row_this_installation_did_not_sign_is_ignored(app, store_on, delegations, monkeypatch):
    delegations()
    before = incoming(app)
    forged = pickle.dumps({"delegations": {"incoming": {"count": 999}}})
    with app.app_context(), _db.engine.begin() as other:
        other.execute(sa.update(shared.StatsFigures).values(payload=forged))
    forget()
    runs = rules_run(monkeypatch)
    assert incoming(app) == before
    assert runs == [1]  # computed again, the forged row never unpickled


def test_figures_of_other_code_are_not_read(app, store_on, delegations, monkeypatch):
    delegations()
    incoming(app)
    forget()
    monkeypatch.setattr(shared, "code_version", lambda: "another deployment")
    runs = rules_run(monkeypatch)
    incoming(app)
    assert runs == [1]


def test_a_failed_read_of_the_store_leaves_the_page_whole(app, store_on, delegations, monkeypatch):
    """The table not yet migrated, a timeout: a miss. On PostgreSQL a failed statement
    aborts its transaction, so the read runs in a savepoint and the page's own loads go on."""
    delegations()
    before = incoming(app)
    forget()

    def broken(connection, digest):
        return connection.execute(sa.text("SELECT * FROM no_such_table")).first()

    monkeypatch.setattr(shared, "_read", broken)
    with app.app_context():
        page = services.year_page(Y)
        assert page.report["delegations"]["incoming"]["count"] == before
        assert without_time(page.report) == uncached(Y)
        _db.session.remove()


def test_the_store_keeps_the_newest_results(app, store_on, monkeypatch):
    monkeypatch.setattr(shared, "MAX_ROWS", 3)
    with app.test_request_context("/"):  # a page view (GET)
        for number in range(5):
            shared.remember(("test", number), {"n": number})
        connection = _db.session.connection()
        kept = [shared.recall(connection, ("test", n)) for n in range(5)]
        _db.session.remove()
    assert kept[:2] == [shared.MISSING, shared.MISSING]
    assert kept[2:] == [{"n": 2}, {"n": 3}, {"n": 4}]


def test_a_busy_database_leaves_the_page_unhurt(app, store_on):
    """Another transaction holds the row (PostgreSQL) or the write lock (SQLite): the page
    does not wait past the store's short wait, nothing fails, nothing is stored."""
    key = ("busy", uuid.uuid4().hex)
    with app.test_request_context("/"):
        holder = _db.engine.connect()
        transaction = holder.begin()
        holder.execute(
            sa.insert(shared.StatsFigures).values(
                key=shared._key(key), payload=b"x", signature="x", created_at=datetime(2026, 1, 1)
            )
        )
        try:
            started = time.monotonic()
            shared.remember(key, {"n": 1})
            assert time.monotonic() - started < 2
        finally:
            transaction.rollback()
            holder.close()
        assert shared.recall(_db.session.connection(), key) is shared.MISSING
        _db.session.remove()


def test_a_writing_request_on_sqlite_stores_nothing(app, store_on):
    """A POST on SQLite holds the write lock from its first query: a second connection of
    the same request would wait for it, so the figures are only kept in memory."""
    key = ("post", uuid.uuid4().hex)
    with app.test_request_context("/", method="POST"):
        shared.remember(key, {"n": 1})
        found = shared.recall(_db.session.connection(), key)
        sqlite = _db.engine.dialect.name == "sqlite"
        _db.session.remove()
    if sqlite:
        assert found is shared.MISSING
    else:
        assert found == {"n": 1}


def test_the_worker_warms_the_current_years(app, store_on, delegations, monkeypatch):
    """The periodic task computes the year pages and key figures; the first view after
    that, in any process, runs no rules."""
    delegations()
    queue = jobs._queue()[0]
    due = queue.read_periodic(datetime(2026, 12, 4, 9, 17))  # every minute
    assert "warm_statistics" in {task.name for task in due}
    monkeypatch.setattr(services, "current_year", lambda: Y)
    monkeypatch.setattr(jobs, "_worker_app", lambda: app)
    jobs._warm_statistics()
    assert stored_rows(app) == 2 * (8 + 1 + 3)  # Y and Y-1: the page's 8, key figures with 3
    forget()
    runs = rules_run(monkeypatch)
    with app.test_client() as client:
        web = WebClient(client)
        assert web.login("leadership.viewer").status_code == 302
        page = web.get(f"/thong-ke/{Y}")
        assert page.status_code == 200
        assert runs == []
        statements = count_statements(app, lambda: web.get(f"/thong-ke/{Y - 1}"))
        assert runs == []
        assert len([s for s in statements if "stats_figures" in s]) == 5


def test_the_warm_command(app, store_on, delegations):
    delegations()
    result = app.test_cli_runner().invoke(args=["report", "warm", "--year", str(Y)])
    assert result.exit_code == 0, result.output
    assert f"Statistics {Y}: kept" in result.output
    assert stored_rows(app) == 8 + 1 + 3  # the page's 8, the key figures and their 3 totals
    bad = app.test_cli_runner().invoke(args=["report", "warm", "--year", "1800"])
    assert bad.exit_code != 0 and "năm phải từ" in bad.output
