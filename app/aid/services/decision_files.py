"""The signed decision's file, filed with the decision: each decision step (approve,
refuse, amend, revoke, the central decision or refusal) may take an optional file, stored
as an attachment of the decision (owner type `decision`) in the step's own transaction, so
the step and its file are saved together or not at all (a bad file is a FieldError next to
the form's `file` field: the view rolls the step back). The attachment is audited by
app.core.attachments.store."""

from functools import wraps

from app.aid.models import Decision
from app.core import attachments
from app.extensions import db

DECISION_FILES = Decision.__tablename__  # the attachments' owner type


def with_decision_file(service):
    """`service` (a decision step returning its Decision), taking also `file`."""

    @wraps(service)
    def decide(item, *args, file=None, user, **kwargs) -> Decision:
        decision = service(item, *args, user=user, **kwargs)
        db.session.flush()  # the decision's id
        attachments.store_if_sent(file, DECISION_FILES, decision.id, user)
        return decision

    return decide
