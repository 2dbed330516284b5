"""`flask` commands: users, reference data, demo data, the production check."""

import os
import sys
import tempfile
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db


def init_app(app: Flask) -> None:
    from app.auth.cli import agencies_cli
    from app.stats.cli import report_cli

    app.cli.add_command(report_cli)
    app.cli.add_command(agencies_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(doctor)


@click.group("users", cls=AppGroup, help="Users.")
def users_cli():
    pass


@users_cli.command("create", help="Create a user (the first administrator, for example).")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--agency", "agency_name", required=True, help="Agency name (created if missing).")
@click.option(
    "--kind",
    default="other",
    show_default=True,
    type=click.Choice(["planning", "foreign_affairs", "police", "finance", "leadership", "other"]),
    help="Agency kind, used only when the agency is created.",
)
@click.option(
    "--role", default="admin", show_default=True, type=click.Choice(["admin", "officer", "viewer"])
)
@click.password_option("--password", help="Prompted (twice) when not given.")
def create_user(username, full_name, agency_name, kind, role, password):
    from app.auth import services
    from app.auth.models import AgencyKind, Role, User

    if len(password) < 8:
        raise click.ClickException("Mật khẩu phải có ít nhất 8 ký tự.")
    if db.session.scalar(db.select(User.id).where(User.username == username.lower())):
        raise click.ClickException(f"Tên đăng nhập '{username}' đã tồn tại.")
    agency = services.ensure_agency(agency_name, AgencyKind(kind))
    services.create_user(
        {
            "username": username.lower(),
            "full_name": full_name,
            "email": None,
            "agency_id": agency.id,
            "role": Role(role),
            "active": True,
        },
        password,
    )
    db.session.commit()
    click.echo(f"Created user {username.lower()} ({role}) in {agency.name}.")


@click.group("reference", cls=AppGroup, help="Reference data from packages.")
def reference_cli():
    pass


@reference_cli.command(
    "load", help="Load or refresh communes; mark the listed border communes (keeps admins' flags)."
)
def reference_load():
    from app.core.communes import load_communes, mark_border_communes

    created, updated = load_communes()
    marked = mark_border_communes()
    db.session.commit()
    click.echo(
        f"Communes: {created} created, {updated} updated, {marked} marked as border communes "
        "(app/core/data/border_communes.csv).",
        err=True,
    )


@click.group("demo", cls=AppGroup, help="Demo data for trying the registry.")
def demo_cli():
    pass


@demo_cli.command("load")
@click.option("--no-records", is_flag=True, help="Only agencies and demo users, no records.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the registry has users.")
def demo_load(no_records, if_empty):
    """Create the demo agencies and users (password demo12345), idempotently."""
    from app import demo
    from app.auth.models import User
    from app.core.communes import load_communes, mark_border_communes

    if current_app.config["APP_ENV"] == "production":
        click.echo("Từ chối: không nạp dữ liệu mẫu trong môi trường production.", err=True)
        sys.exit(1)
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("Registry already has users: demo data not loaded again.", err=True)
        return
    load_communes()
    mark_border_communes()
    summary = demo.load(records=not no_records)
    db.session.commit()
    click.echo(summary, err=True)
    if not no_records:
        from app.demo_records import build_workbook
        from app.transfer.importer import import_workbook

        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        report = import_workbook(build_workbook(), "du-lieu-mau.xlsx", admin)
        if not report.ok:  # the generator and the reader disagree: a bug, say it loudly
            db.session.rollback()
            for issue in report.errors[:20]:
                click.echo(f"  {issue}", err=True)
            raise click.ClickException("Demo records could not be imported.")
        db.session.commit()
        click.echo(f"Demo records: {report.summary()}", err=True)


@demo_cli.command("logins")
def demo_logins():
    """Print the demo logins (all with the password demo12345)."""
    from app import demo

    click.echo(f"Tài khoản dùng thử (mật khẩu: {demo.DEMO_PASSWORD}):")
    for username, description in demo.demo_logins():
        click.echo(f"  {username:<26} {description}")


@click.group("data", cls=AppGroup, help="The registry workbook (spec/interchange.md).")
def data_cli():
    pass


def _print_issues(issues, stream_err=True, limit=None):
    for issue in issues[:limit]:
        click.echo(f"  {issue}", err=stream_err)


@data_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and count only; write nothing.")
@click.option(
    "--user",
    "username",
    default="admin",
    show_default=True,
    help="The user the import is recorded under (audit log).",
)
def data_import(path, dry_run, username):
    """Import a registry workbook (.xlsx, or .csv for one sheet): all or nothing."""
    from pathlib import Path

    from app.auth.models import User
    from app.transfer.importer import import_workbook

    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"Không có người dùng '{username}'.")
    report = import_workbook(Path(path).read_bytes(), Path(path).name, user, max_bytes=10**12)
    if report.warnings:
        click.echo(f"{len(report.warnings)} cảnh báo:", err=True)
        _print_issues(report.warnings)
    if not report.ok:
        db.session.rollback()
        click.echo(f"{len(report.errors)} lỗi, không ghi dữ liệu nào:", err=True)
        _print_issues(report.errors)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(f"Kiểm tra xong (không ghi): {report.summary()}")
        return
    db.session.commit()
    for sheet, counts in report.counts.items():
        click.echo(
            f"{sheet}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {counts.replaced} replaced"
        )


@data_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def data_export(path):
    """Export the whole registry, personal data included (operators only)."""
    from pathlib import Path

    from app.core import audit
    from app.transfer import TransferAudit
    from app.transfer.exporter import export_workbook

    Path(path).write_bytes(export_workbook(include_personal=True))
    audit.record(
        TransferAudit.EXPORT,
        object_type="export",
        object_id=Path(path).name,
        username="cli",
        summary=f"Xuất toàn bộ dữ liệu (có dữ liệu cá nhân) ra {path}",
    )
    db.session.commit()
    click.echo(f"Wrote {path}", err=True)


@data_cli.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def data_template(path):
    """Write an empty registry workbook with instructions and allowed values."""
    from pathlib import Path

    from app.transfer.exporter import template_workbook

    Path(path).write_bytes(template_workbook())
    click.echo(f"Wrote {path}", err=True)


# --- flask doctor: what a production deployment still lacks ---------------------------------

OK, WARN, FAIL = "OK", "WARN", "FAIL"


def _check_mode(config):
    if config["APP_ENV"] != "production":
        return FAIL, "APP_ENV is development: set APP_ENV=production."
    return OK, "APP_ENV=production."


def _check_secret(config):
    from app.config import secret_key_problem

    problem = secret_key_problem(config["SECRET_KEY"])
    if problem:
        generate = "python -c 'import secrets; print(secrets.token_hex(32))'"
        return FAIL, f"{problem} Generate one: {generate}"
    return OK, "SECRET_KEY is long and random."


def _check_database(config):
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    if db.engine.url.get_backend_name() != "postgresql":
        return FAIL, "The database is not PostgreSQL: set DATABASE_URL=postgresql+psycopg://..."
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # any failure to connect is the finding
        return FAIL, f"Cannot reach the database: {type(error).__name__}: {error}"
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    if current != heads:
        return FAIL, "The database schema is not up to date: run flask db upgrade."
    return OK, "PostgreSQL reachable, schema up to date."


def _check_uploads(config):
    folder = Path(config["UPLOAD_DIR"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as error:
        return FAIL, f"UPLOAD_DIR {folder} is not writable: {error.strerror or error}."
    return OK, f"UPLOAD_DIR {folder} is writable."


def _check_store(config):
    from app.core.stores import StoreError, store_for

    try:
        return OK, f"ATTACHMENT_STORE={config.get('ATTACHMENT_STORE')}: {store_for().check()}"
    except StoreError as error:
        return FAIL, f"ATTACHMENT_STORE={config.get('ATTACHMENT_STORE')}: {error}"


def _check_backups(config):
    folder = config.get("BACKUP_DIR")
    if not folder:
        return WARN, "BACKUP_DIR is not set: cannot tell whether backups are made."
    folder = Path(folder)
    if not folder.is_dir():
        return FAIL, f"BACKUP_DIR {folder} does not exist."
    files = [p for p in folder.rglob("*") if p.is_file()]
    if not files:
        return FAIL, f"No backup in {folder}."
    newest = max(files, key=lambda p: p.stat().st_mtime)
    age_hours = (time.time() - newest.stat().st_mtime) / 3600
    limit = config["BACKUP_MAX_AGE_HOURS"]
    if age_hours > limit:
        return FAIL, f"Newest backup {newest.name} is {age_hours:.0f} h old (limit {limit} h)."
    return OK, f"Newest backup {newest.name} is {age_hours:.1f} h old."


def _check_https(config):
    if config.get("PREFERRED_URL_SCHEME") != "https" or not config.get("SESSION_COOKIE_SECURE"):
        return FAIL, "Not set up for HTTPS: PREFERRED_URL_SCHEME=https and secure cookies."
    if not config.get("PROXY_FIX"):
        return FAIL, (
            "PROXY_FIX=0: behind nginx set PROXY_FIX=1 (trust its X-Forwarded-For/-Proto), "
            "or client addresses (login throttling, audit) are the proxy's."
        )
    return OK, f"HTTPS with {config['PROXY_FIX']} trusted proxy(ies) (ProxyFix)."


def _worker_running() -> bool:
    """A job worker process on this machine (huey's consumer)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"huey_consumer" in cmdline.read_bytes() and cmdline.parent.name != str(os.getpid()):
                return True
        except OSError:
            continue
    return False


def _jobs_immediate() -> bool:
    """Whether background jobs run inside the request (no worker), as the app decided."""
    from app.transfer.jobs import huey

    return bool(huey.immediate)


def _check_jobs(config):
    if _jobs_immediate():
        return FAIL, (
            "Background jobs run inside web requests (HUEY_IMMEDIATE): set HUEY_IMMEDIATE=0 "
            "for the web app and the worker, and start scripts/worker."
        )
    if not _worker_running():
        return WARN, "No job worker (huey_consumer) seen on this machine: is one running?"
    return OK, "Background jobs go to a running worker."


DOCTOR_CHECKS = [
    ("mode", _check_mode),
    ("secret", _check_secret),
    ("database", _check_database),
    ("uploads", _check_uploads),
    ("store", _check_store),
    ("backups", _check_backups),
    ("https", _check_https),
    ("jobs", _check_jobs),
]


@click.command("doctor")
@with_appcontext
def doctor():
    """Check what a production deployment lacks; exit 1 when something is missing."""
    config = current_app.config
    failures = 0
    for name, check in DOCTOR_CHECKS:
        status, message = check(config)
        failures += status == FAIL
        click.echo(f"[{status:<4}] {name:<9} {message}")
    if failures:
        click.echo(f"{failures} problem(s) to fix before production.", err=True)
        sys.exit(1)
    click.echo("Ready for production.", err=True)
