"""The review of a delegation as data: (state, action) -> (new state, who may, guard)."""

from flask import current_app

from app.core import permissions as rules
from app.core.workflow import Action, Transition, Workflow
from app.delegations.models import BorderPermit, Delegation, DelegationStatus, DelegationStep
from app.extensions import db

S = DelegationStatus


def _has_members(delegation: Delegation) -> str | None:
    if not delegation.members:
        return "Cần có danh sách thành viên đoàn trước khi gửi."
    return None


def valid_permit(delegation: Delegation) -> BorderPermit | None:
    return db.session.scalar(
        db.select(BorderPermit)
        .where(
            BorderPermit.delegation_id == delegation.id,
            BorderPermit.archived_at.is_(None),
            BorderPermit.valid_from <= delegation.start_on,
            BorderPermit.valid_to >= delegation.end_on,
        )
        .limit(1)
    )


def _ready_to_approve(delegation: Delegation) -> str | None:
    missing = []
    if delegation.review_by("foreign_affairs") is None:
        missing.append("ý kiến thẩm định của cơ quan ngoại vụ")
    police = delegation.review_by("police")
    if police is None:
        missing.append("ý kiến an ninh, trật tự của Công an tỉnh")
    if delegation.is_border_area:
        if valid_permit(delegation) is None:
            missing.append("giấy phép vào khu vực biên giới còn hiệu lực trong thời gian đoàn")
        if delegation.border_notice_on is None:
            missing.append("thông báo cho Công an và Bộ đội Biên phòng")
    if missing:
        return "Chưa đủ điều kiện phê duyệt: còn thiếu " + "; ".join(missing) + "."
    if police.verdict == "khong_dong_y":
        return "Công an tỉnh không đồng ý về an ninh, trật tự: không thể phê duyệt."
    return None


def _report_filed(delegation: Delegation) -> str | None:
    from app.delegations.models import VisitReport

    filed = db.session.scalar(
        db.select(VisitReport.id).where(VisitReport.delegation_id == delegation.id).limit(1)
    )
    return None if filed else "Cần nhận báo cáo kết quả sau chuyến đi trước khi hoàn thành."


def notice_hours() -> int:
    return current_app.config["DELEGATION_BORDER_NOTICE_HOURS"]


SUBMIT = Action("submit", "Gửi hồ sơ đề nghị", rules.edit_delegation)
RECEIVE = Action("receive", "Tiếp nhận, xem xét", rules.review_foreign_affairs)
APPROVE = Action("approve", "Phê duyệt đoàn", rules.review_foreign_affairs, "success")
REFUSE = Action("refuse", "Từ chối", rules.review_foreign_affairs, "outline-danger")
COMPLETE = Action("complete", "Hoàn thành", rules.edit_delegation, "success")
CANCEL = Action("cancel", "Hủy đoàn", rules.edit_delegation, "outline-danger")

TRANSITIONS = {
    (S.DU_THAO, "submit"): Transition(SUBMIT, S.DA_GUI, _has_members),
    (S.DA_GUI, "receive"): Transition(RECEIVE, S.DANG_XEM_XET),
    (S.DANG_XEM_XET, "approve"): Transition(APPROVE, S.DA_DUYET, _ready_to_approve),
    (S.DANG_XEM_XET, "refuse"): Transition(REFUSE, S.TU_CHOI),
    (S.DA_DUYET, "complete"): Transition(COMPLETE, S.HOAN_THANH, _report_filed),
    **{
        (state, "cancel"): Transition(CANCEL, S.HUY)
        for state in (S.DU_THAO, S.DA_GUI, S.DANG_XEM_XET, S.DA_DUYET)
    },
}

DELEGATION_WORKFLOW = Workflow(
    model=Delegation,
    noun="đoàn",
    audit_prefix="delegation",
    transitions=TRANSITIONS,
    state_labels=DelegationStatus.labels(),
    step_model=DelegationStep,
    step_owner_field="delegation_id",
)
transition_for = DELEGATION_WORKFLOW.transition_for
available_actions = DELEGATION_WORKFLOW.available_actions
apply = DELEGATION_WORKFLOW.apply
