"""The registry workbook on the web: upload → check (a job) → confirm → import (a job) →
result; the full export is a job too. A job's page shows its progress (refreshing itself
with <meta http-equiv=refresh>, no script) and then its result; it stays reachable by its
URL after the browser is closed, and the transfer page lists the user's recent jobs."""

import hashlib
import math

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.utils import redirect

from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.export import CSV_MIMETYPE, XLSX_MIMETYPE
from app.core.permissions import requires
from app.transfer import jobs, list_exports
from app.transfer.jobs import staging_dir

bp = Blueprint("transfer", __name__, url_prefix="/du-lieu")
bp.record_once(lambda state: jobs.init_app(state.app))

XLSX = XLSX_MIMETYPE
TRANSFER_KINDS = (jobs.CHECK, jobs.IMPORT, jobs.EXPORT)
ERRORS_PER_PAGE = 500
REFRESH_SECONDS = 2


def _index(error: str | None = None, status: int = 200):
    recent = [j for j in jobs.recent(current_user, 50) if j["kind"] in TRANSFER_KINDS][:10]
    return render_template("transfer/index.html", error=error, jobs=recent), status


def _stage(data: bytes, filename: str) -> str:
    """Keep the uploaded file for the check and the import; the token names it by content."""
    extension = "csv" if filename.lower().endswith(".csv") else "xlsx"
    token = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    (staging_dir() / token).write_bytes(data)
    return token


def _own_job(job_id: str, kinds=TRANSFER_KINDS) -> dict:
    """The current user's job of these kinds, else 404 (another user's job is not
    revealed)."""
    job = jobs.load(job_id)
    if job is None or job.get("user_id") != current_user.id or job.get("kind") not in kinds:
        abort(404)
    return job


def _new_job(kind: str, **data) -> dict:
    """A queued job of the current user, with the address it was asked from."""
    return jobs.create(kind, current_user, ip=request.remote_addr, **data)


def _run(job: dict):
    """Start the job and show its page."""
    jobs.start(job)
    return _to_job(job)


def _to_job(job: dict):
    return redirect(url_for("transfer.job", job_id=job["id"]), 303)


@bp.route("/")
@requires(rules.transfer_data)
def index():
    return _index()


@bp.route("/kiem-tra", methods=["POST"])
@requires(rules.transfer_data)
def check():
    """Refuse what cannot be read cheaply at once; check the rest in a job."""
    from app.transfer.files import LimitIssue, check_upload, file_name  # openpyxl: when used

    file = request.files.get("file")
    if file is None or not file.filename:
        return _index("Vui lòng chọn tệp.", 422)
    data = file.read()
    filename = file_name(file.filename)
    refused = check_upload(data, filename)
    if refused is not None:
        return _index(refused.message, 413 if isinstance(refused, LimitIssue) else 422)
    return _run(_new_job(jobs.CHECK, filename=filename, token=_stage(data, filename)))


@bp.route("/viec/<job_id>")
@requires(rules.transfer_data)
def job(job_id):
    job = _own_job(job_id)
    running = job["state"] in (jobs.QUEUED, jobs.RUNNING)
    result = jobs.load_result(job) if job["state"] == jobs.DONE else None
    status = 200
    page = None
    if result is not None and result.get("errors"):
        status = 409 if job["kind"] == jobs.IMPORT else 422
        page = _error_page(result["errors"])
    return (
        render_template(
            "transfer/job.html",
            job=job,
            result=result,
            running=running,
            stale=jobs.waiting_too_long(job),
            page=page,
            refresh=REFRESH_SECONDS,
        ),
        status,
    )


def _error_page(errors: list) -> dict:
    """One page of the errors (every error is on some page, reachable by plain links)."""
    pages = max(1, math.ceil(len(errors) / ERRORS_PER_PAGE))
    number = min(max(request.args.get("trang", 1, type=int), 1), pages)
    start = (number - 1) * ERRORS_PER_PAGE
    return {
        "number": number,
        "pages": pages,
        "first": start + 1,
        "rows": errors[start : start + ERRORS_PER_PAGE],
        "total": len(errors),
    }


@bp.route("/viec/<job_id>/nhap", methods=["POST"])
@requires(rules.transfer_data)
def confirm(job_id):
    """Import a checked file (once: a second click shows the same import)."""
    checked = _own_job(job_id)
    result = jobs.load_result(checked) if checked["state"] == jobs.DONE else None
    if checked["kind"] != jobs.CHECK or result is None or not result["ok"]:
        abort(409)
    if checked.get("import_job") and (done := jobs.load(checked["import_job"])):
        return _to_job(done)
    if not (staging_dir() / checked["token"]).exists():
        abort(404)
    job = _new_job(jobs.IMPORT, filename=checked["filename"], token=checked["token"])
    checked["import_job"] = job["id"]
    jobs.save(checked)
    return _run(job)


@bp.route("/xuat", methods=["POST"])
@requires(rules.transfer_data)
def export():
    """The whole registry (personal data only for those who may see it), as a job."""
    return _run(_new_job(jobs.EXPORT, personal=rules.see_personal_data.allows(current_user)))


@bp.route("/viec/<job_id>/tep")
@requires(rules.transfer_data)
def download(job_id):
    job = _own_job(job_id)
    path = jobs.export_file(job)
    if job["kind"] != jobs.EXPORT or job["state"] != jobs.DONE or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"du-lieu-vien-tro-doan-{today_vn():%d-%m-%Y}.xlsx",
        max_age=0,
    )


def _own_list_export(job_id: str) -> dict:
    """The current user's list export job; 403 if they may no longer read the list."""
    job = _own_job(job_id, (list_exports.LIST_EXPORT,))
    spec = list_exports.EXPORTS[job["export"]]
    rules.RULES[spec.rule].require(current_user)
    return job


@bp.route("/danh-sach/<job_id>")
@requires(rules.signed_in)
def list_export_job(job_id):
    """A long list export (list_exports.py): its progress, then its file."""
    job = _own_list_export(job_id)
    return render_template(
        "transfer/list_export_job.html",
        job=job,
        spec=list_exports.EXPORTS[job["export"]],
        running=job["state"] in (jobs.QUEUED, jobs.RUNNING),
        stale=jobs.waiting_too_long(job),
        refresh=REFRESH_SECONDS,
    )


@bp.route("/danh-sach/<job_id>/tep")
@requires(rules.signed_in)
def list_export_download(job_id):
    job = _own_list_export(job_id)
    path = list_exports.output_file(job)
    if job["state"] != jobs.DONE or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=XLSX if job["fmt"] == "xlsx" else CSV_MIMETYPE,
        as_attachment=True,
        download_name=job["filename"],
        max_age=0,
    )


@bp.route("/mau.xlsx")
@requires(rules.transfer_data)
def template():
    from app.core.export import send_bytes
    from app.transfer.exporter import template_workbook

    return send_bytes(template_workbook(), "mau-nhap-du-lieu", "xlsx", XLSX)


@bp.route("/kiem-tra", methods=["GET"])
@requires(rules.transfer_data)
def check_get():
    return redirect(url_for("transfer.index"))


@bp.app_template_filter("job_state")
def job_state(job: dict) -> str:
    return {
        jobs.QUEUED: "Đang chờ xử lý",
        jobs.RUNNING: "Đang xử lý",
        jobs.DONE: "Xong",
        jobs.FAILED: "Lỗi",
    }.get(job.get("state"), "")
