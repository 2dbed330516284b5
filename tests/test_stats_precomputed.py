"""Statistics reused by input revisions (issue 15, item 5): the database's triggers move the
revisions of every table the statistics read, in the writer's own transaction, so the
figures change at once after a write made through the ORM, in raw SQL or by another
connection, a rolled-back write leaves nothing behind, and a view with no change in between
costs one small query. The reused figures are those of a computation without the cache."""

import os
import threading
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util

from app.aid.models import Disbursement
from app.aid.states import AidStatus
from app.auth.models import Agency
from app.demo_records import build_workbook
from app.extensions import db as _db
from app.stats import cache, loaders, report, revisions, services
from app.transfer.importer import import_workbook

Y = 2025  # make_item approves on 25/03/2025 and starts on 01/04/2025
OWN = {"stats_revision", "stats_change", "sqlite_master", "pg_trigger"}


def without_time(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "generated_at"}


def uncached(year: int) -> dict:
    """The report computed from freshly loaded rows, without any cache."""
    frames = loaders.load_frames(_db.session.connection(), year)
    return without_time(report.annual_report(frames, year, people=services.people_input(year)))


def disbursed(year: int = Y) -> int:
    return services.year_page(year).report["aid"]["disbursed"]["value_vnd"]


def incoming(year: int = Y) -> int:
    return services.year_page(year).report["delegations"]["incoming"]["count"]


@pytest.fixture
def running(make_item):
    """An item running since 2025 with a disbursement of 2 000 000 đ on 10/04/2025."""
    item = make_item("PRE-1", status=AidStatus.DANG_THUC_HIEN)
    _db.session.add(
        Disbursement(
            aid_item_id=item.id,
            disbursed_on=date(Y, 4, 10),
            amount=Decimal(2_000_000),
            currency="VND",
            value_vnd=2_000_000,
        )
    )
    _db.session.commit()
    return item


def count_statements(app, func) -> list[str]:
    statements = []
    with app.app_context():
        engine = _db.engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    harness = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")
    return [s for s in statements if not s.lstrip().upper().startswith(harness)]


# --- The triggers cover what the statistics read --------------------------------------------


def tables_read(func) -> set[str]:
    """The tables of every statement `func` runs (the revisions' own queries left out)."""
    read: set[str] = set()

    def before(conn, clause, multiparams, params, options):
        if isinstance(clause, str):
            return
        for table in sql_util.find_tables(
            clause, include_aliases=True, include_joins=True, include_selects=True
        ):
            table = getattr(table, "element", table)  # an alias of a table
            if isinstance(table, sa.Table):
                read.add(table.name)

    cache.figures.clear()
    services.notes_cache.clear()
    sa.event.listen(_db.engine, "before_execute", before)
    try:
        func()
    finally:
        sa.event.remove(_db.engine, "before_execute", before)
    return read - OWN


def test_every_table_the_statistics_read_has_its_triggers(app_ctx, db, running):
    def everything():
        for year in (Y - 1, Y):
            services.annual_report(year)
            services.year_page(year)
            services.key_figures(year)
            services.cached_annual_report(year)

    assert tables_read(everything) == set(revisions.TRACKED_TABLES)
    names = revisions.trigger_names(db.engine.dialect.name)
    expected = {name for table in revisions.TRACKED_TABLES for name in names[table]}
    assert revisions.installed_triggers(db.session.connection()) == expected
    assert revisions.fingerprint(db.session.connection()) is not None


def test_each_use_case_is_kept_by_the_tables_it_reads(app_ctx, db, running):
    assert tables_read(lambda: services.comparison(Y)) <= set(services.TOTALS_TABLES)
    assert tables_read(lambda: services.key_figures(Y)) <= set(services.TOTALS_TABLES)
    assert tables_read(lambda: services.year_notes(Y)) <= set(services.NOTES_TABLES)
    assert tables_read(lambda: services.cached_annual_report(Y)) <= set(services.REPORT_TABLES)
    connection = db.session.connection()
    parts = [
        (services.AID_TABLES, lambda: loaders.load_aid_frames(connection, Y)),
        (services.DELEGATION_TABLES, lambda: loaders.load_delegation_frames(connection, Y)),
        (services.PEOPLE_TABLES, lambda: services.people_input(Y)),
    ]
    for name, tables, load in loaders.TOTALS_PARTS:  # the daily totals' parts
        parts.append((tables, lambda load=load: load(connection, Y - 5, Y)))
        assert set(tables) <= set(services.TOTALS_TABLES), name
    for tables, load in parts:
        assert tables_read(load) <= set(tables)


def test_a_new_donor_keeps_the_comparison_and_notes(app_ctx, db, running):
    services.year_page(Y)
    assert count_queries(lambda: services.year_page(Y)) == 1  # all kept
    db.session.execute(
        sa.text(
            "INSERT INTO organization (code, name, search_text, kind, country, created_at, "
            "updated_at, version) VALUES ('PRE-ORG', 'Org', 'org', 'ngo', 'DE', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
        )
    )
    db.session.commit()
    assert count_queries(lambda: services.year_page(Y)) == 1  # nobody refers to it: kept
    db.session.execute(sa.text("UPDATE organization SET name = 'Org 2' WHERE code = 'PRE-ORG'"))
    db.session.commit()
    statements = count_queries(lambda: services.year_page(Y))
    # the revisions twice, the loads of the report's aid part (5) and people part (11);
    # its delegation part (which reads no organisation), the comparison and notes kept
    assert statements == 1 + 5 + 11 + 1


def test_a_disbursement_reloads_only_what_reads_disbursements(app_ctx, db, running):
    """The report's delegation part and the approvals' and delegations' daily totals are
    kept; the aid part, the people part (mobilisation counts disbursements), the
    disbursed totals and the notes are loaded again."""
    services.year_page(Y)
    db.session.execute(sa.text("UPDATE disbursement SET value_vnd = value_vnd + 1"))
    db.session.commit()
    statements = queries_run(lambda: services.year_page(Y))
    assert len(statements) == 1 + 5 + 11 + 1 + 2 + 1
    loaded = " ".join(statements)
    assert "FROM delegation" not in loaded and "decision_date, aid_item.status" not in loaded
    assert services.year_page(Y).report["aid"]["disbursed"]["value_vnd"] == 2_000_001


def queries_run(func) -> list[str]:
    """The statements `func` runs (the tests' own savepoints left out)."""
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", before)
    harness = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")
    return [s for s in statements if not s.lstrip().upper().startswith(harness)]


def count_queries(func) -> int:
    return len(queries_run(func))


# --- Never stale ------------------------------------------------------------------------------


def test_a_write_through_the_orm_changes_the_figures_at_once(app_ctx, db, running):
    assert disbursed() == 2_000_000
    assert disbursed() == 2_000_000  # from the revisions
    db.session.add(
        Disbursement(
            aid_item_id=running.id,
            disbursed_on=date(Y, 6, 1),
            amount=Decimal(3_000_000),
            currency="VND",
            value_vnd=3_000_000,
        )
    )
    db.session.commit()
    assert disbursed() == 5_000_000
    assert without_time(services.year_page(Y).report) == uncached(Y)


def test_a_fix_in_raw_sql_changes_the_figures_at_once(app_ctx, db, running):
    assert disbursed() == 2_000_000
    db.session.execute(
        sa.text("UPDATE disbursement SET value_vnd = 7000000 WHERE aid_item_id = :id"),
        {"id": running.id},
    )
    db.session.commit()
    assert disbursed() == 7_000_000
    db.session.execute(
        sa.text("DELETE FROM disbursement WHERE aid_item_id = :id"), {"id": running.id}
    )
    db.session.commit()
    assert disbursed() == 0
    assert services.key_figures(Y)["disbursed_vnd"] == 0
    assert without_time(services.year_page(Y).report) == uncached(Y)


def insert_delegation(connection, code: str, status: str = "da_duyet") -> None:
    """A counted incoming delegation starting on 10/05 of Y, in plain SQL."""
    agency = connection.execute(sa.select(sa.func.min(Agency.id))).scalar_one()
    now = datetime.now(UTC)
    connection.execute(
        sa.text(
            "INSERT INTO delegation (code, direction, title, search_text, purpose, status, "
            "country, start_on, end_on, author_agency_id, is_border_area, is_late_request, "
            "created_at, updated_at, version) VALUES (:code, 'vao', 'Đoàn', :search, 'khao_sat', "
            ":status, 'LA', :start, :end, :agency, :no, :no2, :now, :now2, 1)"
        ),
        {
            "code": code,
            "search": code.lower(),
            "status": status,
            "start": date(Y, 5, 10),
            "end": date(Y, 5, 12),
            "agency": agency,
            "no": False,
            "no2": False,
            "now": now,
            "now2": now,
        },
    )


def delete_delegations(codes) -> None:
    with _db.engine.begin() as connection:
        connection.execute(
            sa.text("DELETE FROM delegation WHERE code IN :codes").bindparams(
                sa.bindparam("codes", expanding=True)
            ),
            {"codes": list(codes)},
        )


def test_a_change_committed_by_another_connection_is_seen_at_once(app):
    """Another worker, the CLI or a psql session: committed on its own connection."""
    code = f"PRE-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        try:
            before = incoming()
            _db.session.rollback()  # each request is a transaction of its own
            assert incoming() == before
            _db.session.rollback()
            with _db.engine.begin() as other:
                insert_delegation(other, code)
            assert incoming() == before + 1
            _db.session.rollback()
            assert without_time(services.year_page(Y).report) == uncached(Y)
        finally:
            _db.session.rollback()
            delete_delegations([code])
            _db.session.remove()
        assert incoming() == before
        _db.session.remove()


def test_a_rolled_back_write_leaves_no_revision_and_its_figures_are_never_served(app):
    first, second = (f"PRE-{uuid.uuid4().hex[:8]}" for _ in range(2))
    with app.app_context():
        try:
            base = revisions.fingerprint(_db.session.connection())
            before = incoming()
            _db.session.rollback()
            # A transaction writes, reads its own figures (stored under its own revisions),
            # then rolls back.
            insert_delegation(_db.session.connection(), first)
            assert revisions.fingerprint(_db.session.connection()) != base
            assert incoming() == before + 1
            _db.session.rollback()
            assert revisions.fingerprint(_db.session.connection()) == base
            assert incoming() == before
            _db.session.rollback()
            # The same number of changed rows again, one that counts in no figure: the
            # revision counts are those of the rolled-back write, its random token is not.
            with _db.engine.begin() as other:
                insert_delegation(other, second, status="tu_choi")
            assert revisions.fingerprint(_db.session.connection()) != base
            assert incoming() == before
        finally:
            _db.session.rollback()
            delete_delegations([first, second])
            _db.session.remove()


# --- Bounded work -----------------------------------------------------------------------------


def test_a_view_with_no_change_costs_one_small_query(app, login, running):
    web = login("leadership.viewer")
    assert web.get(f"/thong-ke/{Y}").status_code == 200
    statements = count_statements(app, lambda: web.get(f"/thong-ke/{Y}"))
    revision_reads = [s for s in statements if "stats_revision" in s]
    assert len(revision_reads) == 1
    # the user, the revisions, the notifications badge, the year's documents
    assert len(statements) == 4, statements
    web.get("/")
    home = count_statements(app, lambda: web.get("/"))
    assert len([s for s in home if "stats_revision" in s]) == 1
    download = count_statements(app, lambda: web.get(f"/thong-ke/{Y}/bao-cao.json"))
    assert len(download) == 2, download  # the user, the revisions


def test_a_write_elsewhere_reloads_but_reuses_the_rules(app, login, running, monkeypatch):
    """A new donor nobody refers to counts nowhere: the figures stay kept. An edit of the
    running item's objectives moves its counted revision: the rows are loaded again, and
    the rules do not run again since no loaded row changed (the digest step)."""
    runs = []
    original = report.aid_section
    monkeypatch.setattr(report, "aid_section", lambda *a, **k: runs.append(1) or original(*a, **k))
    cache.figures.clear()
    web = login("leadership.viewer")
    web.get(f"/thong-ke/{Y}")
    planner = login("planning.officer")
    created = planner.post(
        "/to-chuc/moi", {"code": "PRE-NEW", "name": "Donor", "kind": "ngo", "country": "DE"}
    )
    assert created.status_code == 302
    assert len(count_statements(app, lambda: web.get(f"/thong-ke/{Y}"))) == 4  # kept
    with app.app_context():
        _db.session.execute(sa.text("UPDATE aid_item SET objectives = 'x' WHERE code = 'PRE-1'"))
        _db.session.commit()
    statements = count_statements(app, lambda: web.get(f"/thong-ke/{Y}"))
    assert len(statements) > 10  # loaded again
    assert runs == [1]
    assert len(count_statements(app, lambda: web.get(f"/thong-ke/{Y}"))) == 4


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only: SQLite has one writer at a time (runs in .ci/run's PostgreSQL pass)",
)
def test_writers_of_a_table_do_not_wait_for_each_other_on_postgresql(app):
    """PostgreSQL: the triggers insert a row per writing statement; no shared row is locked."""
    with app.app_context():
        engine = _db.engine
        assert engine.dialect.name == "postgresql"
        codes = [f"PRE-{uuid.uuid4().hex[:8]}" for _ in range(2)]
        try:
            with engine.connect() as first, engine.connect() as second:
                one = first.begin()
                insert_delegation(first, codes[0])  # not committed yet
                two = second.begin()
                second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                insert_delegation(second, codes[1])  # would wait on a shared counter row
                two.commit()
                one.commit()
            with engine.connect() as reader:
                rows = reader.exec_driver_sql(
                    "SELECT count(*) FROM stats_change WHERE name = 'delegation'"
                ).scalar_one()
            assert rows >= 2
        finally:
            delete_delegations(codes)


def test_concurrent_views_and_writes_never_store_stale_figures(app):
    """Views while another thread commits delegations one by one: every view after the
    last commit shows all of them."""
    codes = [f"PRE-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    with app.app_context():
        base = incoming()
        _db.session.remove()
    errors = []

    def viewer():
        with app.app_context():
            try:
                for _ in range(8):
                    incoming()
                    _db.session.rollback()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                _db.session.remove()

    try:
        thread = threading.Thread(target=viewer)
        thread.start()
        for code in codes:
            with app.app_context(), _db.engine.begin() as other:
                insert_delegation(other, code)
        thread.join()
        assert not errors
        with app.app_context():
            assert incoming() == base + len(codes)
            _db.session.remove()
    finally:
        with app.app_context():
            delete_delegations(codes)


# --- Same figures as without the cache ----------------------------------------------------------


@pytest.mark.parametrize("seed", [None, 11, 23])
def test_figures_equal_a_computation_without_the_cache(app_ctx, db, user, seed):
    """The demo workbook (seed None) and generated ones, every year with records."""
    book = build_workbook() if seed is None else build_workbook(seed=seed)
    assert import_workbook(book, "book.xlsx", user("admin")).ok
    db.session.commit()
    counted = 0
    for year in range(2020, 2027):
        for _ in range(2):  # computed, then from the revisions
            page = services.year_page(year)
            assert without_time(page.report) == uncached(year)
            totals = loaders.load_totals(db.session.connection(), year - 5, year)
            pd.testing.assert_frame_equal(
                page.comparison, report.yearly_figures(totals, range(year - 5, year + 1))
            )
            assert page.notes == services.year_notes(year)
            figures = services.key_figures(year)
            one_year = loaders.load_totals(db.session.connection(), year, year)
            assert figures == report.key_figures_from(one_year, year)
            assert without_time(services.cached_annual_report(year)) == uncached(year)
        counted += page.report["aid"]["approved"]["count"]
    assert counted > 0


def test_downgrade_removes_the_tables_and_triggers(tmp_path):
    """The migration's downgrade on a database of its own (SQLite file or PostgreSQL)."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_path, "_stats_down")
    reset_database(url)
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        connection = _db.engine.connect()
        assert revisions.fingerprint(connection) is not None
        connection.close()
        downgrade(revision="e4b6d8f0a2c3")
        inspector = sa.inspect(_db.engine)
        assert "stats_revision" not in inspector.get_table_names()
        with _db.engine.connect() as connection:
            assert revisions.installed_triggers(connection) == set()
        upgrade()
        with _db.engine.connect() as connection:
            assert revisions.fingerprint(connection) is not None
        _db.engine.dispose()


def test_each_writing_statement_moves_the_revisions_without_rewriting_a_row(app):
    """Each statement of a writing transaction moves the revisions its own reads see, and
    PostgreSQL's trigger adds a change row per statement instead of updating one row per
    transaction (n updates of one row cost n² row versions: an executemany of 1 000 000
    disbursements never finished)."""
    codes = [f"WTX-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    with app.app_context():
        try:
            before = incoming()
            connection = _db.session.connection()
            seen = [revisions.fingerprint(connection)]
            for code in codes:
                insert_delegation(connection, code)
                seen.append(revisions.fingerprint(connection))
                assert incoming() == before + len(seen) - 1
            assert len(set(seen)) == len(seen)  # every statement moved them
            if connection.dialect.name == "postgresql":
                rows = connection.execute(
                    sa.text(
                        "SELECT count(*), count(DISTINCT token) FROM stats_change "
                        "WHERE name = 'delegation' AND txid = txid_current()"
                    )
                ).one()
                assert tuple(rows) == (len(codes), len(codes))  # a row each, none rewritten
        finally:
            _db.session.rollback()
            delete_delegations(codes)
            _db.session.remove()
