"""Service time of the frequent pages for one user at a time (in process, Flask test client).

Against the database of DATABASE_URL holding the demo records (`flask demo load`), it signs
in as each officer, asks every page a few times after a warm-up, and prints the median time
and the number of SQL statements of each page. The pages are those of scripts/locustfile.py.

    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/python scripts/page_times.py --repeat 8
    ... scripts/page_times.py --profile /doan/viec-can-xu-ly --user police.officer
    ... scripts/page_times.py --freeze     # gc.freeze() first, as gunicorn.conf.py does
    ... scripts/page_times.py --app /tmp/other-checkout   # time another copy of the code
    ... scripts/page_times.py --mix 5   # CPU per read in the load test's mix, 5 runs
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa


def _code_root() -> str:
    """The checkout to time: --app DIR, or the one this script is in."""
    if "--app" in sys.argv:
        return sys.argv[sys.argv.index("--app") + 1]
    return str(Path(__file__).resolve().parents[1])


sys.path.insert(0, _code_root())

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

USERS = ["planning.officer", "foreign_affairs.officer", "police.officer", "other.officer"]
# The reads' weights in scripts/locustfile.py (a list's weight split over its variants).
MIX = {
    "home": 2,
    "aid list": 1,
    "aid list p2": 1,
    "aid search": 1,
    "aid record": 3,
    "aid inbox": 2,
    "delegation list": 1,
    "delegation list p2": 1,
    "delegation record": 2,
    "delegation inbox": 1,
    "donor list": 2,
    "donor record": 2,
    "statistics year": 1,
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pages(client) -> list[tuple[str, str]]:
    """(label, url) of the pages the load test asks, records picked from the lists."""

    def first_id(url: str, prefix: str) -> str | None:
        found = re.findall(rf'href="{prefix}(\d+)"', client.get(url).get_data(as_text=True))
        return found[len(found) // 2] if found else None

    year = date.today().year
    result = [
        ("home", "/"),
        ("aid inbox", "/vien-tro/viec-can-xu-ly"),
        ("delegation inbox", "/doan/viec-can-xu-ly"),
        ("aid list", "/vien-tro/"),
        ("aid list p2", "/vien-tro/?page=2"),
        ("aid search", "/vien-tro/?q=truong"),
        ("delegation list", "/doan/"),
        ("delegation list p2", "/doan/?page=2"),
        ("donor list", "/to-chuc/"),
    ]
    for label, url, prefix in (
        ("aid record", "/vien-tro/", "/vien-tro/"),
        ("delegation record", "/doan/", "/doan/"),
        ("donor record", "/to-chuc/", "/to-chuc/"),
    ):
        if found := first_id(url, prefix):
            result.append((label, f"{prefix}{found}"))
    result.append(("statistics year", f"/thong-ke/{year}"))
    return result


def login(app, username: str):
    client = app.test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(
        "/dang-nhap", data={"csrf_token": token, "username": username, "password": "demo12345"}
    )
    assert response.status_code == 302, f"login {username}: {response.status_code}"
    return client


def measure(client, engine, url: str, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of `repeat` GETs (after one warm-up) and the
    statements of one. CPU time is this process's (SQLite's work included, not a database
    server's), and barely moved by other programs sharing the machine."""
    statements = []

    def count(*_args):
        statements.append(1)

    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url).close()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--user", action="append", help="only these users (repeatable)")
    parser.add_argument("--profile", help="profile this URL instead (cProfile, 20 GETs)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after start-up")
    parser.add_argument("--app", help="the checkout whose code is timed (default: this one)")
    parser.add_argument("--mix", type=int, help="CPU ms per read of the mix, best of N runs")
    args = parser.parse_args()
    app = create_app()
    users = args.user or USERS
    with app.app_context():  # requests push their own context: none is held while they run
        engine = db.engine
    if args.profile:
        client = login(app, users[0])
        client.get(args.profile)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(args.profile).close()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    if args.mix:
        mix(app, users, args)
        return
    results: dict[str, dict[str, tuple[float, float, int]]] = {}
    labels: list[str] = []
    clients = {username: login(app, username) for username in users}
    if args.freeze:  # as gunicorn.conf.py does once the worker has built the application
        for client in clients.values():
            for _label, url in pages(client):
                client.get(url).close()
        gc.freeze()
    for username in users:
        client = clients[username]
        for label, url in pages(client):
            if label not in labels:
                labels.append(label)
            results.setdefault(label, {})[username] = measure(client, engine, url, args.repeat)
    width = max(len(label) for label in labels)
    print(f"code: {_code_root()}; gc.freeze: {'yes' if args.freeze else 'no'}")
    print(f"median of {args.repeat}: wall ms / CPU ms / SQL statements; load average {load()}")
    print(f"{'page':<{width}} " + " ".join(f"{u.split('.')[0][:20]:>20}" for u in users))
    for label in labels:
        cells = []
        for username in users:
            if username in results[label]:
                wall, cpu, queries = results[label][username]
                cells.append(f"{wall:6.1f} /{cpu:6.1f} /{queries:3d}")
            else:
                cells.append("")
        print(f"{label:<{width}} " + " ".join(f"{c:>20}" for c in cells))


def mix(app, users: list[str], args) -> None:
    """The reads of the load test, weighted as in its mix, as every user in turn: CPU ms per
    request of each run (20 rounds of the mix); the best run is the least disturbed."""
    plan = []
    for username in users:
        client = login(app, username)
        plan += [(client, url) for label, url in pages(client) for _ in range(MIX[label])]
    for client, url in plan:  # warm-up: each worker's caches are full in the steady state
        client.get(url).close()
    if args.freeze:
        gc.freeze()
    runs = []
    for _ in range(args.mix):
        start = time.process_time()
        for _round in range(20):
            for client, url in plan:
                client.get(url).close()
        runs.append((time.process_time() - start) * 1000 / (20 * len(plan)))
    print(f"code: {_code_root()}; gc.freeze: {'yes' if args.freeze else 'no'}; load {load()}")
    print(
        f"CPU ms per read of the mix ({len(plan)} requests a round, 20 rounds a run): "
        f"best {min(runs):.2f}, median {statistics.median(runs):.2f} "
        f"({', '.join(f'{r:.2f}' for r in runs)})"
    )


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
