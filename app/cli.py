"""`flask` commands: users, reference data, demo data."""

import sys

import click
from flask import Flask, current_app

from app.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)


@click.group("users", help="Quản lý người dùng.")
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


@click.group("reference", help="Reference data from packages.")
def reference_cli():
    pass


@reference_cli.command("load", help="Load or refresh communes (keeps border flags).")
def reference_load():
    from app.core.communes import load_communes

    created, updated = load_communes()
    db.session.commit()
    click.echo(f"Communes: {created} created, {updated} updated.", err=True)


@click.group("demo", help="Demo data for trying the registry.")
def demo_cli():
    pass


@demo_cli.command("load")
@click.option("--no-records", is_flag=True, help="Only agencies and demo users, no records.")
def demo_load(no_records):
    """Create the demo agencies and users (password demo12345), idempotently."""
    from app import demo

    if current_app.config["APP_ENV"] == "production":
        click.echo("Từ chối: không nạp dữ liệu mẫu trong môi trường production.", err=True)
        sys.exit(1)
    from app.core.communes import load_communes

    load_communes()
    summary = demo.load(records=not no_records)
    db.session.commit()
    click.echo(summary)
