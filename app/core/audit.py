"""The audit log: one entry per create, change, transition, login and export.

`record()` only adds to the session; the caller's single commit saves the change and its
entry together. Entries are never updated or deleted (enforced in before_flush).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.inserts import insert_rows
from app.core.models import AuditEntry, utcnow
from app.extensions import db

# What the audit log page calls each kind of object (the audited table's name).
OBJECT_LABELS = {
    "agency": "Cơ quan, đơn vị",
    "aid_item": "Khoản viện trợ",
    "aid_report": "Báo cáo viện trợ",
    "attachment": "Tệp đính kèm",
    "border_permit": "Giấy phép vào khu vực biên giới",
    "commune": "Xã, phường",
    "decision": "Quyết định",
    "delegation": "Đoàn ra, đoàn vào",
    "delegation_member": "Thành viên đoàn",
    "delegation_review": "Ý kiến về đoàn",
    "disbursement": "Giải ngân",
    "export": "Xuất dữ liệu",
    "inspection": "Kiểm tra, giám sát",
    "opinion": "Ý kiến góp ý",
    "organization": "Tổ chức tài trợ",
    "user": "Người dùng",
    "visit_report": "Báo cáo kết quả đoàn",
}


# Listeners of recorded entries: {action: [callable(entry)]}. Each runs when an entry of its
# action is recorded, in the same session (what it adds is committed with the entry, or
# rolled back with it); it must not change the entry. Registered by a domain's init_app
# with listen() (the notifications: app/notifications/producers.py).
LISTENERS: dict[str, list] = {}


def listen(action: str, listener) -> None:
    """Run `listener(entry)` whenever an entry of `action` is recorded (once per listener)."""
    found = LISTENERS.setdefault(action, [])
    if listener not in found:
        found.append(listener)


def _tell_listeners(entry: AuditEntry) -> None:
    for listener in LISTENERS.get(entry.action, ()):
        listener(entry)


def object_label(object_type: str | None) -> str:
    return OBJECT_LABELS.get(object_type or "", object_type or "")


def plain(value):
    """A JSON-friendly rendering of a field value for the diff."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def snapshot(obj, fields) -> dict:
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _current_user():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def client_ip():
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    action: str,
    obj=None,
    *,
    summary: str = "",
    changes: dict | None = None,
    user=None,
    username: str | None = None,
    object_type: str | None = None,
    object_id=None,
) -> AuditEntry:
    """Add an audit entry to the session (flushed with the change it describes)."""
    user = user or _current_user()
    # Unwrap proxies such as flask_login.current_user.
    user = getattr(user, "_get_current_object", lambda: user)()
    obj = getattr(obj, "_get_current_object", lambda: obj)()
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        if object_id is None:
            identity = inspect(obj).identity
            if identity is None:
                db.session.flush([obj])
                identity = inspect(obj).identity
            object_id = identity[0] if identity else None
    entry = AuditEntry(
        user_id=user.id if user else None,
        username=username or (user.username if user else None),
        ip=client_ip(),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary[:500],
        changes=changes or None,
    )
    db.session.add(entry)
    _tell_listeners(entry)
    return entry


def entry_row(
    action: str,
    object_type: str,
    object_id,
    summary: str,
    changes: dict | None = None,
    *,
    user=None,
    username: str | None = None,
    ip: str | None = None,
) -> dict:
    """One audit entry as a plain row, for bulk writers (see record_many)."""
    return {
        "at": utcnow(),
        "user_id": user.id if user else None,
        "username": username or (user.username if user else None),
        "ip": ip,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "summary": summary[:500],
        "changes": changes or None,
    }


def record_many(rows: list[dict]) -> None:
    """Insert many audit entries (rows from entry_row) in bulk, in the caller's transaction.

    The same vocabulary as record(): a bulk writer such as the workbook import uses the
    action names the forms use, so filtering the log finds both. Written by
    app.core.inserts (on PostgreSQL one COPY: an executemany was a statement per row, 5.8 s
    of the 10,000-item import's 95,000 entries).
    """
    insert_rows(AuditEntry.__table__, rows)
    for row in rows:  # listeners see a copy of the inserted row (not added to the session)
        if row["action"] in LISTENERS:
            _tell_listeners(AuditEntry(**row))


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("Audit entries are append-only")
