"""`flask` commands: users, reference data, demo data."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)


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


@demo_cli.command("logins")
def demo_logins():
    """Print the demo logins (all with the password demo12345)."""
    from app import demo

    click.echo(f"Tài khoản dùng thử (mật khẩu: {demo.DEMO_PASSWORD}):")
    for username, description in demo.demo_logins():
        click.echo(f"  {username:<26} {description}")
