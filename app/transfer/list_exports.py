"""Long list exports as background jobs (issue 15, item 4).

A list export whose filtered list holds more than EXPORT_JOB_ROWS rows (20,000 unless
configured) is not written inside the request: it becomes a job of the transfer page's
machinery (jobs.py, Huey; run inside the request when no worker is configured), which
writes the same file, with the same rows, columns and name, as the direct download, and
says how far it got. Its page (`/du-lieu/danh-sach/<id>`) shows the progress, then the
download. Smaller lists are downloaded at once, as before.

The job keeps the list's query string; the worker rebuilds the list's select from it in a
request context of that address, with the job's owner as the user.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, flash, request, url_for
from flask_login import current_user
from werkzeug.utils import redirect

from app.extensions import db
from app.transfer import jobs

LIST_EXPORT = "list_export"
DEFAULT_JOB_ROWS = 20_000
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ListExport:
    name: str
    title: str  # the job page's heading
    rule: str  # the permission rule that reads the list
    list_endpoint: str
    path: str  # the list's address (its filters are the job's query string)
    table: Callable  # (user) -> (basename, sheet title, headers, rows)


def _aid_table(_user):
    from app.aid import exports
    from app.aid.views import items

    query = items._sorted_items(items._filters())[0]
    return exports.BASENAME, exports.SHEET, exports.HEADERS, exports.item_rows(query)


def _delegation_table(user):
    from app.core.listing import apply_sort
    from app.delegations import exports, services
    from app.delegations.models import Delegation
    from app.delegations.views import pages

    # As pages._listed, with the job's owner as the user (no signed-in user in a worker).
    query = services.delegations_query(filters=pages._filters(), user=user)
    query = apply_sort(query, pages.SORTS, "-start")[0].order_by(Delegation.id.desc())
    return exports.BASENAME, exports.SHEET, exports.LIST_HEADERS, exports.delegation_rows(query)


EXPORTS = {
    "aid": ListExport(
        "aid", "Xuất danh sách khoản viện trợ", "read_registry", "aid.index", "/vien-tro/",
        _aid_table,
    ),
    "delegations": ListExport(
        "delegations", "Xuất danh sách đoàn", "read_delegations", "delegations.index",
        "/doan/", _delegation_table,
    ),
}  # fmt: skip


def job_rows() -> int:
    return int(current_app.config.get("EXPORT_JOB_ROWS") or DEFAULT_JOB_ROWS)


def bounded_count(query, limit: int) -> int:
    """The number of rows of the list's select, counted up to limit + 1 at most."""
    rows = query.order_by(None).limit(limit + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows))


def as_job_if_long(name: str, query, fmt: str):
    """A redirect to a new export job when the list is longer than EXPORT_JOB_ROWS, else
    None (the caller sends the file at once)."""
    limit = job_rows()
    if bounded_count(query, limit) <= limit:
        return None
    job = jobs.create(
        LIST_EXPORT,
        current_user,
        ip=request.remote_addr,
        export=name,
        fmt=fmt,
        args=request.args.to_dict(flat=False),
    )
    flash(
        f"Danh sách có hơn {limit:,} dòng".replace(",", ".")
        + ": tệp được chuẩn bị trong nền. Khi xong, tải tệp về tại trang này "
        "(có thể đóng trình duyệt và quay lại sau, địa chỉ trang vẫn giữ nguyên).",
        "info",
    )
    jobs.start(job)
    return redirect(url_for("transfer.list_export_job", job_id=job["id"]), 303)


def output_file(job: dict) -> Path:
    return jobs.jobs_dir() / f"{job['id']}.{job['fmt']}"


def run(job: dict, progress) -> None:
    """Write the list's file beside the job (the runner of LIST_EXPORT jobs)."""
    from app.auth.models import User
    from app.core.export import csv_chunks, download_name
    from app.core.xlsx import write_table

    spec = EXPORTS[job["export"]]
    user = db.session.get(User, job["user_id"])
    target = output_file(job)
    partial = target.with_name(f".{target.name}.part")
    with current_app.test_request_context(spec.path, query_string=job["args"]):
        basename, sheet, headers, rows = spec.table(user)

        def written(count: int) -> None:
            progress(f"Đã ghi {count:,} dòng".replace(",", "."), 1, 2)

        progress("Đang ghi tệp", 0, 2)
        with partial.open("wb") as file:
            if job["fmt"] == "xlsx":
                write_table(file, sheet, headers, rows, progress=written)
            else:
                for chunk in csv_chunks(headers, _counted(rows, written)):
                    file.write(chunk)
    os.replace(partial, target)
    job["filename"] = download_name(basename, job["fmt"])
    db.session.rollback()  # read only
    return None


def _counted(rows, progress, every: int = 1000):
    for count, row in enumerate(rows, start=1):
        if count % every == 0:
            progress(count)
        yield row
