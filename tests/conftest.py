"""Test harness: one database per run (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
built with the real migrations and the demo agencies/users, then one rolled-back
transaction per test. HTTP tests log in through the real form with CSRF."""

import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db as _db

pytest_plugins = ["tests.fixtures.orgs", "tests.fixtures.aid", "tests.fixtures.delegations"]

DEMO_PASSWORD = "demo12345"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _test_database_url(tmp_root: Path, suffix: str = "") -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / f'registry-test{suffix}.db'}"
    if suffix:
        url = sa.engine.make_url(url)
        url = url.set(database=f"{url.database}{suffix}")
        return url.render_as_string(hide_password=False)
    return url


def reset_database(url: str) -> None:
    """An empty database at `url` (PostgreSQL: drop and recreate; SQLite: a new file)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def build_app(url: str, upload_dir: str, **overrides):
    """An app on a fresh database: migrations, communes, demo agencies and users."""
    from app import demo
    from app.core.communes import load_communes

    reset_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": upload_dir,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            # tests/test_stats_shared.py turns it on for committed data (app.config)
            "STATS_SHARED_FIGURES": False,
            **overrides,
        }
    )
    with app.app_context():
        upgrade()
        load_communes()
        demo.load(records=False)
        _db.session.commit()
        _db.session.remove()
    return app


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="registry-tests-") as root:
        yield Path(root)


@pytest.fixture(scope="session")
def app(tmp_root):
    app = build_app(_test_database_url(tmp_root), str(tmp_root / "uploads"))
    yield app
    with app.app_context():
        _db.engine.dispose()


class _TestSession(scoped_session):
    """The test's session, shared with the requests it makes.

    Flask-SQLAlchemy removes the session when each request's app context ends; here that
    only expires the loaded objects (as a commit would), so the test can keep using them.
    The fixture closes the session for real.
    """

    def remove(self):
        if self.registry.has():
            self.registry().expire_all()


@pytest.fixture
def db(app):
    """The database inside one transaction, rolled back after the test.

    Services and views commit as usual; their commits release savepoints inside the outer
    transaction, so nothing outlives the test. No app context stays pushed: each request
    gets its own (and its own `g`), as in production; use `app_ctx` for service calls
    that need current_app.
    """
    with app.app_context():
        connection = _db.engine.connect()
    outer = connection.begin()
    original = _db.session
    # A plain SQLAlchemy session bound to the connection (Flask-SQLAlchemy's own Session
    # would pick the engine and escape the outer transaction).
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    _db.session = _TestSession(factory)
    try:
        yield _db
    finally:
        scoped_session.remove(_db.session)
        _db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def app_ctx(app, db):
    """An app context for service tests that need current_app (make no requests in it)."""
    with app.app_context():
        yield


class WebClient:
    """A Flask test client that logs in through the form and sends the CSRF token."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def csrf_token(self, url="/dang-nhap") -> str:
        page = self.client.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = self.csrf_token("/dang-nhap")
        response = self.client.post(
            "/dang-nhap", data={"csrf_token": token, "username": username, "password": password}
        )
        self._token = None
        return response

    def logout(self):
        return self.post("/dang-xuat")

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            if self._token is None:
                self._token = self.csrf_token("/")
            data["csrf_token"] = self._token
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def web(app, db):
    """A logged-out web client; call web.login('planning.officer')."""
    with app.test_client() as client:
        yield WebClient(client)


@pytest.fixture
def login(app, db):
    """login('police.officer') -> a WebClient already logged in as that demo user."""
    clients = []

    def _login(username: str) -> WebClient:
        client = app.test_client()
        clients.append(client)
        web = WebClient(client)
        response = web.login(username)
        assert response.status_code == 302, f"login as {username} failed"
        return web

    return _login


@pytest.fixture
def user(db):
    """user('planning.officer') -> the demo User row."""
    from app.auth.models import User

    def _user(username: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == username))

    return _user


# --- Browser journeys ---------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_app(tmp_root):
    """A second app on its own database, for a server the browser talks to."""
    app = build_app(
        _test_database_url(tmp_root, "_e2e"),
        str(tmp_root / "uploads-e2e"),
        STATS_SHARED_FIGURES=True,  # as in production: a real server, committed data
    )
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_app):
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser_login(page, base_url):
    def _login(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{base_url}/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        return page

    return _login


def signed_in(browser, base_url, username: str, viewport: dict | None = None):
    """A new browser page in Vietnamese (at `viewport`, else the default size), signed in
    as a demo user and on the home page."""
    from playwright.sync_api import expect

    options = {"locale": "vi-VN", **({"viewport": viewport} if viewport else {})}
    page = browser.new_context(**options).new_page()
    page.goto(f"{base_url}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    return page


def open_menu(page, name: str):
    """Open a navigation dropdown once Bootstrap's script has run (the page may be drawn
    before the script at the end of the body is loaded)."""
    page.wait_for_load_state("load")
    toggle = page.get_by_role("button", name=name)
    toggle.click()
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return page.locator("#mainnav")
