"""The audit log as a table (XLSX/CSV through app.core.export): the same labels and
formatted values as the page (app.core.history), described a thousand entries at a time
so the names behind ids are read once per table per thousand."""

from itertools import islice

from app.core.dates import format_datetime
from app.core.export import send_table
from app.core.history import describe
from app.extensions import db

HEADERS = [
    "Thời điểm",
    "Người dùng",
    "Tên đăng nhập",
    "IP",
    "Thao tác",
    "Đối tượng",
    "Nội dung",
    "Thay đổi",
]
CHUNK = 1000


def audit_rows(query):
    entries = db.session.scalars(query.execution_options(yield_per=CHUNK))
    while chunk := list(islice(entries, CHUNK)):
        for row in describe(chunk, personal=False).rows:
            entry = row.entry
            yield [
                format_datetime(row.at),
                row.who,
                entry.username or (entry.user.username if entry.user else None),
                entry.ip,
                row.action,
                row.what,
                row.summary,
                row.changes_text,
            ]


def send_audit_log(query, fmt: str):
    return send_table("nhat-ky-he-thong", "Nhật ký", HEADERS, audit_rows(query), fmt)
