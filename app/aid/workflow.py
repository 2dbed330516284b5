"""The aid procedure as data: (state, action) -> (new state, who may, what must hold).

`apply()` is the only way an item changes state: it checks the table, the permission rule
and the guard, runs the action's effect, sets the state, stores who/when/comment as a
WorkflowStep and writes the audit entry, all in the caller's transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.aid.models import AidItem, AidStatus, WorkflowStep
from app.core import audit
from app.core import permissions as rules
from app.core.errors import DomainError
from app.core.permissions import Rule
from app.extensions import db

S = AidStatus  # short alias for the table below
APPROVED_STATES = (S.DA_PHE_DUYET, S.DANG_THUC_HIEN, S.TAM_DUNG)


@dataclass(frozen=True)
class Action:
    key: str
    label: str  # the button
    rule: Rule
    style: str = "primary"


@dataclass(frozen=True)
class Transition:
    action: Action
    target: AidStatus | None  # None: the item keeps its state (an amendment)
    guard: Callable[[AidItem], str | None] | None = None  # returns why not, in Vietnamese
    # A guard that says the step does not apply to this kind of item (not "not yet"):
    # the button is hidden instead of shown as blocked.
    hide_when_blocked: bool = False


def _open_opinions(item: AidItem) -> str | None:
    waiting = [o.agency.name for o in item.opinions if o.is_open]
    if waiting and not item.is_emergency:
        return "Chưa đủ ý kiến góp ý: còn chờ " + ", ".join(waiting) + "."
    return None


def _emergency_only(item: AidItem) -> str | None:
    if not item.is_emergency:
        return (
            "Chỉ khoản viện trợ khắc phục hậu quả thiên tai, thảm họa "
            "được thẩm định không cần xin ý kiến."
        )
    return None


def _dossier_complete(item: AidItem) -> str | None:
    if item.dossier_complete_on is None:
        return "Cần ghi ngày hồ sơ hợp lệ (đủ thành phần) trước khi xin ý kiến."
    return None


def _closing_report_received(item: AidItem) -> str | None:
    from app.aid.models import AidReport

    has_report = db.session.scalar(
        db.select(AidReport.id).where(
            AidReport.aid_item_id == item.id,
            AidReport.kind == "ket_thuc",
            AidReport.archived_at.is_(None),
        )
    )
    return None if has_report else "Cần nhận báo cáo kết thúc trước khi ghi nhận hoàn thành."


RETURN = Action("return", "Trả lại để hoàn thiện hồ sơ", rules.manage_aid, "outline-warning")
RESUBMIT = Action("resubmit", "Tiếp nhận lại hồ sơ đã hoàn thiện", rules.manage_aid)
REQUEST_OPINIONS = Action("request_opinions", "Xin ý kiến các cơ quan", rules.manage_aid)
APPRAISE = Action("appraise", "Kết luận thẩm định", rules.manage_aid)
APPROVE = Action("approve", "Ghi quyết định phê duyệt", rules.manage_aid, "success")
REFUSE = Action("refuse", "Ghi thông báo không chấp thuận", rules.manage_aid, "outline-danger")
START = Action("start", "Bắt đầu thực hiện", rules.manage_aid)
SUSPEND = Action("suspend", "Tạm dừng", rules.manage_aid, "outline-warning")
RESUME = Action("resume", "Tiếp tục thực hiện", rules.manage_aid)
COMPLETE = Action("complete", "Ghi nhận hoàn thành", rules.manage_aid, "success")
REVOKE = Action("revoke", "Thu hồi quyết định phê duyệt", rules.manage_aid, "outline-danger")
AMEND = Action("amend", "Ghi quyết định điều chỉnh", rules.manage_aid, "outline-primary")

ACTIONS = {
    a.key: a
    for a in (
        RETURN,
        RESUBMIT,
        REQUEST_OPINIONS,
        APPRAISE,
        APPROVE,
        REFUSE,
        START,
        SUSPEND,
        RESUME,
        COMPLETE,
        REVOKE,
        AMEND,
    )
}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.TIEP_NHAN, "return"): Transition(RETURN, S.TRA_LAI),
    (S.XIN_Y_KIEN, "return"): Transition(RETURN, S.TRA_LAI),
    (S.TRA_LAI, "resubmit"): Transition(RESUBMIT, S.TIEP_NHAN),
    (S.TIEP_NHAN, "request_opinions"): Transition(
        REQUEST_OPINIONS, S.XIN_Y_KIEN, _dossier_complete
    ),
    (S.XIN_Y_KIEN, "appraise"): Transition(APPRAISE, S.THAM_DINH, _open_opinions),
    (S.TIEP_NHAN, "appraise"): Transition(APPRAISE, S.THAM_DINH, _emergency_only, True),
    (S.THAM_DINH, "approve"): Transition(APPROVE, S.DA_PHE_DUYET),
    (S.THAM_DINH, "refuse"): Transition(REFUSE, S.KHONG_CHAP_THUAN),
    (S.XIN_Y_KIEN, "refuse"): Transition(REFUSE, S.KHONG_CHAP_THUAN),
    (S.DA_PHE_DUYET, "start"): Transition(START, S.DANG_THUC_HIEN),
    (S.DANG_THUC_HIEN, "suspend"): Transition(SUSPEND, S.TAM_DUNG),
    (S.TAM_DUNG, "resume"): Transition(RESUME, S.DANG_THUC_HIEN),
    (S.DANG_THUC_HIEN, "complete"): Transition(COMPLETE, S.HOAN_THANH, _closing_report_received),
    **{(state, "revoke"): Transition(REVOKE, S.THU_HOI) for state in APPROVED_STATES},
    **{(state, "amend"): Transition(AMEND, None) for state in APPROVED_STATES},
}


def transition_for(item: AidItem, action: str) -> Transition:
    """The transition of `action` from the item's state, or a 409 DomainError."""
    found = TRANSITIONS.get((item.status, action))
    if found is None:
        label = ACTIONS[action].label if action in ACTIONS else action
        raise DomainError(
            f"Không thể thực hiện “{label}” khi khoản viện trợ đang ở trạng thái "
            f"“{AidStatus(item.status).label}”."
        )
    return found


def available_actions(item: AidItem, user) -> tuple[list[Action], list[tuple[Action, str]]]:
    """The actions this user may take on the item now, and those waiting on a condition.

    Returns (ready, blocked) where blocked pairs an action with why it must wait.
    """
    if item.is_archived:
        return [], []
    ready, blocked = [], []
    for (state, _key), transition in TRANSITIONS.items():
        if state != item.status or not transition.action.rule.allows(user, item):
            continue
        reason = transition.guard(item) if transition.guard else None
        if reason is None:
            ready.append(transition.action)
        elif not transition.hide_when_blocked:
            blocked.append((transition.action, reason))
    return ready, blocked


def apply(
    item: AidItem,
    action: str,
    user,
    comment: str | None = None,
    effect: Callable[[], None] | None = None,
) -> WorkflowStep:
    """Check and perform one step; `effect` records the step's own data (decision, ...)."""
    transition = transition_for(item, action)
    transition.action.rule.require(user, item)
    if item.is_archived:
        raise DomainError("Khoản viện trợ đã lưu trữ, không thể xử lý tiếp.")
    if transition.guard and (reason := transition.guard(item)):
        raise DomainError(reason)
    if effect:
        effect()
    old_status = item.status
    new_status = transition.target or old_status
    item.status = new_status
    step = WorkflowStep(
        aid_item_id=item.id,
        action=action,
        from_status=old_status,
        to_status=new_status,
        user_id=user.id,
        comment=comment or None,
    )
    db.session.add(step)
    db.session.flush()
    audit.record(
        f"aid.{action}",
        item,
        user=user,
        summary=f"{transition.action.label}: {item.code}" + (f" – {comment}" if comment else ""),
        changes={"status": [old_status, new_status]} if old_status != new_status else None,
    )
    return step


def rules_manage_aid(user) -> None:
    """Edits outside the transition table (dossier, follow-up) need the same rule."""
    rules.manage_aid.require(user)
