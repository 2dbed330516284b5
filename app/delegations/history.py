"""A delegation's history: every audit entry of the delegation and of its parts (members,
itinerary stops, reviews, permits, visit reports) and of their files; the
reads of personal data and the member exports are not changes and stay in the audit log.
The ids of the parts and files are read in one query, the entries in another.

Members' personal data follows `see_personal_data`: the entries keep it masked; for a
reader who may see it, a "changed after review" entry shows the change lines themselves
(DelegationChange, read in one query for the page), and the caller audits that view.
"""

import sqlalchemy as sa

from app.core.history import describe, entries_of, keyed, record_keys
from app.core.models import Attachment, AuditEntry
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationChange,
    DelegationMember,
    ItineraryStop,
    Review,
    VisitReport,
)
from app.delegations.states import DelegationAudit
from app.extensions import db

PARTS = (DelegationMember, ItineraryStop, Review, BorderPermit, VisitReport)
# Reads, not changes: in the audit log only.
READS = (DelegationAudit.PERSONAL_DATA_VIEW, DelegationAudit.MEMBERS_EXPORT)
CHANGED_LINES = "thay_doi"  # the key of a REVIEWS_REOPENED entry's lines


def history_query(delegation: Delegation) -> sa.Select:
    """The entries of the delegation, its parts and their files, newest first (the part
    and file ids in one query)."""
    table = Delegation.__tablename__
    owners = [sa.and_(Attachment.owner_type == table, Attachment.owner_id == delegation.id)]
    owners += [
        sa.and_(
            Attachment.owner_type == model.__tablename__,
            Attachment.owner_id.in_(
                sa.select(model.id).where(model.delegation_id == delegation.id)
            ),
        )
        for model in PARTS
    ]
    keys = record_keys(
        *(keyed(model, model.delegation_id == delegation.id) for model in PARTS),
        keyed(Attachment, sa.or_(*owners)),
    )
    keys[table] = [str(delegation.id)]
    return entries_of(keys, AuditEntry.action.not_in(READS))


def _revisions(entry) -> tuple[int, int] | None:
    pair = (entry.changes or {}).get("phien_ban")
    if entry.action != DelegationAudit.REVIEWS_REOPENED or not isinstance(pair, list):
        return None
    try:
        return int(pair[0] or 0), int(pair[1])
    except (TypeError, ValueError):
        return None


def describe_history(delegation: Delegation, entries, *, personal: bool):
    """The page's entries for people (app.core.history.describe); for a reader who may see
    personal data, each "changed after review" entry lists its lines unmasked."""
    entries = list(entries)
    page = describe(entries, personal=personal)
    if not personal:
        return page
    spans = {row.entry.id: span for row in page.rows if (span := _revisions(row.entry))}
    if not spans:
        return page
    wanted = {new for _old, new in spans.values()}
    lines: dict[int, list[DelegationChange]] = {}
    for line in db.session.scalars(
        sa.select(DelegationChange)
        .where(
            DelegationChange.delegation_id == delegation.id,
            DelegationChange.revision.in_(wanted),
        )
        .order_by(DelegationChange.id)
    ):
        lines.setdefault(line.revision, []).append(line)
    for row in page.rows:
        span = spans.get(row.entry.id)
        found = lines.get(span[1], []) if span else []
        if not found:
            continue
        for change in row.changes:
            if change.key == CHANGED_LINES:
                change.new = "; ".join(line.text for line in found)
        if any(line.masked_text for line in found):
            page.personal_shown = True
    return page
