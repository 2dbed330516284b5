"""`flask notify deadlines` (the daily pass) and `flask notify digest` (the pass, then the
e-mail digest). Run them once a day (cron, a systemd timer)."""

import click
from flask.cli import AppGroup

from app.core.dates import DateParseError, parse_date
from app.extensions import db

notify_cli = AppGroup("notify", help="Notifications: deadlines and the e-mail digest.")


def _day(value: str | None):
    try:
        return parse_date(value) if value else None
    except DateParseError as error:
        raise click.BadParameter(str(error)) from error


@notify_cli.command("deadlines", help="Notify deadlines within 2 working days and overdue ones.")
@click.option("--date", "day", help="As if today were this day (dd/mm/yyyy).")
def deadlines_command(day):
    from app.notifications.deadlines import run_deadlines

    created = run_deadlines(_day(day))
    db.session.commit()
    click.echo(f"Đã tạo {created} thông báo về thời hạn.")


@notify_cli.command("digest", help="Run the deadlines pass, then e-mail each user's digest.")
@click.option("--date", "day", help="Deadlines as if today were this day (dd/mm/yyyy).")
def digest_command(day):
    from app.notifications.deadlines import run_deadlines
    from app.notifications.digest import send_digests

    created = run_deadlines(_day(day))
    db.session.commit()
    click.echo(f"Đã tạo {created} thông báo về thời hạn.")
    count, sent = send_digests()
    if sent:
        click.echo(f"Đã gửi {count} thư tổng hợp.")
    else:
        click.echo(f"Thư điện tử đang tắt (MAIL_ENABLED=0): {count} thư tổng hợp không gửi.")
