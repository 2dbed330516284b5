"""Issue 15: sign-ins of one account at the same moment never collide on the user row.
The login writes last_login_at with a Core UPDATE (no version check, no version bump), so
ten simultaneous sign-ins of the same account against gunicorn -w 4 all succeed on SQLite
and PostgreSQL (TEST_DATABASE_URL, own database `<name>_signin`): StaleDataError was
reported on PostgreSQL when the ORM updated the versioned row."""

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from tests.conftest import DEMO_PASSWORD, _test_database_url, build_app
from tests.test_concurrency import ROOT, Browser, free_port, run_together

SIGN_INS = 10
ACCOUNT = "planning.officer"
VERSION = sa.select(User.__table__.c.version).where(User.__table__.c.username == ACCOUNT)


def test_a_sign_in_leaves_the_user_version_alone(app, db):
    with app.test_request_context("/dang-nhap", method="POST"):
        user = db.session.scalar(sa.select(User).where(User.username == ACCOUNT))
        version = user.version
        auth_services.authenticate(ACCOUNT, DEMO_PASSWORD)
        db.session.flush()
        db.session.expire_all()
        user = db.session.scalar(sa.select(User).where(User.username == ACCOUNT))
        assert user.last_login_at is not None
        assert user.version == version
        db.session.rollback()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn -w 4 on its own database with the demo users; yields (port, url, log)."""
    root = tmp_path_factory.mktemp("signin")
    url = _test_database_url(root, "_signin")
    app = build_app(url, str(root / "uploads"))
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    port = free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url}
    env["UPLOAD_DIR"] = str(root / "uploads")
    command = [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"]
    log = root / "gunicorn.log"
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=open(log, "wb"))  # noqa: SIM115
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).request("GET", "/dang-nhap")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        yield port, url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_ten_simultaneous_sign_ins_of_one_account(server):
    port, url, log = server
    browsers = [Browser(port) for _ in range(SIGN_INS)]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = conn.scalar(VERSION)

    def sign_in(i, barrier):
        token = browsers[i].token("/dang-nhap")
        data = {"csrf_token": token, "username": ACCOUNT, "password": DEMO_PASSWORD}
        barrier.wait()
        return browsers[i].request("POST", "/dang-nhap", data)[0]

    results = run_together(SIGN_INS, sign_in)
    assert results == [302] * SIGN_INS, f"{results}\n{log.read_text()[-3000:]}"
    # Every one of them is signed in (each its own session).
    pages = [b.request("GET", "/to-chuc/")[0] for b in browsers]
    assert pages == [200] * SIGN_INS, log.read_text()[-3000:]
    with engine.connect() as conn:
        logins = conn.scalar(
            sa.text("SELECT count(*) FROM audit_entry WHERE action = 'auth.login'")
        )
        after = conn.scalar(VERSION)
    engine.dispose()
    assert logins == SIGN_INS
    assert after == before  # no sign-in bumped (or checked) the row's version
    assert "StaleDataError" not in log.read_text() and "Traceback" not in log.read_text()
