"""Concurrent writes never fail: 50 users log in and post forms at the same moment against
gunicorn with 4 workers, on a real database file (SQLite, WAL) or PostgreSQL
(TEST_DATABASE_URL, own database `<name>_conc`). No response may be a 500."""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.conftest import CSRF_RE, DEMO_PASSWORD, _test_database_url, build_app

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
# Several users per account, so the same account logs in many times at once.
ACCOUNTS = ("planning.officer", "foreign_affairs.officer", "admin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A minimal HTTP client with a cookie jar that does not follow redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            conn.close()

    def token(self, path: str) -> str:
        status, page = self.request("GET", path)
        match = CSRF_RE.search(page)
        assert status == 200 and match, f"no form on {path} ({status})"
        return match.group(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn -w 4 on its own database with the demo users; yields (port, url)."""
    root = tmp_path_factory.mktemp("concurrency")
    url = _test_database_url(root, "_conc")
    app = build_app(url, str(root / "uploads"))
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "UPLOAD_DIR": str(root / "uploads"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stderr=open(root / "gunicorn.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).request("GET", "/dang-nhap")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (root / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        yield port, url, root / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_together(count: int, step) -> list:
    """Run step(i, barrier) in `count` threads; each waits at the barrier before its burst."""
    barrier = threading.Barrier(count, timeout=120)
    results: list = [None] * count

    def target(i):
        try:
            results[i] = step(i, barrier)
        except Exception as error:  # a crash in a thread is a result to report
            results[i] = error
            barrier.abort()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def test_fifty_simultaneous_logins_and_form_posts_never_fail(server):
    port, url, log = server
    browsers = [Browser(port) for _ in range(USERS)]

    def login(i, barrier):
        token = browsers[i].token("/dang-nhap")
        data = {"csrf_token": token, "username": ACCOUNTS[i % 3], "password": DEMO_PASSWORD}
        barrier.wait()
        return browsers[i].request("POST", "/dang-nhap", data)[0]

    def create_donor(i, barrier, number=None):
        number = i if number is None else number
        token = browsers[i].token("/to-chuc/moi")
        data = {"csrf_token": token, "code": f"CONC-{number}", "name": f"Donor {number}"}
        data.update(kind="ngo", country="DE")
        barrier.wait()
        return browsers[i].request("POST", "/to-chuc/moi", data)[0]

    def write_or_export(i, barrier):
        # Half post a second donor, half download the audited export (a GET that writes).
        if i % 2:
            return create_donor(i, barrier, number=i + USERS)
        barrier.wait()
        return browsers[i].request("GET", "/to-chuc/xuat.csv")[0]

    def logout(i, barrier):
        # Logging out ends every session of the account: most of these find theirs ended.
        token = browsers[i].token("/to-chuc/moi")
        barrier.wait()
        return browsers[i].request("POST", "/dang-xuat", {"csrf_token": token})[0]

    started = time.monotonic()
    logins = run_together(USERS, login)
    creates = run_together(USERS, create_donor)
    mixed = run_together(USERS, write_or_export)
    logouts = run_together(USERS, logout)
    elapsed = time.monotonic() - started

    results = logins + creates + mixed + logouts
    errors = [r for r in results if not isinstance(r, int) or r >= 500]
    assert not errors, f"{errors}\n{log.read_text()[-3000:]}"
    assert logins == [302] * USERS
    assert creates == [302] * USERS
    assert mixed == [200 if i % 2 == 0 else 302 for i in range(USERS)]
    assert logouts == [302] * USERS  # to the login page, whether this one ended the session

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        donors = conn.scalar(sa.text("SELECT count(*) FROM organization WHERE code LIKE 'CONC-%'"))
        audited = conn.scalar(sa.text("SELECT count(*) FROM audit_entry WHERE action='auth.login'"))
    engine.dispose()
    assert donors == USERS + USERS // 2
    assert audited == USERS
    assert elapsed < 60, f"took {elapsed:.1f} s"
    assert not re.search(r"database is locked|StaleDataError", log.read_text())


def _running_item(url: str) -> tuple[int, int]:
    """An item being implemented, approved for 1.000.000 VND, in the server's database."""
    from app import create_app
    from app.aid import services
    from app.aid.states import AidStatus
    from app.auth.models import User
    from app.extensions import db
    from tests.fixtures.aid import advance, item_input
    from tests.fixtures.orgs import new_org

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})  # the server's data
    with app.app_context():

        def user(name):
            return db.session.scalar(sa.select(User).where(User.username == name))

        planner = user("planning.officer")
        donor = new_org(db, "CONC-PAY-DONOR")
        item = services.create_item(
            item_input([donor.id], "CONC-PAY", value=1_000_000, currency="VND", rate_vnd=None),
            user=planner,
        )
        advance(item, AidStatus.DANG_THUC_HIEN, planner, db, user)
        db.session.commit()
        item_id, value = item.id, int(item.value)
        db.engine.dispose()
    return item_id, value


def test_simultaneous_payments_never_pass_the_approved_value_unconfirmed(server):
    """Ten officers record a payment of a fifth of the value at the same moment: five are
    stored, the other five are asked to confirm (422), on SQLite and PostgreSQL alike."""
    port, url, log = server
    item_id, value = _running_item(url)
    path = f"/vien-tro/{item_id}/ghi-nhan/giai-ngan"
    browsers = [Browser(port) for _ in range(10)]
    for browser in browsers:
        token = browser.token("/dang-nhap")
        data = {"csrf_token": token, "username": "planning.officer", "password": DEMO_PASSWORD}
        assert browser.request("POST", "/dang-nhap", data)[0] == 302

    def pay(i, barrier):
        token = browsers[i].token(path)
        data = {"csrf_token": token, "disbursed_on": "01/12/2026", "currency": "VND"}
        data["amount"] = f"{value // 5}"
        barrier.wait()
        return browsers[i].request("POST", path, data)[0]

    results = run_together(10, pay)
    assert sorted(results) == [302] * 5 + [422] * 5, f"{results}\n{log.read_text()[-3000:]}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(
            sa.text("SELECT sum(amount) FROM disbursement WHERE aid_item_id = :i"), {"i": item_id}
        )
    engine.dispose()
    assert total == value


# The people-to-people diplomacy budget: spending against the allocation, as payments above.


def _allocated_line(url: str) -> tuple[int, int]:
    """A line of the host agency for 2025, allocated 1.000.000 VND, in the server's data."""
    from datetime import date

    from app import create_app
    from app.auth.models import User
    from app.budget import services
    from app.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():

        def user(name):
            return db.session.scalar(sa.select(User).where(User.username == name))

        line = services.propose(
            {"year": 2025, "proposed_vnd": 1_000_000}, user=user("other.officer")
        )
        services.allocate(line, 1_000_000, "1/QĐ", date(2025, 1, 5), user=user("finance.officer"))
        db.session.commit()
        found = line.id, line.allocated_vnd
        db.engine.dispose()
    return found


def test_simultaneous_spending_never_passes_the_allocation_unconfirmed(server):
    port, url, log = server
    line_id, allocated = _allocated_line(url)
    path = f"/ngan-sach/{line_id}/chi"
    browsers = [Browser(port) for _ in range(10)]
    for browser in browsers:
        token = browser.token("/dang-nhap")
        data = {"csrf_token": token, "username": "other.officer", "password": DEMO_PASSWORD}
        assert browser.request("POST", "/dang-nhap", data)[0] == 302

    def spend(i, barrier):
        token = browsers[i].token(path)
        data = {
            "csrf_token": token,
            "spent_on": "01/06/2025",
            "amount_vnd": f"{allocated // 5}",
            "document_number": f"PC-{i}",
            "description": "Tiếp đoàn",
        }
        barrier.wait()
        return browsers[i].request("POST", path, data)[0]

    results = run_together(10, spend)
    assert sorted(results) == [302] * 5 + [422] * 5, f"{results}\n{log.read_text()[-3000:]}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(
            sa.text("SELECT sum(amount_vnd) FROM budget_spending WHERE line_id = :i"),
            {"i": line_id},
        )
    engine.dispose()
    assert total == allocated


# --- How SQLite transactions begin (own small database, whatever TEST_DATABASE_URL says) ---


@pytest.fixture
def sqlite_app(tmp_path):
    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'tx.db'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def begins(app, method: str | None) -> list[str]:
    """The BEGIN statements of one transaction (with a savepoint) in a request or none."""
    from contextlib import nullcontext

    from app.extensions import db

    statements = []
    with app.app_context():
        engine = db.engine

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        context = app.test_request_context("/", method=method) if method else nullcontext()
        try:
            with context, engine.connect() as conn, conn.begin():
                conn.execute(sa.text("SELECT count(*) FROM t"))
                with conn.begin_nested():
                    conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
    return [s for s in statements if s.startswith(("BEGIN", "SAVEPOINT"))]


def test_write_requests_take_the_write_lock_first(sqlite_app):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert begins(sqlite_app, method) == ["BEGIN IMMEDIATE", "SAVEPOINT sa_savepoint_1"]
    for method in ("GET", "HEAD", None):  # reads, and the CLI / tests outside requests
        assert begins(sqlite_app, method) == ["BEGIN", "SAVEPOINT sa_savepoint_1"]


def test_a_get_that_lost_the_write_race_runs_again_with_the_write_lock(sqlite_app):
    from app.core import permissions as rules
    from app.core.permissions import requires
    from app.core.transactions import retry_with_write_lock
    from app.extensions import db

    runs = []

    @requires(rules.anyone)
    def audited_read():
        count = db.session.scalar(sa.text("SELECT count(*) FROM t"))  # the read snapshot
        if not runs:
            # Another worker commits a write after this transaction's first read...
            with db.engine.connect() as other:
                other.execute(sa.text("INSERT INTO t VALUES (2)"))
                other.commit()
        runs.append(count)
        # ...so this write is refused at once ("database is locked"), whatever the timeout.
        db.session.execute(sa.text("INSERT INTO t VALUES (3)"))
        db.session.commit()
        return str(count)

    sqlite_app.add_url_rule("/race", "race", retry_with_write_lock(audited_read))
    response = sqlite_app.test_client().get("/race")
    assert response.status_code == 200
    assert runs == [0, 1]  # ran again from the start, seeing the other worker's row
    with sqlite_app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM t")) == 2


def test_a_failed_post_is_not_run_twice(sqlite_app):
    from app.core import permissions as rules
    from app.core.permissions import requires
    from app.core.transactions import retry_with_write_lock

    runs = []

    @requires(rules.anyone)
    def locked():
        runs.append(1)
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    sqlite_app.add_url_rule("/locked", "locked", retry_with_write_lock(locked), methods=["POST"])
    sqlite_app.config["WTF_CSRF_ENABLED"] = False
    response = sqlite_app.test_client().post("/locked")
    assert response.status_code == 500 and runs == [1]


def test_a_writer_waits_for_the_lock_instead_of_failing(sqlite_app):
    from app.extensions import db

    with sqlite_app.app_context():
        engine = db.engine
        holder = engine.connect()
        with sqlite_app.test_request_context("/", method="POST"):  # another worker writing
            holder.execute(sa.text("INSERT INTO t VALUES (1)"))
        timer = threading.Timer(0.5, lambda: (holder.commit(), holder.close()))
        timer.start()
        started = time.monotonic()
        with sqlite_app.test_request_context("/", method="POST"), engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO t VALUES (2)"))  # waits, then writes
            conn.commit()
            waited = time.monotonic() - started
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        timer.join()
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM t")) == 2
    assert 0.4 < waited < 5
