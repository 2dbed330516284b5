#!/usr/bin/env python
"""Time the annual report and measure its peak memory on the database in DATABASE_URL.

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python scripts/bench_report.py --year 2024

Measured, each in this process after one warm-up run (median of --repeat runs):
- json: what `flask report annual` does (load the frames, apply the rules, serialise);
  with the split between loading (SQL + DataFrames) and the rules;
- page: the year page's figures (report + 6-year comparison from one load);
- key: the home page's key figures;
- xlsx: the report and its workbook.
- precomputed (issue 15, --web): the year page and the JSON download over HTTP (Flask's test
  client, signed in as planning.officer): first view (no figures kept), repeated views (one
  query for the input revisions), the first view after a write that changes a figure (an
  UPDATE of one disbursement of the year, then undone) and after one that changes none (a
  new organisation, then deleted); and a check that the kept JSON equals a fresh one.
  This writes to the database: use a copy.
Peak memory: tracemalloc's peak during one json run (Python and numpy allocations), and the
peak RSS of the whole process (resource.getrusage). Last, the real command
`flask report annual --year Y` is run as a child process: wall time and its peak RSS.
Prints a Markdown table on standard output; the target is < 3 s and < 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 3.0
TARGET_BYTES = 1024**3


def timed(func, repeat: int) -> tuple[float, float, object]:
    """(first run, median of the next `repeat` runs) in seconds, and the last result."""
    started = time.perf_counter()
    result = func()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), result


def mib(size: int) -> str:
    return f"{size / 1024**2:,.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-cli", action="store_true", help="skip the child-process run")
    parser.add_argument(
        "--web", action="store_true", help="also time the precomputed pages (writes: use a copy)"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the benchmark database")

    cli = None
    if not args.no_cli:
        started = time.perf_counter()
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "flask"),
                "report",
                "annual",
                "--year",
                str(args.year),
            ],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        cli = (time.perf_counter() - started, len(done.stdout))
        # Run before this process imports anything big: a forked child's peak RSS starts
        # from its parent's size, so only now is it the command's own.
        cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    import pandas as pd
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.stats import exports, loaders, report, services

    app = create_app()
    year = args.year
    rows = []
    with app.app_context():
        counts = {
            name: db.session.scalar(
                sa.select(sa.func.count()).select_from(db.metadata.tables[name])
            )
            for name in ("aid_item", "disbursement", "delegation", "delegation_member")
        }

        def load():
            frames = loaders.load_frames(db.session.connection(), year).prepared()
            db.session.rollback()
            return frames

        def json_report():
            text = exports.report_json(services.annual_report(year))
            db.session.rollback()
            return text

        def page():
            result = services.year_page(year)
            db.session.rollback()
            return result

        def key():
            result = services.key_figures(year)
            db.session.rollback()
            return result

        def xlsx():
            result = exports.workbook_bytes(services.annual_report(year), "benchmark")
            db.session.rollback()
            return result

        first, median, text = timed(json_report, args.repeat)
        rows.append(("json (flask report annual)", first, median))
        json_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        frames = load()
        sizes = {kind: len(getattr(frames, kind)) for kind in ("items", "disbursements", "sectors")}
        sizes |= {kind: len(getattr(frames, kind)) for kind in ("delegations", "members")}
        load_first, load_median, _ = timed(load, args.repeat)
        rows.append(("  of which loading (6 queries → DataFrames)", load_first, load_median))
        rules_first, rules_median, _ = timed(
            lambda: report.annual_report(frames, year), args.repeat
        )
        rows.append(("  of which the rules (pandas)", rules_first, rules_median))
        for name, func in (("page (report + 6-year comparison)", page), ("key figures", key)):
            rows.append((name, *timed(func, args.repeat)[:2]))
        rows.append(("xlsx (report + workbook)", *timed(xlsx, max(1, args.repeat // 2))[:2]))

        tracemalloc.start()
        json_report()
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if args.web:  # outside the app context above: each request has its own, as in a server
        rows += precomputed(app, db, services, exports, year, args.repeat)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    url = sa.engine.make_url(os.environ["DATABASE_URL"])
    print(f"Database: {url.get_backend_name()} ({url.render_as_string(hide_password=True)})")
    print(
        f"Rows: {counts['aid_item']:,} items, {counts['disbursement']:,} disbursements, "
        f"{counts['delegation']:,} delegations, {counts['delegation_member']:,} members"
    )
    print(f"Loaded for {year}: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, SQLAlchemy {sa.__version__}\n"
    )
    print(f"| Measure (year {year}) | First run | Median of {args.repeat} |")
    print("|---|---:|---:|")
    for name, first, median in rows:
        again = "" if median is None else f"{median:.3f} s"
        print(f"| {name} | {first:.3f} s | {again} |")
    print(f"| peak traced memory, one json run (tracemalloc) | {mib(traced_peak)} | |")
    print(f"| peak RSS of this process after the json runs | {mib(json_rss)} | |")
    print(f"| peak RSS of this process (everything above) | {mib(rss_peak)} | |")
    if cli:
        print(
            f"| `flask report annual --year {year}` as a command (start-up included) "
            f"| {cli[0]:.3f} s | peak RSS {mib(cli_rss)} |"
        )
    json_seconds = rows[0][2]
    ok = json_seconds < TARGET_SECONDS and max(traced_peak, json_rss) < TARGET_BYTES
    print(f"\nTarget (< {TARGET_SECONDS:.0f} s, < 1 GiB): {'met' if ok else 'MISSED'}")
    print(f"JSON size: {len(text):,} characters")
    return 0 if ok else 1


def precomputed(app, db, services, exports, year: int, repeat: int) -> list[tuple]:
    """Rows (name, first, median) for the year page and the JSON over HTTP, see above."""
    import json

    import sqlalchemy as sa

    from app.stats import cache

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    signed_in = client.post(
        "/dang-nhap", data={"username": "planning.officer", "password": "demo12345"}
    )
    assert signed_in.status_code == 302, "sign-in failed"
    page_url, json_url = f"/thong-ke/{year}", f"/thong-ke/{year}/bao-cao.json"

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def once(url) -> float:
        started = time.perf_counter()
        get(url)
        return time.perf_counter() - started

    def write(sql: str, **params) -> None:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text(sql), params)

    rows = []
    cache.figures.clear()
    services.notes_cache.clear()
    rows.append(("web: year page, first view (nothing kept)", once(page_url), None))
    rows.append(
        (
            "web: year page, repeated (input revisions only)",
            *timed(lambda: get(page_url), repeat)[:2],
        )
    )
    rows.append(("web: JSON download after the page", *timed(lambda: get(json_url), repeat)[:2]))
    cache.figures.clear()
    services.notes_cache.clear()
    rows.append(("web: JSON download, first (nothing kept)", once(json_url), None))

    with app.app_context(), db.engine.connect() as connection:
        paid = connection.execute(
            sa.text(
                "SELECT id, value_vnd FROM disbursement WHERE archived_at IS NULL "
                "AND disbursed_on BETWEEN :first AND :last ORDER BY id LIMIT 1"
            ),
            {"first": f"{year}-01-01", "last": f"{year}-12-31"},
        ).one()
    write("UPDATE disbursement SET value_vnd = :v WHERE id = :id", v=paid[1] + 1, id=paid[0])
    changed_page = once(page_url)
    changed_json = once(json_url)
    write("UPDATE disbursement SET value_vnd = :v WHERE id = :id", v=paid[1], id=paid[0])
    undone = once(page_url)  # the rows are those of a kept result again: load + digest
    rows.append(("web: year page after a write that changes a figure", changed_page, None))
    rows.append(("web: JSON after that write (page computed it)", changed_json, None))
    rows.append(("web: year page after the write is undone (load + digest)", undone, None))
    write(
        "INSERT INTO organization (code, name, search_text, kind, country, created_at, "
        "updated_at, version) VALUES ('BENCH-ORG', 'Bench', 'bench', 'ngo', 'DE', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
    )
    rows.append(("web: year page after a write that changes no figure", once(page_url), None))
    write("DELETE FROM organization WHERE code = 'BENCH-ORG'")
    get(page_url)

    kept = json.loads(get(json_url).get_data(as_text=True))
    with app.app_context():
        fresh = json.loads(exports.report_json(services.annual_report(year)))
        db.session.rollback()
    kept.pop("generated_at"), fresh.pop("generated_at")
    assert kept == fresh, "the kept JSON differs from a fresh computation"
    print("Kept JSON equals a fresh computation: yes", file=sys.stderr)
    return rows


if __name__ == "__main__":
    sys.exit(main())
