"""Writing the child sheets: an aid item's disbursements (GiaiNgan) and a delegation's
members (ThanhVien). The file's rows for a record replace its current rows (archived, not
deleted) unless they are the same rows; records the file does not list keep theirs."""

from collections import defaultdict

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.services.money import over_disbursed_condition
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations.models import BorderPermit, Delegation, DelegationMember, Review
from app.delegations.services.revisions import Line, note_changes
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.bulk import Plain, update_records
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
    # Member names are part of the delegations' search text (the model's own function, on
    # the stored values); a reviewed delegation whose members the file replaced is reviewed
    # again (note_changes, only for the delegations someone reviewed).
    table = Delegation.__table__
    for batch in chunks(sorted(changed), w.batch_rows):
        names = defaultdict(list)
        for delegation_id, name in db.session.execute(
            sa.select(DelegationMember.delegation_id, DelegationMember.full_name)
            .where(
                DelegationMember.delegation_id.in_(batch), DelegationMember.archived_at.is_(None)
            )
            .order_by(DelegationMember.delegation_id, DelegationMember.id)
        ):
            names[delegation_id].append(name)
        query = (
            sa.select(table, Organization.name.label("organization__name"))
            .outerjoin(Organization, Organization.id == table.c.organization_id)
            .where(table.c.id.in_(batch))
        )
        updates = []
        for row in db.session.execute(query).mappings():
            values = dict(row)
            org_name = values.pop("organization__name")
            delegation = Plain(values)
            organization = Plain({"name": org_name}) if values["organization_id"] else None
            delegation.organization = organization
            Delegation.refresh_search_text(delegation, names[delegation.id])
            if changed_values := delegation.changed_fields(["search_text"]):
                updates.append((delegation.id, delegation.version, changed_values))
        update_records(table, updates)
        text = f"Nhập từ tệp {w.report.filename}: danh sách thành viên được thay thế"
        for delegation_id in sorted(reviewed_delegations(batch)):
            delegation = db.session.get(Delegation, delegation_id, populate_existing=True)
            note_changes(
                delegation, [Line(f"{text} ({len(names[delegation_id])} người)")], user=w.user
            )
            db.session.expunge(delegation)


def reviewed_delegations(ids) -> set[int]:
    """The delegations someone reviewed: a review or a live border permit (as
    app.delegations.services.revisions._reviewed asks, for a batch in two queries)."""
    reviews = sa.select(Review.delegation_id).where(Review.delegation_id.in_(ids))
    permits = sa.select(BorderPermit.delegation_id).where(
        BorderPermit.delegation_id.in_(ids), BorderPermit.archived_at.is_(None)
    )
    return set(db.session.scalars(reviews)) | set(db.session.scalars(permits))
