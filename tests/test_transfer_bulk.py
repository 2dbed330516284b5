"""The workbook import writes aid items and delegations in bulk (issue 15, item 7): the
number of SQL statements grows with the batches, not with the rows; the audit log gets the
same entries as the former ORM writer (a golden file written by it); export and import
round trips are unchanged."""

import json
import os
from collections import Counter
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid.models import AidItem, Disbursement
from app.auth.models import Agency
from app.core.models import AuditEntry
from app.delegations.models import Delegation, DelegationMember, ItineraryStop
from app.demo_records import build_workbook
from app.extensions import db as _db
from app.orgs.models import Organization
from app.transfer.exporter import export_workbook
from app.transfer.importer import import_workbook

TODAY = date(2026, 6, 30)
GOLDEN = Path(__file__).parent / "fixtures" / "import_audit_golden.json"


def workbook(n: int, seed: int = 2025) -> bytes:
    return build_workbook(
        organizations=12,
        items=n,
        disbursements=n,
        delegations=n,
        members=2 * n,
        seed=seed,
        today=TODAY,
        diplomacy=False,
    )


def counted_import(data: bytes, admin) -> tuple[int, object]:
    """(SQL statements sent while importing, the report)."""
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    engine = _db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        report = import_workbook(data, "dem.xlsx", admin)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert report.ok, report.errors[:3]
    return len(statements), report


def test_statements_grow_by_batches_not_by_rows(app_ctx, db, user):
    """50 and 500 items, as many delegations, twice as many members: the larger file sends
    about as many statements (ten times the rows, not ten times the statements)."""
    admin = user("admin")
    costs = {}
    for n in (50, 500):
        first, report = counted_import(workbook(n), admin)
        assert report.counts["VienTro"].created == n
        again, report = counted_import(workbook(n), admin)
        assert report.counts["VienTro"].unchanged == n
        assert report.counts["Doan"].unchanged == n
        costs[n] = (first, again)
        db.session.rollback()
    print("statements (first import, again):", costs)
    assert costs[500][0] - costs[50][0] < 45  # 4,950 more rows written, per-row would be >450
    assert costs[500][1] - costs[50][1] < 45


# --- The same audit entries as the ORM writer ------------------------------------------------


def _names() -> dict:
    """id -> a stable name, per kind of record (ids differ between databases and runs)."""
    session = _db.session
    return {
        "aid_item": dict(session.execute(sa.select(AidItem.id, AidItem.code)).all()),
        "delegation": dict(session.execute(sa.select(Delegation.id, Delegation.code)).all()),
        "organization": dict(session.execute(sa.select(Organization.id, Organization.code)).all()),
        "agency": dict(session.execute(sa.select(Agency.id, Agency.name)).all()),
        "disbursement": dict(
            session.execute(
                sa.select(Disbursement.id, AidItem.code).join(
                    AidItem, AidItem.id == Disbursement.aid_item_id
                )
            ).all()
        ),
        "delegation_member": dict(
            session.execute(
                sa.select(DelegationMember.id, Delegation.code).join(
                    Delegation, Delegation.id == DelegationMember.delegation_id
                )
            ).all()
        ),
    }


ID_FIELDS = {
    "aid_item_id": "aid_item",
    "main_donor_id": "organization",
    "organization_id": "organization",
    "host_agency_id": "agency",
    "donors": "organization",
}


def _entries(since: int) -> list[str]:
    """The audit entries after id `since`, without ids, times and addresses, sorted."""
    names = _names()

    def named(kind, value):
        if isinstance(value, list):
            return [named(kind, v) for v in value]
        return names[kind].get(value, value) if value is not None else None

    out = []
    query = sa.select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
    for entry in _db.session.scalars(query):
        changes = {
            field: [named(ID_FIELDS[field], v) for v in pair] if field in ID_FIELDS else pair
            for field, pair in (entry.changes or {}).items()
        }
        kind = entry.object_type
        object_id = int(entry.object_id) if (entry.object_id or "").isdigit() else entry.object_id
        shown = names[kind].get(object_id, object_id) if kind in names else entry.object_id
        out.append(
            json.dumps(
                [entry.action, kind, shown, entry.username, entry.summary, changes],
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    return sorted(out)


def _last_audit_id() -> int:
    return _db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def test_the_audit_log_gets_the_same_entries_as_the_orm_writer(app_ctx, db, user):
    """Create (seed 2025), then a file of another seed: some codes are the same records
    with other values (updates of fields, donors, sectors, communes, itineraries, members
    and disbursements replaced), the others new; then that file again (nothing changes).
    The entries are those the ORM writer wrote (tests/fixtures/import_audit_golden.json,
    written by this test on the commit before the bulk writer with WRITE_IMPORT_GOLDEN=1)."""
    admin = user("admin")
    steps = {}
    for name, data in (
        ("create", workbook(40)),
        ("update", workbook(40, seed=7)),
        ("again", workbook(40, seed=7)),
    ):
        since = _last_audit_id()
        report = import_workbook(data, f"{name}.xlsx", admin)
        assert report.ok, report.errors[:3]
        steps[name] = {
            "counts": {sheet: vars(c) for sheet, c in report.counts.items()},
            "entries": _entries(since),
        }
    assert steps["update"]["counts"]["VienTro"]["updated"] > 0
    assert steps["update"]["counts"]["Doan"]["updated"] > 0
    if os.environ.get("WRITE_IMPORT_GOLDEN"):
        GOLDEN.write_text(json.dumps(steps, ensure_ascii=False, indent=0, sort_keys=True))
    golden = json.loads(GOLDEN.read_text())
    for name in steps:
        assert steps[name]["counts"] == golden[name]["counts"], name
        assert Counter(steps[name]["entries"]) == Counter(golden[name]["entries"]), name


def _with_lists(data: bytes, reorder) -> bytes:
    """The workbook with each item's sectors (column `Lĩnh vực`) and communes (`Địa bàn`)
    passed through `reorder` (a list -> the list to write)."""
    book = load_workbook(BytesIO(data))
    sheet = book["VienTro"]
    header = [cell.value for cell in sheet[1]]
    for column in (header.index("Lĩnh vực") + 1, header.index("Địa bàn") + 1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if cell.value:
                cell.value = "; ".join(reorder([v.strip() for v in cell.value.split(";")]))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_sectors_and_communes_in_another_order_change_nothing(app_ctx, db, user):
    """The spec's sectors and communes are sets (no order): a file that lists an item's
    sectors (with or without shares) and communes in another order than the stored one
    re-imports with nothing created or updated and no audit entry for the items."""
    admin = user("admin")
    data = workbook(12)
    book = load_workbook(BytesIO(data))
    sheet = book["VienTro"]
    header = [cell.value for cell in sheet[1]]
    sectors_at, communes_at = header.index("Lĩnh vực") + 1, header.index("Địa bàn") + 1
    communes = sorted(
        {
            str(c)
            for (c,) in sheet.iter_rows(
                min_row=2, min_col=communes_at, max_col=communes_at, values_only=True
            )
            if c
        }
    )
    assert len(communes) >= 3
    lists = (
        ("giao_duc; moi_truong; ha_tang", communes[:3]),
        ("y_te:70; nuoc_ve_sinh:20; cong_dong:10", communes[1:3]),
        ("cuu_tro; sinh_ke", communes[:2]),
    )
    for row, (sectors, codes) in zip(range(2, 5), lists, strict=True):
        sheet.cell(row, sectors_at).value = sectors
        sheet.cell(row, communes_at).value = "; ".join(codes)
    out = BytesIO()
    book.save(out)
    first = import_workbook(out.getvalue(), "a.xlsx", admin)
    assert first.ok, first.errors[:3]
    stored = _db.session.scalars(sa.select(AidItem).where(AidItem.code == sheet["A2"].value))
    assert len(next(iter(stored)).sectors) == 3

    for name, reorder in (("dao.xlsx", lambda v: v[::-1]), ("xoay.xlsx", lambda v: v[1:] + v[:1])):
        since = _last_audit_id()
        again = import_workbook(_with_lists(out.getvalue(), reorder), name, admin)
        assert again.ok, again.errors[:3]
        counts = again.counts["VienTro"]
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 12), name
        assert {c.created + c.updated + c.replaced for c in again.counts.values()} == {0}
        entries = [json.loads(e) for e in _entries(since)]
        assert [e for e in entries if e[1] == "aid_item"] == [], name


# --- Round trips ------------------------------------------------------------------------------


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(BytesIO(data), read_only=True)
    return {sheet.title: sorted(map(repr, sheet.iter_rows(values_only=True))) for sheet in book}


def test_import_export_import_round_trips_unchanged(app_ctx, db, user):
    admin = user("admin")
    report = import_workbook(workbook(60), "a.xlsx", admin)
    assert report.ok, report.errors[:3]
    first = export_workbook(include_personal=True, user=admin)
    again = import_workbook(first, "xuat.xlsx", admin)
    assert again.ok, again.errors[:3]
    assert {c.created + c.updated + c.replaced for c in again.counts.values()} == {0}
    second = export_workbook(include_personal=True, user=admin)
    assert _sheets(second) == _sheets(first)


def test_bulk_written_records_read_back_as_the_orm_wrote_them(app_ctx, db, user):
    """Defaults, children, derived fields and search texts of bulk-written records."""
    admin = user("admin")
    assert import_workbook(workbook(30), "a.xlsx", admin).ok
    for item in _db.session.scalars(sa.select(AidItem)):
        assert item.version == 1 and item.created_at is not None
        assert item.main_donor_id == item.donors[0].organization_id
        assert item.search_text and item.code.lower() in item.search_text
        assert item.sectors and item.created_by_id == admin.id
        shares = [s.share for s in item.sectors]
        assert None in shares or sum(shares) == Decimal(100)
    for delegation in _db.session.scalars(sa.select(Delegation)):
        assert delegation.host_agency_id is not None
        assert delegation.author_agency_id == admin.agency_id
        codes = [s.commune_code for s in delegation.stops]
        assert codes == sorted(codes, key=codes.index)  # itinerary kept in file order
    assert _db.session.scalar(sa.select(sa.func.count(ItineraryStop.id))) > 0


@pytest.mark.parametrize("where", ["items", "delegations"])
def test_an_update_of_a_row_changed_meanwhile_is_refused(app_ctx, db, user, where, monkeypatch):
    """The bulk UPDATE checks the version read, as the ORM's optimistic locking did."""
    from app.transfer import bulk

    admin = user("admin")
    assert import_workbook(workbook(20), "a.xlsx", admin).ok
    model = AidItem if where == "items" else Delegation
    real = bulk.update_records

    def changed_meanwhile(table, changes):
        if table is model.__table__ and changes:
            _db.session.execute(
                sa.update(table)
                .where(table.c.id == changes[0][0])
                .values(version=table.c.version + 1)
            )
        return real(table, changes)

    monkeypatch.setattr(bulk, "update_records", changed_meanwhile)
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError):
        import_workbook(workbook(20, seed=7), "b.xlsx", admin)
