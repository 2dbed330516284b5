"""The core of writing a validated workbook: records upserted by `ma`, child rows replaced,
and every change audited with the action names the forms use (AidAudit, DelegationAudit,
OrgAudit), written in bulk through app.core.audit.entry_row/record_many.
"""

import gc
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.states import AidAudit
from app.budget.models import BudgetSpending
from app.budget.states import BudgetAudit
from app.core import audit
from app.core.inserts import insert_rows
from app.core.models import utcnow
from app.delegations.models import Delegation, DelegationMember
from app.delegations.states import DelegationAudit
from app.extensions import db
from app.orgs.models import Organization, OrgAudit
from app.transfer import TransferAudit
from app.transfer.fields import BOOL_FIELDS, DERIVED
from app.transfer.issues import Issue, ReadResult

# model -> (create action, update action) of its forms
RECORD_ACTIONS = {
    Organization: (OrgAudit.CREATE, OrgAudit.UPDATE),
    AidItem: (AidAudit.CREATE, AidAudit.UPDATE),
    Delegation: (DelegationAudit.CREATE, DelegationAudit.UPDATE),
}
# child model -> (add action, archive action) of its forms
CHILD_ACTIONS = {
    Disbursement: (AidAudit.DISBURSEMENT_ADD, AidAudit.DISBURSEMENT_ARCHIVE),
    DelegationMember: (DelegationAudit.MEMBER_ADD, DelegationAudit.MEMBER_REMOVE),
    BudgetSpending: (BudgetAudit.SPENDING_ADD, BudgetAudit.SPENDING_ARCHIVE),
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced: int = 0  # existing rows archived because the file's rows replace them


@dataclass
class ImportReport:
    filename: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [
            f"{sheet}: {c.created} tạo mới, {c.updated} cập nhật, {c.unchanged} không đổi"
            + (f", {c.replaced} dòng cũ được thay thế" if c.replaced else "")
            for sheet, c in self.counts.items()
        ]
        return "; ".join(parts) or "không có dòng dữ liệu"


def value_of(row, key):
    value = row.values.get(key)
    if key == "von_doi_ung" and value is not None:
        return int(value)
    return value


def same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except (InvalidOperation, TypeError):
            return False
    return a == b or (a is None and b is None)


def fingerprints(rows, fields) -> Counter:
    """The rows as a multiset of their values: equal when the file repeats what is stored."""

    def norm(value):
        if isinstance(value, Decimal):
            return value.normalize()
        return value

    return Counter(tuple(norm(r.get(f)) for f in fields) for r in rows)


# Rows written, flushed and audited together: the import's memory is bounded by a batch.
BATCH_ROWS = 1000


def chunks(items, size=900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Writer:
    """What the sheet writers share: the file, the user, the report, the audit rows and the
    ids resolved so far (codes -> ids)."""

    batch_rows = BATCH_ROWS

    def __init__(self, result: ReadResult, user, report: ImportReport, ip: str | None = None):
        self.result = result
        self.user = user
        self.report = report
        self.audit_rows: list[dict] = []
        self.ip = ip if ip is not None else audit.client_ip()
        self.org_ids: dict[str, int] = {}
        self.org_names: dict[int, str] = {}
        self.item_ids: dict[str, int] = {}
        self.delegation_ids: dict[str, int] = {}

    def rows(self, sheet_key):
        return self.result.sheets.get(sheet_key, [])

    def counts(self, sheet_key) -> Counts:
        return self.report.counts.setdefault(sheet_key, Counts())

    def audit(self, action, object_type, object_id, summary, changes=None):
        self.audit_rows.append(
            audit.entry_row(
                action,
                object_type,
                object_id,
                summary,
                changes,
                user=self.user,
                username=None if self.user else "cli",
                ip=self.ip,
            )
        )

    def apply_fields(self, obj, row, mapping) -> None:
        """Set the present columns' values (only where they differ)."""
        for key, name in mapping.items():
            if key not in row.present:
                continue
            new = value_of(row, key)
            if name in BOOL_FIELDS and new is None:
                new = False
            if not same(getattr(obj, name), new):
                setattr(obj, name, new)

    def upsert(
        self,
        sheet_key,
        model,
        mapping,
        make,
        after=None,
        batch_done=None,
        *,
        actions=None,
        extra_fields=(),
    ) -> dict:
        """Create or update one record per row, BATCH_ROWS rows at a time; `after(obj, row,
        created)` sets the rest and `batch_done([(record, created, changes)])` follows up a
        flushed batch. `actions` (create, update) default to the model's in RECORD_ACTIONS;
        `extra_fields` (set by `after`) are compared too, for the audit.

        Each batch is flushed, audited and let go (only code -> id is kept), so the
        memory an import takes does not grow with the file. Returns code -> id."""
        counts = self.counts(sheet_key)
        table = model.__tablename__
        create_action, update_action = actions or RECORD_ACTIONS[model]
        fields = [*mapping.values(), *DERIVED.get(table, ()), *extra_fields]
        source = f"Nhập từ tệp {self.report.filename}"
        ids: dict[str, int] = {}
        for batch in chunks(self.rows(sheet_key), self.batch_rows):
            codes = [row.values["ma"] for row in batch]
            existing = {
                r.code: r for r in db.session.scalars(sa.select(model).where(model.code.in_(codes)))
            }
            touched = []
            for row in batch:
                obj = existing.get(row.values["ma"])
                created = obj is None
                if created:
                    obj = make()
                    db.session.add(obj)
                before = {} if created else {n: audit.plain(getattr(obj, n)) for n in fields}
                self.apply_fields(obj, row, mapping)
                extra = (after(obj, row, created) or {}) if after else {}
                changes = (
                    {}
                    if created
                    else {
                        n: [before[n], audit.plain(getattr(obj, n))]
                        for n in fields
                        if not same(before[n], audit.plain(getattr(obj, n)))
                    }
                )
                changes.update(extra)
                touched.append((obj, created, changes))
            db.session.flush()
            if batch_done is not None:
                batch_done(touched)
                db.session.flush()
            for obj, created, changes in touched:
                ids[obj.code] = obj.id
                if created:
                    counts.created += 1
                    self.audit(create_action, table, obj.id, f"{source}: tạo {obj.code}")
                elif changes:
                    counts.updated += 1
                    self.audit(
                        update_action, table, obj.id, f"{source}: cập nhật {obj.code}", changes
                    )
                else:
                    counts.unchanged += 1
            self.write_audit()
            for obj, _, _ in touched:  # with their children (cascade "all")
                db.session.expunge(obj)
            gc.collect()  # records and their children refer to each other: free them now
        return ids

    def replace(self, model, archive_ids, new_rows, noun):
        """Archive the replaced child rows and insert the file's rows, in bulk."""
        add_action, archive_action = CHILD_ACTIONS[model]
        object_type = model.__tablename__
        now = utcnow()
        source = f"Nhập từ tệp {self.report.filename}"
        reason = f"Thay thế khi nhập tệp {self.report.filename}"
        for chunk in chunks(archive_ids):
            db.session.execute(
                sa.update(model)
                .where(model.id.in_(chunk))
                .values(archived_at=now, archive_reason=reason)
            )
        for old_id in archive_ids:
            self.audit(
                archive_action,
                object_type,
                old_id,
                f"{source}: {noun} cũ được thay thế (lưu trữ)",
            )
        extra = {"created_at": now, "updated_at": now}
        if hasattr(model, "version"):
            extra["version"] = 1
        # Core (COPY on PostgreSQL): the ORM's bulk path costs 10x more here
        rows = [{**extra, **r} for r in new_rows]
        for new_id in insert_rows(model.__table__, rows, ids=True):
            self.audit(add_action, object_type, new_id, f"{source}: {noun}")

    def write_audit(self) -> None:
        """Insert the audit rows gathered so far (a batch's), and let them go."""
        if self.audit_rows:
            audit.record_many(self.audit_rows)
            self.audit_rows = []

    def finish(self):
        self.audit(
            TransferAudit.IMPORT,
            "import",
            self.report.filename,
            f"Nhập tệp {self.report.filename}: {self.report.summary()}",
        )
        self.write_audit()
