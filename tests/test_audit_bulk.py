"""audit.record_many writes its entries through app.core.inserts: on PostgreSQL one COPY
(an executemany was one statement per entry: 5.8 s of the 10,000-item import), elsewhere an
executemany; the entries read back equal what was given, changes (JSON), Vietnamese text
and all."""

import sqlalchemy as sa

from app.core import audit, inserts
from app.core.models import AuditEntry


def test_record_many_writes_every_entry_through_insert_rows(app_ctx, db, user, monkeypatch):
    calls = []
    real = inserts.insert_rows

    def spy(table, rows, ids=False):
        calls.append((table.name, len(rows)))
        return real(table, rows, ids)

    monkeypatch.setattr(audit, "insert_rows", spy)
    admin = user("admin")
    rows = [
        audit.entry_row(
            "aid.import",
            "aid_item",
            number,
            f"Nhập từ tệp: khoản viện trợ số {number} – “Trường mầm non”\tcó tab",
            {"value": [None, number], "note": "dòng\nhai"} if number % 2 else None,
            user=admin,
        )
        for number in range(1, 301)
    ]
    audit.record_many(rows)
    db.session.commit()

    assert calls == [("audit_entry", 300)]
    stored = db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.summary, AuditEntry.changes, AuditEntry.user_id)
        .where(AuditEntry.action == "aid.import")
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(r) for r in stored] == [
        (str(r["object_id"]), r["summary"], r["changes"], admin.id) for r in rows
    ]
    if inserts.copies():  # PostgreSQL: ids follow the rows' order, as the INSERT gave them
        assert [r.object_id for r in stored] == [str(n) for n in range(1, 301)]
