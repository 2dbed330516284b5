"""The registry workbook on the web: upload → validation report → confirm → result."""

import hashlib
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import redirect

from app.core import audit
from app.core import permissions as rules
from app.core.export import send_bytes
from app.core.permissions import requires
from app.extensions import db
from app.transfer.exporter import export_workbook, template_workbook
from app.transfer.importer import import_workbook

bp = Blueprint("transfer", __name__, url_prefix="/du-lieu")

TOKEN_RE = re.compile(r"^[0-9a-f]{64}\.(xlsx|csv)$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staging_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stage(data: bytes, filename: str) -> str:
    """Keep the uploaded file until it is confirmed; the token names it by content."""
    extension = "csv" if filename.lower().endswith(".csv") else "xlsx"
    token = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    (_staging_dir() / token).write_bytes(data)
    return token


def _staged(token: str) -> bytes:
    if not TOKEN_RE.match(token or ""):
        abort(400)
    path = _staging_dir() / token
    if not path.exists():
        abort(404)
    return path.read_bytes()


@bp.route("/")
@requires(rules.transfer_data)
def index():
    return render_template("transfer/index.html")


@bp.route("/kiem-tra", methods=["POST"])
@requires(rules.transfer_data)
def check():
    """Validate the upload and count what it would do (a dry run, rolled back)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_template("transfer/index.html", error="Vui lòng chọn tệp."), 422
    data = file.read()
    filename = Path(file.filename).name
    report = import_workbook(data, filename, current_user)
    db.session.rollback()  # the dry run writes nothing
    if not report.ok:
        return render_template("transfer/report.html", report=report, token=None), 422
    token = _stage(data, filename)
    return render_template("transfer/report.html", report=report, token=token, filename=filename)


@bp.route("/nhap", methods=["POST"])
@requires(rules.transfer_data)
def confirm():
    token = request.form.get("token", "")
    filename = Path(request.form.get("filename") or token).name
    data = _staged(token)
    report = import_workbook(data, filename, current_user)
    if not report.ok:  # the registry changed since the check
        db.session.rollback()
        return render_template("transfer/report.html", report=report, token=None), 409
    db.session.commit()
    (_staging_dir() / token).unlink(missing_ok=True)
    return render_template("transfer/result.html", report=report)


@bp.route("/xuat.xlsx")
@requires(rules.transfer_data)
def export():
    with_personal = rules.see_personal_data.allows(current_user)
    body = export_workbook(include_personal=with_personal, user=current_user)
    audit.record(
        "transfer.export",
        object_type="export",
        object_id="web",
        summary="Xuất toàn bộ dữ liệu" + (" (có dữ liệu cá nhân)" if with_personal else ""),
    )
    db.session.commit()
    return send_bytes(body, "du-lieu-vien-tro-doan", "xlsx", XLSX)


@bp.route("/mau.xlsx")
@requires(rules.transfer_data)
def template():
    return send_bytes(template_workbook(), "mau-nhap-du-lieu", "xlsx", XLSX)


@bp.route("/kiem-tra", methods=["GET"])
@requires(rules.transfer_data)
def check_get():
    return redirect(url_for("transfer.index"))
