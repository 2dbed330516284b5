"""The statistics' first view right after a counted change (used by scripts/bench).

The registry is served in this process as for the pages (bench_pages.Server); a disbursement
of the year (1 đ and back) or a delegation (a month and back) is changed on a DB-API
connection of its own, then the year page or the JSON is timed as the server computes it,
and again after `flask report warm` (the job worker's minute) ran in a process of its own.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure_first_view(url: str, env: dict, runs: int = 3) -> dict:
    """The statistics of YEAR right after a counted change (a disbursement of the year
    changed by 1 đ and back, or a delegation moved by a month and back, committed on a
    connection of its own), median of `runs`: computed by the server (no worker ran), and
    served after `flask report warm` (what the job worker does every minute) ran in a
    process of its own."""
    from bench_catalog import PLANNING, YEAR
    from bench_pages import Server, dbapi_connect, run_sql, sign_in

    from app import create_app

    os.environ.update(env)
    app = create_app()
    connect = dbapi_connect(url)
    connection = connect()
    cursor = connection.cursor()
    disbursement = run_sql(
        cursor,
        "SELECT d.id FROM disbursement d JOIN aid_item i ON i.id = d.aid_item_id "
        "WHERE d.archived_at IS NULL AND i.archived_at IS NULL "
        "AND d.disbursed_on BETWEEN :a AND :b ORDER BY d.id LIMIT 1",
        {"a": f"{YEAR}-01-01", "b": f"{YEAR}-12-31"},
    )[0][0]
    delegation = run_sql(
        cursor,
        "SELECT id FROM delegation WHERE archived_at IS NULL AND status = 'da_duyet' "
        "AND start_on BETWEEN :a AND :b ORDER BY id LIMIT 1",
        {"a": f"{YEAR}-03-01", "b": f"{YEAR}-10-31"},
    )[0][0]
    changes = {"disbursement": 0, "delegation": 0}

    def change(table: str = "disbursement") -> None:  # and back: every change moves a figure
        changes[table] += 1
        delta = 1 if changes[table] % 2 else -1
        if table == "disbursement":  # +1 đ
            run_sql_write(cursor, disbursement, delta)
        else:  # a month later (its month's count moves)
            move_delegation(cursor, delegation, delta)
        connection.commit()

    server = Server(app)
    session = sign_in(server.url, PLANNING)
    samples = {
        "page": [],
        "json": [],
        "page_delegation": [],
        "warm_s": [],
        "page_warm": [],
        "json_warm": [],
    }
    paths = {"page": f"/thong-ke/{YEAR}", "json": f"/thong-ke/{YEAR}/bao-cao.json"}

    def get(path: str) -> float:
        started = time.perf_counter()
        answer = session.get(f"{server.url}{path}", timeout=300)
        answer.raise_for_status()
        return (time.perf_counter() - started) * 1000

    try:
        get(paths["page"])  # the server's first request (mappers, templates) not timed
        for _ in range(runs):
            for what in ("page", "json"):
                change()
                samples[what].append(get(paths[what]))
            get(paths["page"])  # the page's own parts after the JSON's change, not timed
            change("delegation")
            samples["page_delegation"].append(get(paths["page"]))
            change()
            started = time.perf_counter()
            subprocess.run(
                ["flask", "report", "warm", "--year", str(YEAR)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            samples["warm_s"].append(time.perf_counter() - started)
            samples["page_warm"].append(get(paths["page"]))
            samples["json_warm"].append(get(paths["json"]))
    finally:
        server.close()
        connection.close()
    return {key: statistics.median(values) for key, values in samples.items()} | {
        "runs": runs,
        "year": YEAR,
    }


def move_delegation(cursor, delegation_id: int, months: int) -> None:
    if type(cursor).__module__.startswith("psycopg"):
        cursor.execute(
            "UPDATE delegation SET start_on = start_on + make_interval(months => %s), "
            "end_on = end_on + make_interval(months => %s) WHERE id = %s",
            (months, months, delegation_id),
        )
    else:
        shift = f"{months:+d} month"
        cursor.execute(
            "UPDATE delegation SET start_on = date(start_on, ?), end_on = date(end_on, ?) "
            "WHERE id = ?",
            (shift, shift, delegation_id),
        )


def run_sql_write(cursor, disbursement_id: int, delta: int) -> None:
    psycopg = type(cursor).__module__.startswith("psycopg")
    sql = (
        "UPDATE disbursement SET value_vnd = value_vnd + %s WHERE id = %s"
        if psycopg
        else "UPDATE disbursement SET value_vnd = value_vnd + ? WHERE id = ?"
    )
    cursor.execute(sql, (delta, disbursement_id))
