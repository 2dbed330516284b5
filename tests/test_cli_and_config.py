"""The flask commands, production settings and the migrations."""

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import User
from app.config import ConfigError


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


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
    assert len(users) == len(usernames) == 13
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

    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
