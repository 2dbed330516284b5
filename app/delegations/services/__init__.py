"""Use cases of delegations, by job: the delegation and its review steps, its members, the
records made during the review, and the reads (lists, calendar, search, inbox, alerts).

Writes validate, change the models and flush; the view commits once. Callers import this
package (`from app.delegations import services`), not its modules.
"""

from app.delegations.services.delegation import (
    DELEGATION_FIELDS,
    DelegationInput,
    approve_delegation,
    archive_delegation,
    cancel_delegation,
    complete_delegation,
    create_delegation,
    receive_delegation,
    refresh_border_area,
    refuse_delegation,
    schedule_report,
    submit_delegation,
    update_delegation,
)
from app.delegations.services.members import (
    MEMBER_FIELDS,
    PERSONAL_FIELDS,
    RowError,
    add_member,
    add_members_from_rows,
    remove_member,
    shows_personal_data,
    unmasked_in_search,
    update_member,
)
from app.delegations.services.queries import (
    INBOX_LABELS,
    UPCOMING_DAYS,
    DelegationFilters,
    Inbox,
    alerts,
    delegations_query,
    inbox,
    inbox_counts,
    inbox_counts_by_box,
    of_organization,
    person_search,
    upcoming,
    visible_to,
)
from app.delegations.services.reviews import (
    record_border_notice,
    record_border_permit,
    record_review,
    record_visit_report,
)
from app.delegations.services.revisions import (
    changes_since,
    confirm_border_permit,
    confirm_review,
)

__all__ = [
    "DELEGATION_FIELDS",
    "INBOX_LABELS",
    "MEMBER_FIELDS",
    "PERSONAL_FIELDS",
    "UPCOMING_DAYS",
    "DelegationFilters",
    "DelegationInput",
    "Inbox",
    "RowError",
    "add_member",
    "add_members_from_rows",
    "alerts",
    "approve_delegation",
    "archive_delegation",
    "cancel_delegation",
    "changes_since",
    "complete_delegation",
    "confirm_border_permit",
    "confirm_review",
    "create_delegation",
    "delegations_query",
    "inbox",
    "inbox_counts",
    "inbox_counts_by_box",
    "of_organization",
    "person_search",
    "receive_delegation",
    "record_border_notice",
    "record_border_permit",
    "record_review",
    "record_visit_report",
    "refresh_border_area",
    "refuse_delegation",
    "remove_member",
    "schedule_report",
    "shows_personal_data",
    "submit_delegation",
    "unmasked_in_search",
    "upcoming",
    "update_delegation",
    "update_member",
    "visible_to",
]
