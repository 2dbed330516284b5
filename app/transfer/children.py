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


def write_disbursements(w: Writer) -> None:
    counts = w.counts("GiaiNgan")
    wanted = defaultdict(list)
    for row in w.rows("GiaiNgan"):
        values = {name: row.values.get(key) for key, name in DISBURSEMENT_FIELDS.items()}
        values["verified"] = bool(values["verified"])
        if values["currency"] == "VND":
            values["rate_vnd"] = None
        if values["currency"] == "USD" and values["rate_usd"] is None:
            values["rate_usd"] = values["rate_vnd"]
        values["value_vnd"] = to_vnd(values["amount"], values["rate_vnd"])
        wanted[w.item_ids[row.values["ma_vien_tro"]]].append(values)
    if not wanted:
        return
    current = defaultdict(list)
    for d in db.session.scalars(
        sa.select(Disbursement).where(
            Disbursement.aid_item_id.in_(wanted), Disbursement.archived_at.is_(None)
        )
    ):
        current[d.aid_item_id].append(d)
    new_rows, archive_ids = [], []
    for item_id, rows in wanted.items():
        fields = (*DISBURSEMENT_FIELDS.values(), "value_vnd")
        stored = [{k: getattr(d, k) for k in fields} for d in current[item_id]]
        if fingerprints(rows, fields) == fingerprints(stored, fields):
            counts.unchanged += len(rows)
            continue
        archive_ids += [d.id for d in current[item_id]]
        new_rows += [
            {"aid_item_id": item_id, **r, "recorded_by_id": getattr(w.user, "id", None)}
            for r in rows
        ]
        counts.created += len(rows)
    counts.replaced += len(archive_ids)
    w.replace(Disbursement, archive_ids, new_rows, "giải ngân")


def write_members(w: Writer) -> None:
    counts = w.counts("ThanhVien")
    wanted = defaultdict(list)
    for row in w.rows("ThanhVien"):
        values = {name: row.values.get(key) for key, name in MEMBER_FIELDS.items()}
        values["is_head"] = bool(values["is_head"])
        values["name_folded"] = fold(values["full_name"])
        wanted[w.delegation_ids[row.values["ma_doan"]]].append(values)
    if not wanted:
        return
    current = defaultdict(list)
    for m in db.session.scalars(
        sa.select(DelegationMember).where(
            DelegationMember.delegation_id.in_(wanted), DelegationMember.archived_at.is_(None)
        )
    ):
        current[m.delegation_id].append(m)
    new_rows, archive_ids = [], []
    for delegation_id, rows in wanted.items():
        fields = (*MEMBER_FIELDS.values(),)
        if fingerprints(rows, fields) == fingerprints(
            [{k: getattr(m, k) for k in fields} for m in current[delegation_id]], fields
        ):
            counts.unchanged += len(rows)
            continue
        archive_ids += [m.id for m in current[delegation_id]]
        new_rows += [{"delegation_id": delegation_id, **r} for r in rows]
        counts.created += len(rows)
    counts.replaced += len(archive_ids)
    w.replace(DelegationMember, archive_ids, new_rows, "thành viên đoàn")
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
