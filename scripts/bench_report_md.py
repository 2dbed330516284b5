"""The Markdown of scripts/bench's results, written between the markers
`<!-- bench:start -->` and `<!-- bench:end -->` of docs/performance.md. Each database's
table sits between its own markers, so a run on one database keeps the other's table."""

from __future__ import annotations

import re
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TARGET_MS = 50

INTRO = f"""{START}
## National-scale benchmark (scripts/bench, issue 15)

`scripts/bench` builds (or reuses, when the stamp of generator version, sizes and migrations
matches) the national data set of `scripts/generate_stats_data.py` on SQLite
(`/tmp/national.db`) and on PostgreSQL (database `national` of the throwaway server on port
55432, started by `scripts/pg-throwaway` if none runs), copies it (the shared set is never
written), then, in one run per database:

- serves the registry in its own process (werkzeug, one request at a time) and gets every
  page over HTTP as a signed-in bench account (`requests`, session cookie, CSRF), median of
  `--repeat` runs (7) after a warm-up, with the SQL statements of the request (an event
  listener on the engine); pages slower than ~13 s are repeated fewer times (the "runs"
  column);
- beside each page, the SQL a person would write by hand for the same rows
  (`scripts/bench_catalog.py`: the count (up to 10,001, as the pager) and the 25 rows of a
  list in its default order, a record and its children, the statistics' input rows of the
  year, the whole aid list), on a plain DB-API connection, median of the same number of
  runs; ratio = page / raw SQL;
- `flask --help` start-up (median of 7 subprocesses), the import of the 10,000-item
  benchmark workbook (`scripts/make_workbook.py --benchmark`) into a fresh registry with the
  demo users (the method of "Import of the registry workbook"), the whole aid list's XLSX
  export in a process of its own (peak RSS), and the 50-user load test (`scripts/load` on a
  copy of the set, the 50 bench accounts, `LOAD_TIME` as set, 3 minutes by default).

The data set: `scripts/generate_stats_data.py` with no arguments (100,000 aid items with
Vietnamese titles in the real communes, 1,000,000 disbursements, 20,000 delegations with
about 130,000 members, repeat visitors, 1,000 donors named by country), every derived
column written by the registry's own functions (search texts, folded names, normalised
passports, deadlines), the demo users and 50 bench accounts (`planning.bench01`,
`other.bench02`, `foreign_affairs.bench03`, `police.bench04`, ... password `demo12345`;
the load test takes them with `LOAD_ACCOUNTS=bench`). Its stamp (generator version, sizes,
digest of the migrations, build time) is in `/tmp/national.db.stamp.json` and in the
PostgreSQL database's comment; the build time is in each table's heading.

```bash
scripts/bench                        # both databases, everything (about an hour on 2 cores)
scripts/bench --db sqlite --no-load  # one database, no load test
scripts/bench --only 'aid_list|donor' --no-load --repeat 3   # some pages only
LOAD_TIME=1m scripts/bench --reuse   # the sets as they are, a shorter load test
```

Target (issue 15): every list, record, inbox and home page under {TARGET_MS} ms and within 3×
of its raw SQL; search under 50 ms, person search under 20 ms; year page under 500 ms,
annual JSON under 800 ms; export under 15 s and 300 MB; start-up under 0.7 s; import under
20 s; 50 users p95 under 500 ms with 0 errors. The figures below are of a 2-core machine
shared with other work unless said otherwise: read the load average.
"""


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value < 1:
        return f"{value:.2f} ms"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _count(n) -> str:
    return f"{n:,}".replace(",", " ") if isinstance(n, int) else str(n)


def table(info: dict, result: dict) -> str:
    kind = result["kind"]
    info = result.get("machine") or info  # a merged result keeps its first run's machine
    stamp = result.get("stamp") or {}
    counts = result["counts"]
    lines = [
        f"<!-- bench:{kind} -->",
        f"### {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}: {info['date']}",
        "",
        f"Machine: {info['cores']} cores, Python {info['python']}, load average before the "
        f"run {' / '.join(info['load_before'])}; commit `{info['commit']}`. Data set "
        f"(generator v{stamp.get('generator', '?')}, built in {stamp.get('seconds', '?')} s "
        f"on {stamp.get('built_at', '?')}): {_count(counts['aid_item'])} aid items, "
        f"{_count(counts['disbursement'])} disbursements, {_count(counts['delegation'])} "
        f"delegations, {_count(counts['delegation_member'])} members, "
        f"{_count(counts['organization'])} organisations."
        + (
            ""
            if result.get("schema_current", True)
            else " **The set was built with older migrations** (reused with `--reuse`; a "
            "placeholder edited since is not re-run on it): rebuild for the current schema."
        ),
        "",
        "| Page | As | This registry | Queries | Raw SQL | Ratio | Runs |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for page in result.get("pages", []):
        ratio = (
            f"{page['ms'] / page['raw_ms']:.1f}"
            if page.get("raw_ms") and page["raw_ms"] > 0
            else "—"
        )
        status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
        lines.append(
            f"| {page['label']}{status} | {page['user'].split('.')[0]} | {_ms(page['ms'])} | "
            f"{page['queries']} | {_ms(page['raw_ms'])} | {ratio} | {page['runs']} |"
        )
    extras = result.get("extras", {})
    if extras:
        lines += ["", "| Measure | Result |", "|---|---|"]
    if "startup" in extras:
        s = extras["startup"]
        lines.append(f"| `flask --help` start-up | {s['median_s']:.2f} s (median of {s['runs']}) |")
    if "import" in extras:
        i = extras["import"]
        lines.append(
            f"| Import of the 10,000-item workbook (fresh registry) | {i['wall_s']:.1f} s, "
            f"max RSS {i['rss_mib']:.0f} MiB |"
        )
    if "export_rss" in extras:
        e = extras["export_rss"]
        lines.append(
            f"| Whole aid list XLSX export, own process | HTTP {e['status']}, "
            f"{e['bytes'] / 1e6:.1f} MB in {e['seconds']:.1f} s, peak RSS "
            f"{e['peak_rss_mib']:.0f} MiB ({e['rss_before_mib']:.0f} MiB before the request) |"
        )
    if "first_view" in extras:
        f = extras["first_view"]
        lines.append(
            f"| Statistics {f['year']} right after a counted change, computed by the server "
            f"(median of {f['runs']}) | after a disbursement: year page {_ms(f['page'])}, "
            f"JSON {_ms(f['json'])}; after a delegation: year page "
            f"{_ms(f.get('page_delegation'))} |"
        )
        lines.append(
            f"| The same after `flask report warm` (the job worker's minute; it took "
            f"{f['warm_s']:.1f} s) | year page {_ms(f['page_warm'])}, JSON "
            f"{_ms(f['json_warm'])} |"
        )
    if "load" in extras:
        load = extras["load"]
        lines.append(
            f"| 50 users, {load['time']} measured, gunicorn -w 4 | {load['requests']} requests, "
            f"**{load['failures']} failures**, p50 {load['p50_ms']:.0f} ms, "
            f"**p95 {load['p95_ms']:.0f} ms**, {load['rps']:.1f} req/s "
            f"(`{load['folder']}`) |"
        )
    if result.get("remeasured"):
        lines += ["", f"Measured again later ({result['remeasured']}): those rows are of then."]
    lines.append(f"<!-- /bench:{kind} -->")
    return "\n".join(lines)


def write_docs(path: Path, info: dict, results: list[dict], dry_run: bool = False) -> str:
    text = path.read_text()
    old = ""
    if START in text and END in text:
        old = text[text.index(START) : text.index(END) + len(END)]
    blocks = {}
    for kind in ("sqlite", "postgresql"):
        found = re.search(rf"<!-- bench:{kind} -->.*?<!-- /bench:{kind} -->", old, re.S)
        if found:
            blocks[kind] = found.group(0)
    for result in results:
        blocks[result["kind"]] = table(info, result)
    section = (
        INTRO
        + "".join(f"\n{blocks[k]}\n" for k in ("sqlite", "postgresql") if k in blocks)
        + f"\n{END}"
    )
    if not dry_run:
        text = text.replace(old, section) if old else f"{text.rstrip()}\n\n{section}\n"
        path.write_text(text)
    return section
