"""The flask commands, production settings and the migrations."""

import os
import re
import secrets
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import request

from app import create_app
from app.auth.models import User
from app.config import DEV_SECRET_KEY, ConfigError, load_config, secret_key_problem, shannon_entropy
from app.core.permissions import anyone, requires

# TESTING keeps background jobs immediate (a production app would switch the shared queue).
IN_MEMORY = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}
RANDOM_KEY = "9f2c4e7a1b8d3f60a5c2e9b7d4f1a3c8e6b0d2f4a7c9e1b3d5f7a9c2e4b6d8f0"


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", RANDOM_KEY)
    app = create_app(IN_MEMORY)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


@pytest.mark.parametrize(
    "key",
    [
        "changeme-changeme-changeme",
        "x" * 40,
        "short-but-random-9f2c",
        "abcabcabcabcabcabcabcabcabcabc",
        "my-super-secret-key-for-production-2026",
        "0123456789" * 2 + "0123",
        DEV_SECRET_KEY,
    ],
)
def test_production_refuses_weak_secrets(monkeypatch, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError):
        create_app(IN_MEMORY)


def test_generated_secrets_are_accepted():
    for _ in range(200):
        assert secret_key_problem(secrets.token_hex(32)) is None
        assert secret_key_problem(secrets.token_urlsafe(32)) is None
    assert secret_key_problem(RANDOM_KEY) is None
    assert "placeholder" in secret_key_problem("changeme-changeme-changeme")
    assert round(shannon_entropy("aabb"), 3) == 1.0


def test_development_defaults_for_the_new_settings(app):
    assert app.config["PROXY_FIX"] == 0
    assert app.config["PREFERRED_URL_SCHEME"] == "http"
    assert app.config["BACKUP_DIR"] is None
    assert app.config["BACKUP_MAX_AGE_HOURS"] == 26
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True


def test_settings_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("REMEMBER_DAYS", "7")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_USER", "3")
    monkeypatch.setenv("PROXY_FIX", "1")
    monkeypatch.setenv("BACKUP_DIR", "/srv/backups")
    config = load_config()
    assert config["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)
    assert config["LOGIN_MAX_FAILURES_USER"] == 3
    assert config["PROXY_FIX"] == 1
    assert config["BACKUP_DIR"] == "/srv/backups"


def test_proxy_fix_makes_the_client_address_and_https_visible(monkeypatch):
    monkeypatch.setenv("PROXY_FIX", "1")
    app = create_app(IN_MEMORY)
    seen = {}

    @app.get("/_probe")
    @requires(anyone)
    def probe():
        seen.update(ip=request.remote_addr, scheme=request.scheme)
        return "ok"

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/_probe", headers=headers).status_code == 200
    assert seen == {"ip": "203.0.113.7", "scheme": "https"}
    monkeypatch.setenv("PROXY_FIX", "0")  # without it the headers are not trusted
    plain = create_app(IN_MEMORY)
    plain.add_url_rule("/_probe", view_func=probe)
    plain.test_client().get("/_probe", headers=headers)
    assert seen == {"ip": "127.0.0.1", "scheme": "http"}


# --- flask doctor --------------------------------------------------------------------------


def doctor_lines(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = {}
    for line in result.output.splitlines():
        if match := re.match(r"\[\w+ *\] (\w+)", line):
            lines[match.group(1)] = line
    return result, lines


def test_doctor_lists_what_development_lacks(app, db):
    result, lines = doctor_lines(app)
    assert result.exit_code == 1
    assert lines["mode"].startswith("[FAIL]") and "APP_ENV" in lines["mode"]
    assert lines["secret"].startswith("[FAIL]") and "token_hex" in lines["secret"]
    assert lines["https"].startswith("[FAIL]")
    assert lines["jobs"].startswith("[FAIL]") and "HUEY_IMMEDIATE" in lines["jobs"]
    assert lines["backups"].startswith("[WARN]")
    assert lines["uploads"].startswith("[OK")
    assert "problem(s) to fix" in result.output


def test_doctor_passes_a_complete_production_setup(app, db, monkeypatch, tmp_path):
    from app import cli

    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "registry-2026-12-01.dump").write_bytes(b"x")
    for name, value in {
        "APP_ENV": "production",
        "SECRET_KEY": RANDOM_KEY,
        "PREFERRED_URL_SCHEME": "https",
        "SESSION_COOKIE_SECURE": True,
        "PROXY_FIX": 1,
        "BACKUP_DIR": str(backups),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setattr(cli, "_jobs_immediate", lambda: False)
    monkeypatch.setattr(cli, "_worker_running", lambda: True)
    result, lines = doctor_lines(app)
    on_postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert all(line.startswith("[OK") for name, line in lines.items() if name != "database"), (
        result.output
    )
    if on_postgresql:  # the test database is migrated to the head
        assert lines["database"].startswith("[OK") and result.exit_code == 0
        assert "Ready for production." in result.output
    else:
        assert lines["database"].startswith("[FAIL]") and result.exit_code == 1


def test_doctor_finds_old_backups_unwritable_uploads_and_no_worker(app, db, monkeypatch, tmp_path):
    from app import cli

    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "registry.dump"
    old.write_bytes(b"x")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(backups))
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))
    monkeypatch.setattr(cli, "_jobs_immediate", lambda: False)
    monkeypatch.setattr(cli, "_worker_running", lambda: False)
    result, lines = doctor_lines(app)
    assert result.exit_code == 1
    assert lines["backups"].startswith("[FAIL]") and "48 h old" in lines["backups"]
    assert lines["uploads"].startswith("[FAIL]") and "not writable" in lines["uploads"]
    assert lines["jobs"].startswith("[WARN]")
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "missing"))
    assert "does not exist" in doctor_lines(app)[1]["backups"]
    (tmp_path / "empty").mkdir()
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "empty"))
    assert "No backup" in doctor_lines(app)[1]["backups"]


def test_doctor_runs_in_production_with_a_weak_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "changeme-changeme-changeme")
    monkeypatch.setattr(sys, "argv", ["flask", "doctor"])
    app = create_app(IN_MEMORY)  # starts, to report it
    result, lines = doctor_lines(app)
    assert result.exit_code == 1 and "placeholder" in lines["secret"]


def test_demo_load_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo", "load", "--no-records"])
    assert result.exit_code == 1
    assert "production" in result.output


def test_demo_logins_listed(app):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert "planning.officer" in result.output and "admin" in result.output


def test_demo_users_exist_with_password(db):
    from app.demo import DEMO_PASSWORD, demo_logins

    usernames = [name for name, _ in demo_logins()]
    users = db.session.scalars(sa.select(User).where(User.username.in_(usernames))).all()
    assert len(users) == len(usernames) == 17  # admin, 8 agencies' officers and viewers
    assert all(u.check_password(DEMO_PASSWORD) for u in users[:2])
    assert {u.username for u in users} >= {"police.officer", "leadership.viewer", "other.officer"}


def test_users_create_command(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "Quan.Tri",
            "--full-name",
            "Quản trị 2",
            "--agency",
            "Trung tâm CNTT",
            "--password",
            "mat-khau-dai",
        ],
    )
    assert result.exit_code == 0, result.output
    created = db.session.scalar(sa.select(User).where(User.username == "quan.tri"))
    assert created.role == "admin" and created.agency.name == "Trung tâm CNTT"
    again = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "quan.tri",
            "--full-name",
            "X",
            "--agency",
            "Trung tâm CNTT",
            "--password",
            "mat-khau-dai",
        ],
    )
    assert again.exit_code != 0 and "đã tồn tại" in again.output


def test_migrations_match_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.core.text import include_in_autogenerate
    from app.extensions import db

    # SQLite's FTS5 text search tables (migration d3a5c7e9f1b2) and their shadow tables are
    # no models: left out exactly as migrations/env.py leaves them out.
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_in_autogenerate}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, db.metadata) == []


def test_delegation_members_are_versioned(app_ctx, db):
    from app.delegations.models import DelegationMember

    assert DelegationMember.__mapper__.version_id_col is DelegationMember.__table__.c.version
    column = DelegationMember.__table__.c.version
    assert column.nullable is False


def test_postgresql_connections_run_without_jit(app_ctx, db):
    """Each PostgreSQL connection turns JIT off (its compile time is paid per statement);
    a connection option given explicitly is kept."""
    url = "postgresql+psycopg://u@localhost/x"
    config = load_config({"SQLALCHEMY_DATABASE_URI": url})
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"options": "-c jit=off"}
    mine = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3, "connect_args": {"options": "-c a=b"}}}
    kept = load_config({"SQLALCHEMY_DATABASE_URI": url, **mine})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert kept == {"pool_size": 3, "connect_args": {"options": "-c a=b"}}
    assert "SQLALCHEMY_ENGINE_OPTIONS" not in load_config({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    if db.engine.dialect.name == "postgresql":
        assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"


def test_flask_db_check_finds_nothing_to_migrate(app):
    """The models and the migrations agree as `flask db check` sees them (SQLite's FTS5
    tables, which no model declares, included)."""
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
