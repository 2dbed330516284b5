"""`flask agencies`: list the agencies with their duties, set an agency's duties."""

import json
import sys

import click
from flask.cli import AppGroup

from app.extensions import db

USAGE_ERROR = 2  # an unknown agency or duty, like click's own usage errors


@click.group("agencies", cls=AppGroup, help="Agencies and the duties they hold.")
def agencies_cli():
    pass


def _all_agencies():
    from sqlalchemy.orm import selectinload

    from app.auth.models import Agency

    return db.session.scalars(
        db.select(Agency).options(selectinload(Agency.duty_rows)).order_by(Agency.id)
    ).all()


@agencies_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON list ordered by id.")
def agencies_list(as_json):
    """Print every agency with its code and duties."""
    agencies = _all_agencies()
    if as_json:
        rows = [
            {
                "id": a.id,
                "code": a.code,
                "name": a.name,
                "short_name": a.short_name,
                "active": a.active,
                "duties": a.duty_keys,
            }
            for a in agencies
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for a in agencies:
        state = "" if a.active else " (ngừng hoạt động)"
        click.echo(f"{a.id:>4}  {a.code or '-':<12} {a.name}{state}: {a.duties_text or '-'}")


def _find(id_or_code: str):
    from app.auth.models import Agency

    query = db.select(Agency).where(Agency.code == id_or_code)
    agency = db.session.scalar(query)
    if agency is None and id_or_code.isdigit():
        agency = db.session.get(Agency, int(id_or_code))
    return agency


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(USAGE_ERROR)


@agencies_cli.command("duties")
@click.argument("id_or_code")
@click.option("--set", "duty_keys", required=True, help="Comma-separated duty keys, e.g. police.")
@click.option(
    "--user",
    "username",
    default=None,
    help="The registry user the change is recorded under (default: 'cli').",
)
def agencies_duties(id_or_code, duty_keys, username):
    """Set the duties an agency holds (audited). Exit 2 on an unknown agency or duty."""
    from app.auth import services
    from app.auth.models import Duty, User
    from app.core.errors import FieldError

    agency = _find(id_or_code)
    if agency is None:
        _fail(f"Không có cơ quan có mã hoặc số '{id_or_code}'.")
    try:
        duties = Duty.parse(duty_keys.split(","))
    except ValueError as error:
        _fail(str(error))
    user = None
    if username:
        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is None:
            _fail(f"Không có người dùng '{username}'.")
    try:
        services.set_agency_duties(agency, duties, user=user, username=None if user else "cli")
    except FieldError as error:
        db.session.rollback()
        click.echo(str(error), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{agency.name}: {agency.duties_text or '-'}")
