"""Notifications made from what the domains already record: each audit action below is
mapped to the notification of the agency concerned (app.core.audit.listen; the listener
runs in the entry's transaction, so a rolled-back change notifies nobody).

- an opinion requested (aid `request_opinions` step) -> each agency asked;
- a dossier returned (aid `return` step) -> the agency that logged the item;
- a delegation submitted (`submit` step) -> the reviewers (foreign affairs, police);
- a delegation changed after review -> the agencies whose reviews or permit it reopened;
- a workbook import or export finished -> the user who started it.
"""

from app.aid import workflow as aid_workflow
from app.aid.models import AidItem
from app.auth.models import Duty, User
from app.core import audit
from app.core.dates import format_datetime
from app.delegations import workflow as delegation_workflow
from app.delegations.models import Delegation
from app.delegations.states import DelegationAudit
from app.extensions import db
from app.notifications.services import agencies_holding, notify, path_for
from app.notifications.states import NotificationKind as K
from app.transfer import TransferAudit


def step_action(workflow, action) -> str:
    """The audit action of a workflow step (app.core.workflow writes `<prefix>.<key>`)."""
    return f"{workflow.audit_prefix}.{action.key}"


def _actor(entry):
    return db.session.get(User, entry.user_id) if entry.user_id else None


def _aid_item(entry) -> AidItem | None:
    return db.session.get(AidItem, int(entry.object_id)) if entry.object_id else None


def _delegation(entry) -> Delegation | None:
    return db.session.get(Delegation, int(entry.object_id)) if entry.object_id else None


def opinion_requested(entry) -> None:
    """Each agency newly asked for its opinion (one notification per opinion)."""
    item = _aid_item(entry)
    if item is None:
        return
    actor = _actor(entry)
    for opinion in item.opinions:
        if not opinion.is_open:
            continue
        notify(
            opinion.agency_id,
            K.OPINION_REQUESTED,
            f"Xin ý kiến về khoản viện trợ {item.code}: {item.name}",
            record_type="opinion",
            record_id=opinion.id,
            link=path_for("aid.detail", item_id=item.id),
            dedupe_key=f"{K.OPINION_REQUESTED.value}:opinion:{opinion.id}",
            actor=actor,
        )


def dossier_returned(entry) -> None:
    """The agency that logged the item (its creator's); the aid focal agencies when the
    item came without a creator (the workbook import)."""
    item = _aid_item(entry)
    if item is None:
        return
    creator = db.session.get(User, item.created_by_id) if item.created_by_id else None
    agencies = [creator.agency_id] if creator else agencies_holding(Duty.AID_FOCAL)
    actor = _actor(entry)
    for agency_id in agencies:
        notify(
            agency_id,
            K.DOSSIER_RETURNED,
            entry.summary or f"Hồ sơ {item.code} bị trả lại để hoàn thiện",
            record_type="aid_item",
            record_id=item.id,
            link=path_for("aid.detail", item_id=item.id),
            actor=actor,
        )


def _for_reviewers(entry, kind, title: str, agencies: list[int]) -> None:
    delegation = _delegation(entry)
    actor = _actor(entry)
    for agency_id in agencies:
        notify(
            agency_id,
            kind,
            title,
            record_type="delegation",
            record_id=delegation.id,
            link=path_for("delegations.detail", delegation_id=delegation.id),
            actor=actor,
        )


def delegation_submitted(entry) -> None:
    delegation = _delegation(entry)
    if delegation is None:
        return
    title = f"Hồ sơ đoàn {delegation.code} đã được gửi: {delegation.title}"
    _for_reviewers(
        entry, K.DELEGATION_SUBMITTED, title, agencies_holding(Duty.FOREIGN_AFFAIRS, Duty.POLICE)
    )


def delegation_changed(entry) -> None:
    """The agencies that gave a review, and the police if a border permit was issued."""
    delegation = _delegation(entry)
    if delegation is None:
        return
    agencies = {review.agency_id for review in delegation.reviews}
    if delegation.permits:  # the live ones
        agencies.update(agencies_holding(Duty.POLICE))
    if not agencies:
        agencies.update(agencies_holding(Duty.FOREIGN_AFFAIRS, Duty.POLICE))
    title = f"Hồ sơ đoàn {delegation.code} thay đổi sau khi đã cho ý kiến: cần xem lại"
    _for_reviewers(entry, K.DELEGATION_CHANGED, title, sorted(agencies))


def job_finished(entry) -> None:
    """A workbook import or export started by a user (the command line's have none)."""
    user = _actor(entry)
    if user is None:
        return
    when = format_datetime(entry.at) if entry.at else ""
    notify(
        user.agency_id,
        K.JOB_FINISHED,
        f"Đã xong: {entry.summary}" + (f" ({when})" if when else ""),
        record_type=entry.object_type,
        link=path_for("transfer.index"),
        user_id=user.id,
    )


def register() -> None:
    """Listen to the audit actions above (idempotent: audit.listen adds each once)."""
    for action, listener in (
        (step_action(aid_workflow.AID_WORKFLOW, aid_workflow.REQUEST_OPINIONS), opinion_requested),
        (step_action(aid_workflow.AID_WORKFLOW, aid_workflow.RETURN), dossier_returned),
        (
            step_action(delegation_workflow.DELEGATION_WORKFLOW, delegation_workflow.SUBMIT),
            delegation_submitted,
        ),
        (DelegationAudit.REVIEWS_REOPENED, delegation_changed),
        (TransferAudit.IMPORT, job_finished),
        (TransferAudit.EXPORT, job_finished),
    ):
        audit.listen(action, listener)
