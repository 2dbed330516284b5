"""Pages every user shares (home) and the administrators' reference pages: audit, communes."""

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.auth.models import User
from app.core import attachments, audit, audit_export
from app.core import permissions as rules
from app.core.audit_labels import AUDIT_LOG_EXPORT, known_labels, object_labels
from app.core.communes import province_choices, set_border_flag
from app.core.dates import DateParseError, parse_date
from app.core.history import describe
from app.core.listing import arg_int, paginate
from app.core.models import Attachment, AuditEntry, Commune
from app.core.permissions import requires
from app.core.text import fold
from app.core.web import safe_next
from app.extensions import db

bp = Blueprint("core", __name__)


# Domains add what waits for a user (in their init_app): callables (user) -> list of
# (label, count, endpoint) or (label, count, endpoint, {url arguments}); services build
# no URLs, the home page does.
INBOX_PROVIDERS: list = []


def _task_links(user) -> list[tuple[str, int, str]]:
    """(label, count, url) of every non-zero line the domains give for this user."""
    links = []
    for provider in INBOX_PROVIDERS:
        for label, count, endpoint, *args in provider(user):
            if count:
                links.append((label, count, url_for(endpoint, **(args[0] if args else {}))))
    return links


@bp.route("/")
@requires(rules.signed_in)
def home():
    from app.stats.services import key_figures  # the dashboard's figures of this year

    return render_template("core/home.html", tasks=_task_links(current_user), figures=key_figures())


def _audit_query():
    """The audit log's entries as filtered by the query string (user, object, action or
    words of its label or summary, Vietnam calendar days), and the filters' errors; the
    page and its export share it."""
    query = db.select(AuditEntry)
    errors = {}
    if user_id := arg_int("user"):
        query = query.where(AuditEntry.user_id == user_id)
    if object_type := request.args.get("object_type", "").strip():
        query = query.where(AuditEntry.object_type == object_type)
    if object_id := request.args.get("object_id", "").strip():
        query = query.where(AuditEntry.object_id == object_id)
    if action := request.args.get("action", "").strip():
        # Part of the action's code ("login" finds auth.login), words of its Vietnamese
        # label ("phê duyệt" finds aid.approve) or of its summary.
        folded = fold(action)
        labelled = [code for code, label in known_labels().items() if folded in fold(label)]
        query = query.where(
            db.or_(
                AuditEntry.action.contains(action.lower(), autoescape=True),
                AuditEntry.action.in_(labelled),
                AuditEntry.summary.icontains(action, autoescape=True),
                # SQLite folds case of ASCII letters only: "đăng nhập" must find "Đăng nhập".
                AuditEntry.summary.contains(action[:1].upper() + action[1:], autoescape=True),
            )
        )
    days = {}
    for name in ("from", "to"):
        raw = request.args.get(name, "").strip()
        try:
            day = parse_date(raw)
        except DateParseError as error:
            errors[name] = str(error)
            continue
        if day is None:
            continue
        days[name] = day
        # Entries are stored in UTC; the filter days are Vietnam calendar days (UTC+7).
        start = datetime.combine(day, time.min) - timedelta(hours=7)
        if name == "from":
            query = query.where(AuditEntry.at >= start)
        else:
            query = query.where(AuditEntry.at < start + timedelta(days=1))
    if len(days) == 2 and days["from"] > days["to"]:
        errors["to"] = "Đến ngày phải từ ngày lọc đầu trở về sau."
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), errors


@bp.route("/quan-tri/nhat-ky")
@requires(rules.read_audit_log)
def audit_log():
    query, errors = _audit_query()
    page = paginate(query)
    users = db.session.execute(db.select(User.id, User.username).order_by(User.username)).all()
    status = 422 if errors else 200
    return (
        render_template(
            "core/audit_log.html",
            page=page,
            rows=describe(page.items, personal=False).rows,
            users=users,
            object_types=sorted(object_labels().items(), key=lambda item: fold(item[1])),
            errors=errors,
        ),
        status,
    )


@bp.route("/quan-tri/nhat-ky/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_audit_log)
def audit_log_export(fmt: str):
    """The filtered log as a table (labels and formatted values, personal data as stored:
    masked); the export itself is audited."""
    query, errors = _audit_query()
    if errors:
        abort(422)
    audit.record(
        AUDIT_LOG_EXPORT,
        object_type="export",
        summary=f"Xuất nhật ký hệ thống ({fmt.upper()}; lọc: {_used_filters() or 'không'})",
    )
    db.session.commit()
    return audit_export.send_audit_log(query, fmt)


def _used_filters() -> str:
    names = ("user", "object_type", "object_id", "action", "from", "to")
    return ", ".join(f"{k}={v}" for k in names if (v := request.args.get(k, "").strip()))


@bp.route("/quan-tri/xa-phuong")
@requires(rules.administer)
def communes():
    province = arg_int("province", 0, 99)
    if province is None and "province" not in request.args:
        province = current_app.config["PROVINCE_CODE"]
    query = db.select(Commune)
    if province:
        query = query.where(Commune.province_code == province)
    if q := request.args.get("q", "").strip():
        query = query.where(Commune.name_folded.contains(fold(q), autoescape=True))
    border = request.args.get("border", "")
    if border in ("1", "0"):
        query = query.where(Commune.is_border.is_(border == "1"))
    page = paginate(query.order_by(Commune.name_folded), per_page=50)
    return render_template(
        "core/communes.html", page=page, provinces=province_choices(), province=province
    )


@bp.route("/quan-tri/xa-phuong/<code>/bien-gioi", methods=["POST"])
@requires(rules.administer)
def commune_border(code: str):
    commune = db.get_or_404(Commune, code)
    new_value = request.form.get("is_border") == "1"
    if set_border_flag(commune, new_value, request.form.get("version", type=int)):
        db.session.commit()
        action = "đánh dấu" if new_value else "bỏ đánh dấu"
        flash(f"Đã {action} {commune.name} là xã biên giới.", "success")
    return redirect(safe_next(request.form.get("back"), url_for("core.communes")))


@bp.route("/tep/<int:attachment_id>")
@requires(rules.read_attachment)
def attachment(attachment_id: int):
    item = db.get_or_404(Attachment, attachment_id)
    rules.read_attachment.require(current_user, item)
    return attachments.send(item)  # from the configured store, streamed
