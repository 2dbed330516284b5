"""Writing the child sheets: an aid item's disbursements (GiaiNgan) and a delegation's
members (ThanhVien). The file's rows for a record replace its current rows (archived, not
deleted) unless they are the same rows; records the file does not list keep theirs."""

from collections import defaultdict

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.services.money import over_disbursed_condition
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations.models import Delegation, DelegationMember
from app.delegations.services.revisions import Line, note_changes
from app.extensions import db
from app.transfer.fields import DISBURSEMENT_FIELDS, MEMBER_FIELDS
from app.transfer.issues import Issue
from app.transfer.upsert import Writer, chunks, fingerprints


def replace_children(w: Writer, sheet: str, model, parent: str, wanted: dict, values, fields, noun):
    """The file's rows of each record (`wanted`: record id -> the sheet's rows, turned into
    column values by `values(row)`) replace its current rows unless they are the same rows
    (compared on `fields`). Records are taken a batch at a time (Writer.batch_rows rows), so the
    memory does not grow with the file. Returns the ids of the records changed."""
    counts = w.counts(sheet)
    parent_column = getattr(model, parent)
    changed = set()
    for batch in _batches(wanted, w.batch_rows):
        current = defaultdict(list)  # record id -> its stored rows (plain values, not objects)
        columns = [model.id, parent_column, *(getattr(model, f) for f in fields)]
        for row in db.session.execute(
            sa.select(*columns).where(parent_column.in_(batch), model.archived_at.is_(None))
        ).mappings():
            current[row[parent]].append(row)
        new_rows, archive_ids = [], []
        for record_id in batch:
            rows = [{parent: record_id, **values(row)} for row in wanted[record_id]]
            stored = current[record_id]
            if fingerprints(rows, fields) == fingerprints(stored, fields):
                counts.unchanged += len(rows)
                continue
            archive_ids += [row["id"] for row in current[record_id]]
            new_rows += rows
            counts.created += len(rows)
            changed.add(record_id)
        counts.replaced += len(archive_ids)
        w.replace(model, archive_ids, new_rows, noun)
        w.write_audit()
    return changed


def _batches(wanted: dict, batch_rows: int):
    """The record ids of `wanted`, in groups of about `batch_rows` rows."""
    batch, size = [], 0
    for record_id, rows in wanted.items():
        batch.append(record_id)
        size += len(rows)
        if size >= batch_rows:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def write_disbursements(w: Writer) -> None:
    wanted = defaultdict(list)
    for row in w.rows("GiaiNgan"):
        wanted[w.item_ids[row.values["ma_vien_tro"]]].append(row)
    recorded_by_id = getattr(w.user, "id", None)

    def values(row) -> dict:
        values = {name: row.values.get(key) for key, name in DISBURSEMENT_FIELDS.items()}
        values["verified"] = bool(values["verified"])
        if values["currency"] == "VND":
            values["rate_vnd"] = None
        if values["currency"] == "USD" and values["rate_usd"] is None:
            values["rate_usd"] = values["rate_vnd"]
        values["value_vnd"] = to_vnd(values["amount"], values["rate_vnd"])
        values["recorded_by_id"] = recorded_by_id
        return values

    fields = (*DISBURSEMENT_FIELDS.values(), "value_vnd")
    replace_children(
        w, "GiaiNgan", Disbursement, "aid_item_id", wanted, values, fields, "giải ngân"
    )
    # An import records what happened, so money above the approved value is not refused;
    # the check's report says so, item by item, before the user confirms the import.
    for batch in chunks(list(wanted), w.batch_rows):
        over = sa.select(AidItem.code).where(AidItem.id.in_(batch), over_disbursed_condition())
        for code in db.session.scalars(over.order_by(AidItem.code)):
            w.report.warnings.append(
                Issue(
                    "GiaiNgan",
                    None,
                    None,
                    f"Khoản viện trợ {code}: tổng giải ngân vượt giá trị được phê duyệt (kể "
                    "cả điều chỉnh). Hãy kiểm tra trước khi xác nhận nhập.",
                )
            )


def write_members(w: Writer) -> None:
    wanted = defaultdict(list)
    for row in w.rows("ThanhVien"):
        wanted[w.delegation_ids[row.values["ma_doan"]]].append(row)

    def values(row) -> dict:
        values = {name: row.values.get(key) for key, name in MEMBER_FIELDS.items()}
        values["is_head"] = bool(values["is_head"])
        values["name_folded"] = fold(values["full_name"])
        return values

    fields = (*MEMBER_FIELDS.values(),)
    changed = replace_children(
        w, "ThanhVien", DelegationMember, "delegation_id", wanted, values, fields, "thành viên đoàn"
    )
    if not changed:
        return
    # Member names are part of the delegations' search text.
    for batch in chunks(sorted(changed), w.batch_rows):
        names = defaultdict(list)
        for delegation_id, name in db.session.execute(
            sa.select(DelegationMember.delegation_id, DelegationMember.full_name).where(
                DelegationMember.delegation_id.in_(batch), DelegationMember.archived_at.is_(None)
            )
        ):
            names[delegation_id].append(name)
        delegations = db.session.scalars(sa.select(Delegation).where(Delegation.id.in_(batch)))
        for delegation in delegations.all():
            delegation.refresh_search_text(names[delegation.id])
            # a reviewed delegation whose members the file replaced is reviewed again
            text = f"Nhập từ tệp {w.report.filename}: danh sách thành viên được thay thế"
            note_changes(
                delegation, [Line(f"{text} ({len(names[delegation.id])} người)")], user=w.user
            )
        db.session.flush()
