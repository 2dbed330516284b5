"""scripts/bench: the national-scale benchmark (issue 15). See `scripts/bench --help`.

For each database: build the national set (scripts/generate_stats_data.py) or reuse it if
its stamp matches (generator version, sizes, migrations), copy it to a private copy (the
shared set is never written), time every page over HTTP beside its hand-written SQL
(scripts/bench_pages.py, scripts/bench_catalog.py), `flask --help` start-up, the import of
the 10,000-item benchmark workbook, the whole-aid-list export's peak RSS, the 50-user load
test (scripts/load), and write a Markdown table per database into docs/performance.md.
"""

# ruff: noqa: S108, S608 - the benchmark's files in /tmp; table names are constants
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import sqlalchemy as sa  # noqa: E402
from bench_first_view import measure_first_view  # noqa: E402
from bench_report_md import write_docs  # noqa: E402
from national_people import read_stamp, schema_digest  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:55432"
SIZES = {"items": 100_000, "disbursements": 1_000_000, "delegations": 20_000}
WORKBOOK = Path("/tmp/bench-workbook-10000.xlsx")
PY = sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def expected_stamp() -> dict:
    from generate_stats_data import GENERATOR_VERSION

    return {"generator": GENERATOR_VERSION, **SIZES}


def stamp_matches(stamp: dict | None) -> bool:
    if not stamp:
        return False
    wanted = expected_stamp() | {"schema": schema_digest()}
    return all(stamp.get(k) == v for k, v in wanted.items())


def flask_env(url: str, **extra) -> dict:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="app", APP_ENV="development")
    env.setdefault("UPLOAD_DIR", tempfile.mkdtemp(prefix="bench-uploads-"))
    return env | extra


def pg_admin():
    return sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def pg_execute(sql: str) -> None:
    engine = pg_admin()
    with engine.connect() as connection:
        connection.exec_driver_sql(sql)
    engine.dispose()


def ensure_pg_server() -> bool:
    """True when this run started the throwaway server (and should stop it)."""
    try:
        pg_execute("SELECT 1")
        return False
    except sa.exc.OperationalError:
        log("Starting a throwaway PostgreSQL on port 55432 (scripts/pg-throwaway)")
        subprocess.run(
            ["scripts/pg-throwaway", "start"],
            cwd=ROOT,
            check=True,
            env=dict(os.environ, PGPORT="55432"),
        )
        return True


def build_set(kind: str, url: str) -> None:
    """Build into a scratch name, then put it in place (readers never see half a set)."""
    started = time.perf_counter()
    if kind == "sqlite":
        final = Path(sa.engine.make_url(url).database)
        scratch = final.with_name(final.stem + ".building.db")
        for path in (scratch, Path(f"{scratch}.stamp.json")):
            path.unlink(missing_ok=True)
        build_url = f"sqlite:///{scratch}"
    else:
        name = sa.engine.make_url(url).database
        scratch = f"{name}_building"
        pg_execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        pg_execute(f'CREATE DATABASE "{scratch}"')
        build_url = f"{PG_SERVER}/{scratch}"
    log(f"Building the national set on {kind} ({build_url})")
    subprocess.run(
        [PY, "scripts/generate_stats_data.py"], cwd=ROOT, check=True, env=flask_env(build_url)
    )
    if kind == "sqlite":
        os.replace(f"{scratch}.stamp.json", f"{final}.stamp.json")
        os.replace(scratch, final)
    else:
        pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_execute(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
    log(f"Built in {time.perf_counter() - started:.0f} s")


def private_copy(kind: str, url: str) -> str:
    """A copy of the shared set that this run may write (sign-ins, audit, migrations)."""
    if kind == "sqlite":
        import sqlite3

        source = sa.engine.make_url(url).database
        target = source.replace(".db", "") + ".bench-copy.db"
        Path(target).unlink(missing_ok=True)
        with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
            a.backup(b)
        return f"sqlite:///{target}"
    name = sa.engine.make_url(url).database
    copy = f"{name}_bench_copy"
    pg_execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    for _attempt in range(30):  # PostgreSQL copies a template only while no one is connected
        try:
            pg_execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            return f"{PG_SERVER}/{copy}"
        except sa.exc.OperationalError as error:
            if "being accessed" not in str(error):
                raise
            time.sleep(2)
    log(f"{name} stays in use: copying with pg_dump | pg_restore instead")
    pg_execute(f'CREATE DATABASE "{copy}"')
    dump = subprocess.Popen(
        [
            "/usr/lib/postgresql/15/bin/pg_dump",
            "-h",
            "127.0.0.1",
            "-p",
            "55432",
            "-U",
            "postgres",
            "-Fc",
            name,
        ],
        stdout=subprocess.PIPE,
    )
    subprocess.run(
        [
            "/usr/lib/postgresql/15/bin/pg_restore",
            "-h",
            "127.0.0.1",
            "-p",
            "55432",
            "-U",
            "postgres",
            "-d",
            copy,
        ],
        stdin=dump.stdout,
        check=True,
    )
    dump.wait()
    return f"{PG_SERVER}/{copy}"


def drop_copy(kind: str, url: str) -> None:
    if kind == "sqlite":
        Path(sa.engine.make_url(url).database).unlink(missing_ok=True)
    else:
        pg_execute(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)')


def counts(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in (
                "aid_item",
                "disbursement",
                "delegation",
                "delegation_member",
                "organization",
            )
        }
    engine.dispose()
    return found


# --- Measures ------------------------------------------------------------------------------


def measure_pages(url: str, repeat: int, only: re.Pattern | None) -> list[dict]:
    from bench_catalog import catalog, picks
    from bench_pages import Server, dbapi_connect, measure
    from flask_migrate import upgrade

    from app import create_app

    os.environ.update(flask_env(url))
    app = create_app()
    with app.app_context():
        upgrade()
    connect = dbapi_connect(url)
    connection = connect()
    picked = picks(connection.cursor())
    connection.close()
    pages = [p for p in catalog(picked) if only is None or only.search(f"{p.key} {p.label}")]
    server = Server(app)
    try:
        results = measure(pages, server, connect, repeat, log=lambda m: log(m))
    finally:
        server.close()
    return [
        {
            "key": page.key,
            "label": page.label,
            "user": page.user,
            "path": page.path,
            "ms": registry.median_ms,
            "runs": registry.runs,
            "queries": registry.queries,
            "status": registry.status,
            "raw_ms": raw.median_ms if raw else None,
            "raw_runs": raw.runs if raw else None,
        }
        for page, registry, raw in results
    ]


def measure_startup(url: str, repeat: int) -> dict:
    # As an installed registry starts: with the compiled bytecode cached (the first,
    # untimed run writes it). This machine's environment sets PYTHONDONTWRITEBYTECODE,
    # which would make every run compile the ~760 modules from source.
    env = flask_env(url)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        subprocess.run(
            [str(Path(PY).with_name("flask")), "--help"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        samples.append(time.perf_counter() - started)
    return {"median_s": statistics.median(samples[1:]), "runs": repeat}


def timed(command: list[str], env: dict) -> tuple[float, int]:
    """(wall seconds, max RSS in KiB) of a command, by /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        wall, rss = out.read().split()[-2:]
    return float(wall), int(rss)


def measure_import(kind: str) -> dict:
    """The 10,000-item benchmark workbook into a fresh registry with the demo users
    (the method of docs/performance.md, "Import of the registry workbook")."""
    if not WORKBOOK.exists():
        log("Writing the benchmark workbook (scripts/make_workbook.py --benchmark)")
        subprocess.run(
            [PY, "scripts/make_workbook.py", str(WORKBOOK), "--benchmark"], cwd=ROOT, check=True
        )
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "import.db"
        url = f"sqlite:///{path}"
    else:
        pg_execute('DROP DATABASE IF EXISTS "bench_import" WITH (FORCE)')
        pg_execute('CREATE DATABASE "bench_import"')
        url = f"{PG_SERVER}/bench_import"
    env = flask_env(url)
    flask = str(Path(PY).with_name("flask"))
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [flask, "demo", "load", "--no-records"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    wall, rss = timed([flask, "data", "import", str(WORKBOOK)], env)
    if kind == "sqlite":
        path.unlink(missing_ok=True)
    else:
        pg_execute('DROP DATABASE IF EXISTS "bench_import" WITH (FORCE)')
    return {"wall_s": wall, "rss_mib": rss / 1024}


def measure_export_rss(url: str) -> dict:
    """The whole aid list's XLSX export in a process of its own: its peak RSS, read as the
    process's own high-water mark (VmHWM; getrusage's ru_maxrss would carry the parent's
    peak across fork and exec)."""
    code = (
        "import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/scripts'];"
        "from app import create_app; from bench_pages import get_file, sign_in, Server;"
        "hwm = lambda: next(int(l.split()[1]) for l in open('/proc/self/status')"
        " if l.startswith('VmHWM'));"
        "app = create_app(); server = Server(app); base = hwm();"
        "s = sign_in(server.url, 'planning.bench01'); t = time.perf_counter();"
        "r = get_file(s, server.url, '/vien-tro/xuat.xlsx');"
        "print(r.status_code, len(r.content), time.perf_counter() - t, base, hwm())"
    )
    out = subprocess.run(
        [PY, "-c", code, str(ROOT)],
        cwd=ROOT,
        env=flask_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    status, size, seconds, base, peak = out.stdout.split()[-5:]
    return {
        "status": int(status),
        "bytes": int(size),
        "seconds": float(seconds),
        "rss_before_mib": int(base) / 1024,
        "peak_rss_mib": int(peak) / 1024,
    }


def measure_load(kind: str, url: str) -> dict:
    out = Path(f"/tmp/bench-load-{kind}-{time.strftime('%Y%m%d-%H%M%S')}")
    env = dict(os.environ, LOAD_OUT=str(out), LOAD_ACCOUNTS="bench")
    if kind == "sqlite":
        env["LOAD_SQLITE_FILE"] = sa.engine.make_url(url).database
        command = ["scripts/load"]
    else:
        env["LOAD_PG_URL"] = f"{PG_SERVER}/bench_load"
        env["LOAD_PG_TEMPLATE"] = sa.engine.make_url(url).database
        command = ["scripts/load", "postgresql"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    (out / "summary.txt").parent.mkdir(parents=True, exist_ok=True)
    (out / "summary.txt").write_text(done.stdout + done.stderr)
    import csv

    with open(out / "load_stats.csv", newline="") as stream:
        total = next(r for r in csv.DictReader(stream) if r["Name"] == "Aggregated")
    if kind == "postgresql":
        pg_execute('DROP DATABASE IF EXISTS "bench_load" WITH (FORCE)')
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "rps": float(total["Requests/s"]),
        "time": os.environ.get("LOAD_TIME", "3m"),
        "folder": str(out),
    }


# --- The run -------------------------------------------------------------------------------


def run_one(kind: str, args) -> dict:
    url = f"sqlite:///{args.sqlite_file}" if kind == "sqlite" else f"{PG_SERVER}/{args.pg_database}"
    stamp = read_stamp(url)
    if args.reuse and stamp:
        log(f"{kind}: reusing {url} as it is (--reuse), built {stamp.get('built_at')}")
    elif stamp_matches(stamp):
        log(f"{kind}: reusing {url} (same generator version, sizes and migrations)")
    else:
        build_set(kind, url)
        stamp = read_stamp(url)
    copy = private_copy(kind, url)
    only = re.compile(args.only) if args.only else None

    def wanted(key: str) -> bool:
        return only is None or bool(only.search(key))

    result = {"kind": kind, "stamp": stamp, "counts": counts(copy), "extras": {}}
    # A set reused although the migrations changed since it was built: say so in the table
    # (alembic does not re-run a placeholder that was already applied when it was built).
    result["schema_current"] = bool(stamp) and stamp.get("schema") == schema_digest()
    try:
        result["pages"] = measure_pages(copy, args.repeat, only)
        if wanted("first_view"):
            result["extras"]["first_view"] = measure_first_view(copy, flask_env(copy))
            log(f"  first view: {result['extras']['first_view']}")
        if wanted("startup"):
            result["extras"]["startup"] = measure_startup(copy, args.repeat)
            log(f"  flask --help: {result['extras']['startup']['median_s']:.2f} s")
        if wanted("import"):
            result["extras"]["import"] = measure_import(kind)
            log(f"  import: {result['extras']['import']}")
        if wanted("export") or wanted("rss"):
            result["extras"]["export_rss"] = measure_export_rss(copy)
            log(f"  export RSS: {result['extras']['export_rss']}")
        if not args.no_load and wanted("load"):
            result["extras"]["load"] = measure_load(kind, copy)
            log(f"  load: {result['extras']['load']}")
    finally:
        drop_copy(kind, copy)
    return result


def merged(previous_file: Path, result: dict) -> dict:
    """The previous run's result of a database with this run's pages and measures."""
    if not previous_file.exists():
        return result
    stored = json.loads(previous_file.read_text())
    previous = stored["result"]
    previous.setdefault("machine", stored["machine"])
    pages = {page["key"]: page for page in previous.get("pages", [])}
    pages.update({page["key"]: page for page in result["pages"]})
    return previous | {
        "pages": list(pages.values()),
        "extras": previous.get("extras", {}) | result["extras"],
    }


def machine() -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%d/%m/%Y %H:%M UTC", time.gmtime()),
        "commit": commit + (" (with uncommitted changes in the working tree)" if dirty else ""),
        "load_before": open("/proc/loadavg").read().split()[:3],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per page (median)")
    parser.add_argument("--reuse", action="store_true", help="use the sets present, never rebuild")
    parser.add_argument(
        "--only",
        metavar="PATTERN",
        help="regex over page keys/labels and the extras (startup, import, rss, load); the "
        "other figures of the table are kept from the last run (/tmp/bench-results-<db>.json)",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the 50-user load test")
    parser.add_argument(
        "--no-docs", action="store_true", help="print, do not write docs/performance.md"
    )
    parser.add_argument("--sqlite-file", default="/tmp/national.db")
    parser.add_argument("--pg-database", default="national")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    started_pg = ensure_pg_server() if "postgresql" in kinds else False
    info = machine()
    results = []
    try:
        for kind in kinds:
            results.append(run_one(kind, args))
            results[-1]["machine"] = info
            if args.only:  # some measures again: the others from the last run's results
                results[-1] = merged(Path(f"/tmp/bench-results-{kind}.json"), results[-1])
                results[-1]["remeasured"] = f"{info['date']}, --only {args.only}"
            # Each database's table as soon as it is measured (a later failure keeps it).
            Path(f"/tmp/bench-results-{kind}.json").write_text(
                json.dumps({"machine": info, "result": results[-1]}, default=str, indent=1)
            )
            text = write_docs(
                ROOT / "docs" / "performance.md", info, results[-1:], dry_run=args.no_docs
            )
    finally:
        if started_pg:
            subprocess.run(
                ["scripts/pg-throwaway", "stop"], cwd=ROOT, env=dict(os.environ, PGPORT="55432")
            )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
