"""Writing the child sheets: an aid item's disbursements (GiaiNgan) and a delegation's
members (ThanhVien). The file's rows for a record replace its current rows (archived, not
deleted) unless they are the same rows; records the file does not list keep theirs."""

from collections import defaultdict

import sqlalchemy as sa

from app.aid.models import Disbursement
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations.models import Delegation, DelegationMember
from app.extensions import db
from app.transfer.fields import DISBURSEMENT_FIELDS, MEMBER_FIELDS
from app.transfer.upsert import Writer, fingerprints


def _replace_children(w: Writer, sheet: str, model, parent: str, wanted: dict, fields, noun: str):
    """The file's rows of each record (`wanted`: record id -> rows) replace its current rows
    unless they are the same rows (compared on `fields`); returns the rows inserted."""
    counts = w.counts(sheet)
    if not wanted:
        return []
    current = defaultdict(list)
    parent_column = getattr(model, parent)
    for row in db.session.scalars(
        sa.select(model).where(parent_column.in_(wanted), model.archived_at.is_(None))
    ):
        current[getattr(row, parent)].append(row)
    new_rows, archive_ids = [], []
    for record_id, rows in wanted.items():
        stored = [{k: getattr(row, k) for k in fields} for row in current[record_id]]
        if fingerprints(rows, fields) == fingerprints(stored, fields):
            counts.unchanged += len(rows)
            continue
        archive_ids += [row.id for row in current[record_id]]
        new_rows += [{parent: record_id, **r} for r in rows]
        counts.created += len(rows)
    counts.replaced += len(archive_ids)
    w.replace(model, archive_ids, new_rows, noun)
    return new_rows


def write_disbursements(w: Writer) -> None:
    wanted = defaultdict(list)
    recorded_by_id = getattr(w.user, "id", None)
    for row in w.rows("GiaiNgan"):
        values = {name: row.values.get(key) for key, name in DISBURSEMENT_FIELDS.items()}
        values["verified"] = bool(values["verified"])
        if values["currency"] == "VND":
            values["rate_vnd"] = None
        if values["currency"] == "USD" and values["rate_usd"] is None:
            values["rate_usd"] = values["rate_vnd"]
        values["value_vnd"] = to_vnd(values["amount"], values["rate_vnd"])
        values["recorded_by_id"] = recorded_by_id
        wanted[w.item_ids[row.values["ma_vien_tro"]]].append(values)
    fields = (*DISBURSEMENT_FIELDS.values(), "value_vnd")
    _replace_children(w, "GiaiNgan", Disbursement, "aid_item_id", wanted, fields, "giải ngân")


def write_members(w: Writer) -> None:
    wanted = defaultdict(list)
    for row in w.rows("ThanhVien"):
        values = {name: row.values.get(key) for key, name in MEMBER_FIELDS.items()}
        values["is_head"] = bool(values["is_head"])
        values["name_folded"] = fold(values["full_name"])
        wanted[w.delegation_ids[row.values["ma_doan"]]].append(values)
    fields = (*MEMBER_FIELDS.values(),)
    new_rows = _replace_children(
        w, "ThanhVien", DelegationMember, "delegation_id", wanted, fields, "thành viên đoàn"
    )
    if not wanted:
        return
    # Member names are part of the delegations' search text.
    changed = {r["delegation_id"] for r in new_rows}
    names = defaultdict(list)
    for delegation_id, name in db.session.execute(
        sa.select(DelegationMember.delegation_id, DelegationMember.full_name).where(
            DelegationMember.delegation_id.in_(changed), DelegationMember.archived_at.is_(None)
        )
    ):
        names[delegation_id].append(name)
    for delegation in db.session.scalars(sa.select(Delegation).where(Delegation.id.in_(changed))):
        delegation.refresh_search_text(names[delegation.id])
