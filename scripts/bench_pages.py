"""Page timings over HTTP beside hand-written SQL (used by scripts/bench).

The registry is served in this process (werkzeug `make_server` in a thread, one request at
a time), a real HTTP client (requests) signs in with the form's CSRF token and keeps the
session cookie, and a SQLAlchemy event listener on the app's engine counts the statements
each request runs. Beside each page, the SQL a person would write by hand for the same rows
runs on a DB-API connection of its own (sqlite3 or psycopg), in the same run.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "demo12345"  # noqa: S105 - the demo and bench accounts
SLOW_BUDGET_S = 90.0  # a page slower than this per run is repeated fewer times (min 3)


@dataclass
class Timing:
    median_ms: float
    runs: int
    queries: int | None = None
    status: int | None = None
    size: int | None = None
    samples: list[float] = field(default_factory=list)


class Server:
    """The app on 127.0.0.1 (a free port) in a daemon thread; counts SQL statements."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.statements = 0
        with app.app_context():
            from app.extensions import db

            self.engine = db.engine
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        self.httpd = make_server("127.0.0.1", 0, app, threaded=False)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _count(self, *_args, **_kwargs):
        self.statements += 1

    def close(self) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)
        sa.event.remove(self.engine, "before_cursor_execute", self._count)
        self.engine.dispose()


def sign_in(base_url: str, username: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/dang-nhap", timeout=60)
    token = CSRF_RE.search(page.text).group(1)
    answer = session.post(
        f"{base_url}/dang-nhap",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {username} answered {answer.status_code}")
    return session


def get_file(session, base_url: str, path: str):
    """GET path; a long list export answers with its job's page (issue 15, item 4): then
    wait for the job's file and download it. The last response (the file or the page)."""
    answer = session.get(f"{base_url}{path}", timeout=900, allow_redirects=False)
    if answer.status_code not in (302, 303) or "/danh-sach/" not in answer.headers["Location"]:
        return answer
    job = answer.headers["Location"].split("://", 1)[-1]
    job = job[job.index("/") :] if "://" in answer.headers["Location"] else job
    deadline = time.perf_counter() + 900
    while True:
        answer = session.get(f"{base_url}{job}/tep", timeout=900, allow_redirects=False)
        if answer.status_code != 404 or time.perf_counter() > deadline:
            return answer
        time.sleep(0.1)


def time_page(session, server: Server, path: str, repeat: int = 7) -> Timing:
    """Median wall time of GET path (body read; a list export's file when it becomes a
    background job) after one warm-up, and its statements."""

    def once():
        before = server.statements
        started = time.perf_counter()
        answer = get_file(session, server.url, path)
        body = answer.content
        return time.perf_counter() - started, server.statements - before, answer, len(body)

    warm, _, _, _ = once()
    runs = repeat if warm * repeat <= SLOW_BUDGET_S else max(3, int(SLOW_BUDGET_S // warm))
    samples, queries, answer, size = [], 0, None, 0
    for _ in range(runs):
        seconds, queries, answer, size = once()
        samples.append(seconds * 1000)
    return Timing(statistics.median(samples), runs, queries, answer.status_code, size, samples)


def time_raw(connect: Callable, work: Callable, repeat: int = 7) -> Timing:
    """Median wall time of work(cursor) on a DB-API connection, after one warm-up."""
    connection = connect()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        work(cursor)
        warm = time.perf_counter() - started
        runs = repeat if warm * repeat <= SLOW_BUDGET_S else max(3, int(SLOW_BUDGET_S // warm))
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            work(cursor)
            samples.append((time.perf_counter() - started) * 1000)
        connection.rollback()
    finally:
        connection.close()
    return Timing(statistics.median(samples), runs, samples=samples)


def dbapi_connect(url: str) -> Callable:
    """A factory of plain DB-API connections to the database at url."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        return lambda: sqlite3.connect(parsed.database)
    import psycopg

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return lambda: psycopg.connect(conninfo)


def run_sql(cursor, sql: str, params: dict | None = None) -> list:
    """Execute `sql` written with :name parameters on either driver; all rows."""
    if type(cursor).__module__.startswith("psycopg"):
        sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql.replace("%", "%%"))
    cursor.execute(sql, params or {})
    return cursor.fetchall()


@dataclass
class Page:
    key: str
    label: str
    user: str
    path: str
    raw: Callable | None  # raw(cursor) -> rows, the hand-written SQL of the same rows
    note: str = ""


def measure(pages: list[Page], server: Server, connect: Callable, repeat: int, log=print):
    """[(page, registry Timing, raw Timing or None)], signing in once per user."""
    sessions: dict[str, requests.Session] = {}
    results = []
    for page in pages:
        if page.user not in sessions:
            sessions[page.user] = sign_in(server.url, page.user)
        registry = time_page(sessions[page.user], server, page.path, repeat)
        raw = time_raw(connect, page.raw, repeat) if page.raw else None
        log(
            f"  {page.label}: {registry.median_ms:.1f} ms, {registry.queries} q, "
            f"HTTP {registry.status}" + (f"; raw {raw.median_ms:.2f} ms" if raw else "")
        )
        results.append((page, registry, raw))
    return results
