"""The statistics pages: the year's report, its comparison and charts, and its downloads."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.aid.models import Sector
from app.core import permissions as rules
from app.core.countries import country_name
from app.core.errors import render_error
from app.core.lazy import LazyModule, LazyValue
from app.core.permissions import requires

# pandas and openpyxl are imported by the first statistics request, not at start-up.
exports = LazyModule("app.stats.exports")
services = LazyModule("app.stats.services")
PEOPLE_TABLE_KEYS = LazyValue("app.stats.people_diplomacy", "TABLE_KEYS")
PEOPLE_TITLES = LazyValue("app.stats.people_tables", "TITLES")

bp = Blueprint("stats", __name__, url_prefix="/thong-ke")

DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "zip": "application/zip",
}


def _bad_year(year: int):
    low, high = services.year_range()
    return render_error(
        404,
        f"Không có thống kê cho năm {year}: chọn một năm từ {low} đến {high}.",
        "Năm thống kê không hợp lệ",
    )


def _attachment(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _generated_by() -> str:
    return f"{current_user.full_name} ({current_user.username})"


def _year_charts(report: dict) -> dict:
    """The chosen year's breakdowns for its charts, labelled in Vietnamese (the figures are
    the report's own: the tables show the same numbers)."""
    aid, delegations = report["aid"], report["delegations"]
    return {
        "sectors": [Sector(row["sector"]).label for row in aid["by_sector"]],
        "sector_vnd": [row["value_vnd"] for row in aid["by_sector"]],
        "countries": [country_name(row["country"]) for row in aid["by_country"]],
        "country_approved_vnd": [row["value_vnd"] for row in aid["by_country"]],
        "country_disbursed_vnd": [row["disbursed_vnd"] for row in aid["by_country"]],
        "months": [f"Th{row['month']}" for row in delegations["by_month"]],
        "month_incoming": [row["incoming"] for row in delegations["by_month"]],
        "month_outgoing": [row["outgoing"] for row in delegations["by_month"]],
    }


_rendered: OrderedDict = OrderedDict()  # a year's tables are ~400 KB of HTML at most
_RENDERED_MAX = 8
_rendered_lock = threading.Lock()


def _report_tables(year: int, report: dict) -> tuple[list, dict]:
    """The report's tables and their HTML (stats/_macros.html report_table), rendered once
    per content of the report: at national scale the tables are thousands of formatted
    cells (~0.15 s), more than the rest of the page. Keyed by a digest of the report
    itself, so they follow its figures exactly."""
    content = {key: value for key, value in report.items() if key != "generated_at"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    key = ("tables", year, hashlib.blake2b(text.encode(), digest_size=20).digest())
    with _rendered_lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]  # Markup strings and the tables are only read
    tables = exports.tables(report)
    macro = get_template_attribute("stats/_macros.html", "report_table")
    result = (tables, {table.key: macro(table, year) for table in tables})
    with _rendered_lock:
        _rendered[key] = result
        while len(_rendered) > _RENDERED_MAX:
            _rendered.popitem(last=False)
    return result


@bp.route("/")
@requires(rules.read_registry)
def index():
    """The current year in Vietnam, or the year chosen in the picker (?nam=)."""
    year = request.args.get("nam", type=int)
    if year is None or not services.is_valid_year(year):
        year = services.current_year()
    return redirect(url_for("stats.year", year=year))


@bp.route("/<int:year>")
@requires(rules.read_registry)
def year(year: int):
    if not services.is_valid_year(year):
        return _bad_year(year)
    page = services.year_page(year)
    tables, rendered_tables = _report_tables(year, page.report)
    comparison = page.comparison.to_dict("records")
    low, high = services.year_range()
    chart = {
        "years": [row["year"] for row in comparison],
        "approved_vnd": [row["approved_vnd"] for row in comparison],
        "disbursed_vnd": [row["disbursed_vnd"] for row in comparison],
        "incoming": [row["incoming"] for row in comparison],
        "outgoing": [row["outgoing"] for row in comparison],
        **_year_charts(page.report),
    }
    return render_template(
        "stats/year.html",
        year=year,
        report=page.report,
        generated_at=datetime.fromisoformat(page.report["generated_at"]),
        tables=tables,
        rendered_tables=rendered_tables,
        comparison=comparison,
        notes=page.notes,
        chart=chart,
        years=range(high, low - 1, -1),
        current_year=services.current_year(),
        people_sections=[
            (key, PEOPLE_TITLES[key], keys) for key, keys in PEOPLE_TABLE_KEYS.items()
        ],
    )


@bp.route("/<int:year>/bao-cao.<fmt>")
@requires(rules.read_registry)
def download(year: int, fmt: str):
    """The whole report: workbook (xlsx), JSON, or every table as CSV in a zip."""
    if fmt not in DOWNLOADS:
        return render_error(404)
    if not services.is_valid_year(year):
        return _bad_year(year)
    data = services.cached_annual_report(year)  # the page's figures, reused (never stale)
    if fmt == "xlsx":
        notes = services.year_notes(year).lines()
        body = exports.workbook_bytes(data, _generated_by(), notes)
        filename = f"thong-ke-{year}.xlsx"
    elif fmt == "json":
        body = exports.report_json(data)
        filename = f"thong-ke-{year}.json"
    else:
        body = exports.csv_zip(data)
        filename = f"thong-ke-{year}-csv.zip"
    return _attachment(body, DOWNLOADS[fmt], filename)


@bp.route("/<int:year>/bang/<key>.csv")
@requires(rules.read_registry)
def table_csv(year: int, key: str):
    """One table of the report as CSV."""
    if key not in exports.TABLE_KEYS:
        return render_error(404, "Không có bảng thống kê này.")
    if not services.is_valid_year(year):
        return _bad_year(year)
    table = next(t for t in exports.tables(services.cached_annual_report(year)) if t.key == key)
    return _attachment(
        exports.table_csv(table), "text/csv; charset=utf-8", f"thong-ke-{year}-{key}.csv"
    )
