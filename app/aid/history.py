"""An aid item's history: every audit entry of the item and of its parts (opinions,
decisions, disbursements, planned disbursements, reports, inspections, notices) and of the
files attached to any of them, as one query (the parts' ids are subqueries, so the number
of queries does not grow with the entries or the parts)."""

import sqlalchemy as sa

from app.aid.models import (
    AidItem,
    AidReport,
    Decision,
    Disbursement,
    Inspection,
    Opinion,
    PlannedDisbursement,
)
from app.aid.notices import AidNotice
from app.core.models import Attachment, AuditEntry

# The item's parts: rows with an aid_item_id, audited under their own table's name.
PARTS = (Opinion, Decision, Disbursement, PlannedDisbursement, AidReport, Inspection, AidNotice)


def _ids(model, item_id: int, as_text: bool = True):
    column = sa.cast(model.id, sa.String) if as_text else model.id
    return sa.select(column).where(model.aid_item_id == item_id)


def history_query(item: AidItem) -> sa.Select:
    """The entries of the item, its parts and their files, newest first."""
    table = AidItem.__tablename__
    owners = [sa.and_(Attachment.owner_type == table, Attachment.owner_id == item.id)]
    owners += [
        sa.and_(
            Attachment.owner_type == model.__tablename__,
            Attachment.owner_id.in_(_ids(model, item.id, as_text=False)),
        )
        for model in PARTS
    ]
    files = sa.select(sa.cast(Attachment.id, sa.String)).where(sa.or_(*owners))
    concerns = [
        sa.and_(AuditEntry.object_type == table, AuditEntry.object_id == str(item.id)),
        sa.and_(
            AuditEntry.object_type == Attachment.__tablename__, AuditEntry.object_id.in_(files)
        ),
        *(
            sa.and_(
                AuditEntry.object_type == model.__tablename__,
                AuditEntry.object_id.in_(_ids(model, item.id)),
            )
            for model in PARTS
        ),
    ]
    return (
        sa.select(AuditEntry)
        .where(sa.or_(*concerns))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
