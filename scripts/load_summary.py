"""The summary printed by scripts/load from the files of its results folder.

    python scripts/load_summary.py OUT --kind sqlite --users 50 --time 3m --workers 4 \
        --server-ticks 1234 --spawn-rate 2 --settle 30

- locust's figures (load_stats.csv, load_failures.csv): every request after the ramp-up
  and the settling; those of the ramp-up and the settling apart (settling.json);
- the server's own time per request (access.log written by gunicorn with
  '%(m)s %(U)s %(s)s %(D)s': from the worker taking the request to its response, so
  without the wait in the listen backlog), after the settling (access.reset: the log's
  length when locust reset its statistics);
- the CPU the server used during the run (clock ticks of the master and workers) per
  request, locust's CPU (locust.time from /usr/bin/time), the load average sampled every
  5 s (loadavg.log), and the server log's tracebacks and lock errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
from pathlib import Path

ID = re.compile(r"/\d+")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def locust_figures(out: Path, args) -> None:
    rows = read_csv(out / "load_stats.csv")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    # Requests made only before the reset (the sign-ins) are listed with no figures.
    endpoints = [r for r in rows if r["Name"] != "Aggregated" and int(r["Request Count"])]
    print(
        f"\n== Load test: {args.kind}, {args.users} users, {args.time} measured after the "
        f"ramp-up ({args.spawn_rate} users/s) and {args.settle} s of settling, "
        f"gunicorn -w {args.workers} =="
    )
    settling = out / "settling.json"
    if settling.exists():
        left = json.loads(settling.read_text())
        print(
            f"left out (ramp-up and settling): {left['requests']} requests, "
            f"{left['failures']} failures, median {left['median_ms']:.0f} ms, "
            f"p95 {left['p95_ms']:.0f} ms, max {left['max_ms']:.0f} ms"
        )
    print(
        f"requests {total['Request Count']}, failures {total['Failure Count']}, "
        f"{float(total['Requests/s']):.1f} req/s; median {total['50%']} ms, "
        f"p95 {total['95%']} ms, p99 {total['99%']} ms, "
        f"max {float(total['Max Response Time']):.0f} ms"
    )
    columns = ("count", 6), ("fail", 5), ("median", 7), ("p95", 6), ("p99", 6), ("max", 7)
    print(f"{'request':<42} " + " ".join(f"{name:>{width}}" for name, width in columns))
    for r in sorted(endpoints, key=lambda r: -float(r["95%"] or 0)):
        name = f"{r['Type']} {r['Name']}"[:42]
        print(
            f"{name:<42} {r['Request Count']:>6} {r['Failure Count']:>5} {r['50%']:>7} "
            f"{r['95%']:>6} {r['99%']:>6} {float(r['Max Response Time']):>7.0f}"
        )
    for f in read_csv(out / "load_failures.csv")[:10]:
        print(f"FAILED {f['Method']} {f['Name']}: {f['Error']} ({f['Occurrences']}x)")


def server_figures(out: Path, ticks: int) -> None:
    log = (out / "gunicorn.log").read_text()
    print(
        f"server log: {log.count('Traceback')} tracebacks, "
        f"{log.count('database is locked')} 'database is locked', "
        f"{log.count('run again with the write lock')} GETs run again with the write lock"
    )
    access = out / "access.log"
    lines = access.read_text().splitlines() if access.exists() else []
    reset = out / "access.reset"
    start = int(reset.read_text()) if reset.exists() else 0
    times: dict[str, list[float]] = {}
    for line in lines[start:]:
        method, path, _status, micros = line.split()
        name = f"{method} {ID.sub('/[id]', path)}"
        times.setdefault(name, []).append(int(micros) / 1000)
    every = [t for values in times.values() for t in values]
    if every:
        print(
            f"server time after the settling ({len(every)} requests): median "
            f"{statistics.median(every):.0f} ms, p95 {p95(every):.0f} ms, "
            f"max {max(every):.0f} ms"
        )
        slow = sorted(times.items(), key=lambda kv: -p95(kv[1]))[:5]
        print("  slowest p95: " + "; ".join(f"{n} {p95(v):.0f} ms" for n, v in slow))
    cpu = ticks / os.sysconf("SC_CLK_TCK")
    print(
        f"server CPU during the run (ramp-up included): {cpu:.1f} s for {len(lines)} "
        f"requests, {1000 * cpu / max(len(lines), 1):.1f} ms per request"
    )


def machine_figures(out: Path) -> None:
    timing = out / "locust.time"
    words = timing.read_text().split() if timing.exists() else []
    if len(words) >= 3:
        user_s, sys_s, wall_s = (float(x) for x in words[-3:])
        print(f"locust CPU: {user_s + sys_s:.1f} s in {wall_s:.0f} s")
    samples_file = out / "loadavg.log"
    samples = [float(x) for x in samples_file.read_text().split()] if samples_file.exists() else []
    if samples:
        print(
            f"load average (1 min) every 5 s during the run: mean "
            f"{statistics.mean(samples):.1f}, min {min(samples):.1f}, max {max(samples):.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--kind", default="sqlite")
    parser.add_argument("--users", default="50")
    parser.add_argument("--time", default="3m")
    parser.add_argument("--workers", default="4")
    parser.add_argument("--spawn-rate", default="2")
    parser.add_argument("--settle", default="0")
    parser.add_argument("--server-ticks", type=int, default=0)
    args = parser.parse_args()
    locust_figures(args.out, args)
    server_figures(args.out, args.server_ticks)
    machine_figures(args.out)


if __name__ == "__main__":
    main()
