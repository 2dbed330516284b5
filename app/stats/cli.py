"""`flask report annual --year YYYY [--format json|xlsx|csv] [--output PATH]`.

JSON goes to standard output by default and nothing else does: messages go to standard
error. xlsx writes a workbook to PATH; csv writes one file per table into the folder PATH.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.lazy import LazyModule

# pandas and openpyxl are imported when a statistics command runs, not at start-up.
exports = LazyModule("app.stats.exports")
services = LazyModule("app.stats.services")


@click.group("report", cls=AppGroup, help="Reports (annual statistics).")
def report_cli():
    pass


def _check_year(_ctx, _param, value: int) -> int:
    if not services.is_valid_year(value):
        low, high = services.year_range()
        raise click.BadParameter(f"năm phải từ {low} đến {high}.")
    return value


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "không xác định"


@report_cli.command("annual", help="The annual report of a year (spec/annual-report.md).")
@click.option("--year", type=int, required=True, callback=_check_year, help="Calendar year.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx", "csv"]),
    default="json",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File (json, xlsx) or folder (csv); json without it goes to standard output.",
)
def annual(year: int, fmt: str, output: Path | None):
    if fmt != "json" and output is None:
        raise click.UsageError(f"--output PATH is required with --format {fmt}.")
    data = services.annual_report(year)
    if fmt == "json":
        text = exports.report_json(data)
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        output.write_text(text, encoding="utf-8")
    elif fmt == "xlsx":
        author = f"Dòng lệnh flask report (tài khoản hệ điều hành: {_os_user()})"
        output.write_bytes(exports.workbook_bytes(data, author))
    else:
        output.mkdir(parents=True, exist_ok=True)
        for name, content in exports.csv_files(data).items():
            (output / name).write_bytes(content)
    click.echo(f"Report {year} written to {output} ({fmt}).", err=True)


@report_cli.command(
    "warm",
    help="Compute and keep the statistics the pages ask for first (the current year and the "
    "one before; the job worker does this every minute), so the first view after a change "
    "finds them.",
)
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    callback=lambda ctx, param, values: [_check_year(ctx, param, y) for y in values],
    help="A year to warm instead (repeatable).",
)
def warm(years: list[int]):
    for year, seconds in services.warm(years or None).items():
        click.echo(f"Statistics {year}: kept ({seconds:.2f} s).", err=True)
