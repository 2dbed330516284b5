"""An aid item's history: every audit entry of the item and of its parts (opinions,
decisions, disbursements, planned disbursements, reports, inspections, notices) and of the
files attached to any of them. The ids of the parts and files are read in one query, then
the entries in one (each with its count for the pages): the number of queries grows
neither with the entries nor with the parts."""

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
from app.core.history import entries_of, keyed, record_keys
from app.core.models import Attachment

# The item's parts: rows with an aid_item_id, audited under their own table's name.
PARTS = (Opinion, Decision, Disbursement, PlannedDisbursement, AidReport, Inspection, AidNotice)


def history_query(item: AidItem) -> sa.Select:
    """The entries of the item, its parts and their files, newest first."""
    owners = [
        sa.and_(Attachment.owner_type == AidItem.__tablename__, Attachment.owner_id == item.id)
    ]
    owners += [
        sa.and_(
            Attachment.owner_type == model.__tablename__,
            Attachment.owner_id.in_(sa.select(model.id).where(model.aid_item_id == item.id)),
        )
        for model in PARTS
    ]
    keys = record_keys(
        *(keyed(model, model.aid_item_id == item.id) for model in PARTS),
        keyed(Attachment, sa.or_(*owners)),
    )
    keys[AidItem.__tablename__] = [str(item.id)]
    return entries_of(keys)
