"""`flask` commands: users, reference data, demo data."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db


def init_app(app: Flask) -> None:
    from app.stats.cli import report_cli

    app.cli.add_command(report_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(data_cli)


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


@reference_cli.command("load", help="Load or refresh communes (keeps border flags).")
def reference_load():
    from app.core.communes import load_communes

    created, updated = load_communes()
    db.session.commit()
    click.echo(f"Communes: {created} created, {updated} updated.", err=True)


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
    from app.core.communes import load_communes

    if current_app.config["APP_ENV"] == "production":
        click.echo("Từ chối: không nạp dữ liệu mẫu trong môi trường production.", err=True)
        sys.exit(1)
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("Registry already has users: demo data not loaded again.", err=True)
        return
    load_communes()
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
    from app.transfer.exporter import export_workbook

    Path(path).write_bytes(export_workbook(include_personal=True))
    audit.record(
        "transfer.export",
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
