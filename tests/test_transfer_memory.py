"""The import writes a batch of rows at a time, so its memory does not grow with the file
(issue 10, item 6). The full-scale figures (100,000 rows, peak RSS of the upload) are in
docs/performance.md, "Large accepted files", measured with scripts/upload_cost.py."""

import gc
import tracemalloc

import pytest
import sqlalchemy as sa

from app.aid.models import AidItem
from app.core.models import AuditEntry
from app.demo_records import build_workbook
from app.transfer.importer import import_workbook
from app.transfer.upsert import Writer


@pytest.fixture
def admin(user):
    return user("admin")


def writing_cost(db, admin, data: bytes, batch_rows: int, monkeypatch) -> int:
    """Python's peak allocation (bytes) while the checked file is written, above what was
    held when writing began (the rows read)."""
    monkeypatch.setattr(Writer, "batch_rows", batch_rows)
    start = []

    def progress(_text, step, _steps):
        if step == 2 and not start:  # the first writing step: the file is read and checked
            start.append(tracemalloc.get_traced_memory()[0])
            tracemalloc.reset_peak()

    gc.collect()
    tracemalloc.start()
    try:
        report = import_workbook(data, "lon.xlsx", admin, progress=progress)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.ok, report.errors[:3]
    db.session.rollback()  # as the check of an upload does; the next run starts empty
    return peak - start[0]


def test_an_accepted_file_is_written_in_batches_of_bounded_memory(app_ctx, db, admin, monkeypatch):
    def workbook(items: int) -> bytes:
        return build_workbook(
            organizations=40, items=items, disbursements=items, delegations=0, members=0
        )

    small, large = workbook(300), workbook(1200)
    batched = [writing_cost(db, admin, data, 100, monkeypatch) for data in (small, large)]
    at_once = writing_cost(db, admin, large, 10**9, monkeypatch)
    print(
        "writing, MiB: batched", [round(b / 2**20, 1) for b in batched], "at once", at_once / 2**20
    )
    assert batched[1] < batched[0] * 1.5  # four times the rows, about the same memory
    assert batched[1] < at_once * 0.5
    assert db.session.scalar(sa.select(sa.func.count(AidItem.id))) == 0


def counts_of(report) -> dict:
    return {sheet: vars(c) for sheet, c in report.counts.items()}


def test_the_batch_size_changes_nothing_that_is_written(app_ctx, db, admin, monkeypatch):
    """Small batches split records, their children and the audit across many flushes: the
    result is the same as one batch, and a re-import finds everything unchanged."""
    data = build_workbook()  # every sheet: 20 organisations ... 160 members
    monkeypatch.setattr(Writer, "batch_rows", 10**9)
    whole = import_workbook(data, "a.xlsx", admin)
    whole_audit = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    db.session.rollback()

    monkeypatch.setattr(Writer, "batch_rows", 7)
    batched = import_workbook(data, "a.xlsx", admin)
    assert counts_of(batched) == counts_of(whole)
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == whole_audit
    db.session.commit()
    again = import_workbook(data, "a.xlsx", admin)
    assert again.ok, again.errors[:3]
    assert {c["created"] + c["updated"] for c in counts_of(again).values()} == {0}
    assert counts_of(again)["ThanhVien"]["unchanged"] == 160
    db.session.rollback()
