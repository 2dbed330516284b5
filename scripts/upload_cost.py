#!/usr/bin/env python3
"""Peak memory and time of one upload on the transfer page, as the web path runs it.

.venv/bin/python scripts/upload_cost.py DIR              # build the cases in DIR, measure each
.venv/bin/python scripts/upload_cost.py DIR --only bomb   # the cases whose name has "bomb"
.venv/bin/python scripts/upload_cost.py --measure FILE   # one upload (what the above runs)

Each upload is measured in a fresh process: an app on its own SQLite database (migrations,
demo users), logged in as planning.officer, POST /du-lieu/kiem-tra with the file, the
check running inside the request (Huey's immediate mode, as a server without a worker
runs it; a worker runs the same code). The process's peak RSS (getrusage) includes the
app itself, measured before the upload too. See docs/performance.md, "Uploads with
bounded cost".
"""

import argparse
import html
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
SHEET1 = "xl/worksheets/sheet1.xml"
HEADER = ["ma", "ten", "loai", "quoc_gia"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The cases ------------------------------------------------------------------------------


def _small_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "ToChuc"
    sheet.append(HEADER)
    sheet.append(["T1", "Org", "ngo", "US"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_part(path: Path, part: str, chunks) -> None:
    """The small workbook with `part` replaced by the streamed `chunks` (deflated)."""
    with (
        zipfile.ZipFile(io.BytesIO(_small_workbook())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info.filename))
        with target.open(part, "w", force_zip64=True) as stream:
            for chunk in chunks:
                stream.write(chunk)


ROW = (  # an organisation row without its number: deflate shrinks its repeats ~1000 times
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in ("T1", "Tổ chức", "ngo", "US"))
    + "</row>"
).encode()
HEADER_ROW = (
    '<row r="1">'
    + "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{v}</t></is></c>'
        for c, v in zip("ABCD", HEADER, strict=True)
    )
    + "</row>"
).encode()
SHEET_START = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"


def _repeated(start: bytes, item: bytes, end: bytes, megabytes: int):
    """start, then `item` repeated up to `megabytes` MB in all, then end."""
    yield start
    block = item * max(1, MB // len(item))
    size = len(start) + len(end)
    while size + len(block) <= megabytes * MB:
        yield block
        size += len(block)
    yield item * ((megabytes * MB - size) // len(item))
    yield end


def _sheet_of_rows(megabytes: int):
    """The same row repeated (a zip bomb: the file stays about 1 MB per GB)."""
    return _repeated(SHEET_START + HEADER_ROW, ROW, SHEET_END, megabytes)


def _wide_row(megabytes: int):
    """One row of millions of cells."""
    start = SHEET_START + HEADER_ROW + b'<row r="2">'
    cell = b'<c t="inlineStr"><is><t>ab</t></is></c>'
    return _repeated(start, cell, b"</row>" + SHEET_END, megabytes)


def _one_huge_cell(megabytes: int):
    """One row whose name cell holds a text of `megabytes` MB."""
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    yield b'<sheetData><row r="1">'
    for c, v in zip("ABCD", HEADER, strict=True):
        yield f'<c r="{c}1" t="inlineStr"><is><t>{v}</t></is></c>'.encode()
    yield b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>T1</t></is></c>'
    yield b'<c r="B2" t="inlineStr"><is><t>'
    for _ in range(megabytes - 1):
        yield b"x" * MB
    yield b'</t></is></c><c r="C2" t="inlineStr"><is><t>ngo</t></is></c>'
    yield b'<c r="D2" t="inlineStr"><is><t>US</t></is></c></row></sheetData></worksheet>'


def _shared_strings(megabytes: int):
    """A sharedStrings part of one short string repeated up to `megabytes` MB."""
    start = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return _repeated(start, "<si><t>Tổ chức</t></si>".encode(), b"</sst>", megabytes)


def _styles(megabytes: int):
    """A styles part of `megabytes` MB of cell formats."""
    start = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        b'<borders count="1"><border/></borders><cellXfs>'
    )
    return _repeated(start, b'<xf numFmtId="0" fontId="0"/>', b"</cellXfs></styleSheet>", megabytes)


def _with_shared_strings(path: Path, megabytes: int) -> None:
    """The small workbook plus a huge sharedStrings part (declared in the content types and
    the workbook's relationships, so openpyxl reads it)."""
    with (
        zipfile.ZipFile(io.BytesIO(_small_workbook())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            if info.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in data:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            if info.filename == "xl/sharedStrings.xml":
                continue
            target.writestr(info, data)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            for chunk in _shared_strings(megabytes):
                stream.write(chunk)


def _generated(path: Path, **sizes) -> None:
    from app.demo_records import build_workbook

    path.write_bytes(build_workbook(seed=2025, **sizes))


def _csv_rows(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for number in range(rows):
            out.write(f"T{number},Tổ chức {number},ngo,US\n")


NO_OTHER_SHEETS = {"disbursements": 0, "delegations": 0, "members": 0}
CASES = {
    # (a) zip bombs of about 1 MB or less
    "bomb-1023mb-rows": lambda p: _replace_part(p, SHEET1, _sheet_of_rows(1023)),
    "bomb-170mb-rows": lambda p: _replace_part(p, SHEET1, _sheet_of_rows(170)),  # 1.0 M rows
    "bomb-199mb-rows": lambda p: _replace_part(p, SHEET1, _sheet_of_rows(199)),  # 1.2 M rows
    "bomb-199mb-one-cell": lambda p: _replace_part(p, SHEET1, _one_huge_cell(199)),
    "bomb-199mb-wide-row": lambda p: _replace_part(p, SHEET1, _wide_row(199)),
    "bomb-199mb-shared-strings": lambda p: _with_shared_strings(p, 199),
    "bomb-24mb-shared-strings": lambda p: _with_shared_strings(p, 24),  # 0.97 M: accepted
    "bomb-199mb-styles": lambda p: _replace_part(p, "xl/styles.xml", _styles(199)),
    # (b) 200,000 rows and more
    "rows-200k-orgs": lambda p: _generated(p, organizations=200_000, items=0, **NO_OTHER_SHEETS),
    "rows-200k-items": lambda p: _generated(p, organizations=300, items=200_000, **NO_OTHER_SHEETS),
    "csv-200k-orgs": lambda p: _csv_rows(p, 200_000),
    # (c) 100,000 rows: accepted by the default row limit
    "rows-100k-orgs": lambda p: _generated(p, organizations=100_000, items=0, **NO_OTHER_SHEETS),
    "rows-100k-items": lambda p: _generated(p, organizations=300, items=100_000, **NO_OTHER_SHEETS),
    "rows-100k-members": lambda p: _generated(
        p, organizations=300, items=100, disbursements=0, delegations=5_000, members=100_000
    ),
    # the import benchmark's workbook (95,300 rows on five sheets)
    "benchmark": lambda p: _generated(
        p, organizations=300, items=10_000, disbursements=50_000, delegations=5_000, members=30_000
    ),
}


def build(directory: Path, only: str | None) -> list[Path]:
    paths = []
    for name, make in CASES.items():
        if only and only not in name:
            continue
        # A CSV file is one sheet, named by the file: ToChuc.csv in a folder of its own.
        path = (
            directory / name / "ToChuc.csv"
            if name.startswith("csv")
            else directory / f"{name}.xlsx"
        )
        path.parent.mkdir(exist_ok=True)
        if not path.exists():
            started = time.perf_counter()
            make(path)
            took = time.perf_counter() - started
            size = path.stat().st_size / MB
            print(f"built {path.name}: {size:.2f} MB in {took:.0f} s", flush=True)
        paths.append(path)
    return paths


# --- One measured upload ---------------------------------------------------------------------


def measure(path: Path) -> dict:
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.core.communes import load_communes
    from app.extensions import db
    from app.transfer import jobs

    work = Path(tempfile.mkdtemp(prefix="upload-cost-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'registry.db'}",
            "UPLOAD_DIR": str(work / "uploads"),
            "JOBS_DIR": str(work / "jobs"),
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": "1",
        }
    )
    with app.app_context():
        upgrade()
        load_communes()  # the generated workbooks name real communes
        demo.load(records=False)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    credentials = {"username": "planning.officer", "password": "demo12345"}
    login = client.post("/dang-nhap", data=credentials)
    assert login.status_code == 302, login.status_code
    data = path.read_bytes()
    before = peak_mb()
    started = time.perf_counter()
    response = client.post(
        "/du-lieu/kiem-tra",
        data={"file": (io.BytesIO(data), path.name)},
        content_type="multipart/form-data",
    )
    status = response.status_code
    message = ""
    if status == 303:  # the job's page: the check's result
        job_id = response.location.rstrip("/").rsplit("/", 1)[-1]
        page = client.get(f"/du-lieu/viec/{job_id}")
        status = page.status_code
        with app.app_context():
            job = jobs.load(job_id)
            result = jobs.load_result(job) or {}
        errors = result.get("errors") or []
        message = (
            f"{len(errors)} error(s): {errors[0][3]}"
            if errors
            else (result.get("summary") or job.get("message") or job["state"])
        )
    else:
        text = response.get_data(as_text=True)
        marker = 'data-testid="upload-error">'
        if marker in text:
            message = html.unescape(text.split(marker, 1)[1].split("</div>", 1)[0])
    return {
        "file": path.parent.name if path.suffix == ".csv" else path.name,
        "size_mb": round(len(data) / MB, 2),
        "inflated_mb": _inflated_mb(path),
        "status": status,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak_mb()),
        "message": " ".join(message.split())[:200],
    }


def _inflated_mb(path: Path) -> float | None:
    if path.suffix != ".xlsx":
        return None
    with zipfile.ZipFile(path) as archive:
        return round(max(i.file_size for i in archive.infolist()) / MB, 1)


ADDRESS_SPACE_LIMIT = 4 * 1024 * MB  # virtual memory, more than the peak RSS asked


def _address_space_limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--only")
    parser.add_argument("--measure", type=Path)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure), ensure_ascii=False))
        return
    args.directory.mkdir(parents=True, exist_ok=True)
    for path in build(args.directory, args.only):
        env = {**os.environ, "APP_ENV": "development"}
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            env=env,
            preexec_fn=_address_space_limit,  # a runaway case fails instead of swapping
            capture_output=True,
            text=True,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        print(lines[-1] if lines else done.stderr[-2000:], flush=True)


if __name__ == "__main__":
    main()
