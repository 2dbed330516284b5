"""Use cases of aid items, by job: the dossier, the procedure's steps, the follow-up, and
the reads (lists, inboxes, alerts, counts).

Writes validate, change the models and flush; the view commits once. Every write follows
one convention (docs/architecture.md): `verb_noun(obj, data…, *, user, version=None)`.
Callers import this package (`from app.aid import services`), not its modules.
"""

from app.aid.services.checklist import mark_document
from app.aid.services.competence import (
    record_central_decision,
    record_central_refusal,
    submit_up,
)
from app.aid.services.decision_files import DECISION_FILES, with_decision_file
from app.aid.services.dossier import (
    ITEM_FIELDS,
    ItemInput,
    archive_item,
    attach_file,
    create_item,
    update_item,
)
from app.aid.services.follow_up import (
    add_disbursement,
    add_inspection,
    add_report,
    archive_disbursement,
    disbursement_totals,
    update_inspection_follow_up,
)
from app.aid.services.notices import complete_notice, require_open
from app.aid.services.procedure import (
    AMENDABLE,
    amend,
    answer_opinion,
    appraise,
    approve,
    complete,
    completion_note,
    refuse,
    request_opinions,
    require_open_opinion,
    resubmit,
    resume,
    return_dossier,
    revoke,
    start,
    suspend,
)
from app.aid.services.queries import (
    ItemFilters,
    items_query,
    open_notices,
    opinions_for_agency,
    planning_inbox,
    summaries,
)
from app.aid.services.schedule import (
    add_planned_disbursement,
    archive_planned_disbursement,
    schedule,
    update_planned_disbursement,
)
from app.aid.services.watch import alerts, inbox_counts
from app.core.validation import VND_LIMIT

__all__ = [
    "AMENDABLE",
    "DECISION_FILES",
    "ITEM_FIELDS",
    "VND_LIMIT",  # for the workbook import; the rule lives in app.core.validation
    "ItemFilters",
    "ItemInput",
    "add_disbursement",
    "add_inspection",
    "add_planned_disbursement",
    "add_report",
    "alerts",
    "amend",
    "answer_opinion",
    "appraise",
    "approve",
    "archive_disbursement",
    "archive_item",
    "archive_planned_disbursement",
    "attach_file",
    "complete",
    "complete_notice",
    "completion_note",
    "create_item",
    "disbursement_totals",
    "inbox_counts",
    "items_query",
    "mark_document",
    "open_notices",
    "opinions_for_agency",
    "planning_inbox",
    "record_central_decision",
    "record_central_refusal",
    "refuse",
    "request_opinions",
    "require_open",
    "require_open_opinion",
    "resubmit",
    "resume",
    "return_dossier",
    "revoke",
    "schedule",
    "start",
    "submit_up",
    "summaries",
    "suspend",
    "update_inspection_follow_up",
    "update_item",
    "update_planned_disbursement",
    "with_decision_file",
]
