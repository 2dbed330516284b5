"""The review of a delegation as data: (state, action) -> (new state, who may, guard), and
the records made on the way without a state change (reviews, border permit and notice,
visit report) with the states and rule each needs.
"""

from flask import current_app

from app.core import permissions as rules
from app.core.workflow import Action, Entry, Transition, Workflow
from app.delegations import states
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationStatus,
    DelegationStep,
    Review,
    ReviewerKind,
    Verdict,
    VisitReport,
)
from app.extensions import db

S = DelegationStatus


def _permits_covering(delegation_id, start_on, end_on):
    """Live permits valid for the whole visit (values, or columns for a correlated query)."""
    return db.select(BorderPermit.id).where(
        BorderPermit.delegation_id == delegation_id,
        BorderPermit.archived_at.is_(None),
        BorderPermit.valid_from <= start_on,
        BorderPermit.valid_to >= end_on,
    )


def has_valid_permit(delegation: Delegation) -> bool:
    found = _permits_covering(delegation.id, delegation.start_on, delegation.end_on).limit(1)
    return db.session.scalar(found) is not None


def valid_permit_exists():
    """SQL: the delegation of the row has a permit covering its visit."""
    return _permits_covering(Delegation.id, Delegation.start_on, Delegation.end_on).exists()


def _has_members(delegation: Delegation) -> str | None:
    if not delegation.members:
        return "Cần có danh sách thành viên đoàn trước khi gửi."
    return None


def _ready_to_approve(delegation: Delegation) -> str | None:
    missing = []
    if delegation.review_by(ReviewerKind.FOREIGN_AFFAIRS) is None:
        missing.append("ý kiến thẩm định của cơ quan ngoại vụ")
    police = delegation.review_by(ReviewerKind.POLICE)
    if police is None:
        missing.append("ý kiến an ninh, trật tự của Công an tỉnh")
    if delegation.is_border_area:
        if not has_valid_permit(delegation):
            missing.append("giấy phép vào khu vực biên giới còn hiệu lực trong thời gian đoàn")
        if delegation.border_notice_on is None:
            missing.append("thông báo cho Công an và Bộ đội Biên phòng")
    if missing:
        return "Chưa đủ điều kiện phê duyệt: còn thiếu " + "; ".join(missing) + "."
    if police.verdict == Verdict.KHONG_DONG_Y:
        return "Công an tỉnh không đồng ý về an ninh, trật tự: không thể phê duyệt."
    return None


def ready_to_approve_condition():
    """SQL twin of the approval guard, for the inbox list and its count (a test keeps the
    two in agreement)."""

    def review(kind, *extra):
        return (
            db.select(Review.id)
            .where(Review.delegation_id == Delegation.id, Review.reviewer_kind == kind, *extra)
            .exists()
        )

    return db.and_(
        Delegation.status == states.UNDER_REVIEW,
        review(ReviewerKind.FOREIGN_AFFAIRS),
        review(ReviewerKind.POLICE, Review.verdict != Verdict.KHONG_DONG_Y),
        db.or_(
            Delegation.is_border_area.is_(False),
            db.and_(valid_permit_exists(), Delegation.border_notice_on.is_not(None)),
        ),
    )


def _report_filed(delegation: Delegation) -> str | None:
    filed = db.session.scalar(
        db.select(VisitReport.id).where(VisitReport.delegation_id == delegation.id).limit(1)
    )
    return None if filed else "Cần nhận báo cáo kết quả sau chuyến đi trước khi hoàn thành."


def _in_border_area(reason: str):
    return lambda delegation: None if delegation.is_border_area else reason


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
    **{(state, "cancel"): Transition(CANCEL, S.HUY) for state in states.CANCELLABLE},
}

# One review per reviewer kind: its action key is "review_<kind>".
REVIEW_RULES = {
    ReviewerKind.FOREIGN_AFFAIRS: rules.review_foreign_affairs,
    ReviewerKind.POLICE: rules.review_police,
}
REVIEW_TITLES = {
    ReviewerKind.FOREIGN_AFFAIRS: "Thẩm định của cơ quan ngoại vụ",
    ReviewerKind.POLICE: "Ý kiến an ninh, trật tự của Công an tỉnh",
}


def review_action(kind: str) -> str:
    return f"review_{kind}"


ENTRIES = {
    # The request itself and its members, until a decision is taken.
    "edit": Entry(
        Action("edit", "Sửa hồ sơ", rules.edit_delegation, "outline-secondary"),
        states.EDITABLE,
        wrong_state="Không thể sửa hồ sơ đoàn ở trạng thái “{state}”.",
    ),
    **{
        review_action(kind): Entry(
            Action(review_action(kind), REVIEW_TITLES[kind], rule, "outline-primary"),
            frozenset({states.UNDER_REVIEW}),
            wrong_state="Chỉ ghi ý kiến khi hồ sơ đoàn đang được xem xét.",
        )
        for kind, rule in REVIEW_RULES.items()
    },
    "border_permit": Entry(
        Action(
            "border_permit",
            "Giấy phép vào khu vực biên giới",
            rules.review_police,
            "outline-primary",
        ),
        states.PERMIT,
        _in_border_area("Đoàn không đến khu vực biên giới, không cần giấy phép."),
        wrong_state="Chỉ cấp giấy phép khi hồ sơ đoàn đang xem xét hoặc đã duyệt.",
    ),
    "border_notice": Entry(
        Action(
            "border_notice",
            "Thông báo Công an, Bộ đội Biên phòng",
            rules.edit_delegation,
            "outline-primary",
        ),
        states.LIVE,
        _in_border_area("Đoàn không đến khu vực biên giới."),
        wrong_state="Chỉ ghi nhận thông báo cho đoàn đang xử lý hoặc đã duyệt.",
    ),
    "visit_report": Entry(
        Action("visit_report", "Báo cáo kết quả", rules.edit_delegation, "outline-primary"),
        frozenset({states.APPROVED}),
        wrong_state="Chỉ nhận báo cáo cho đoàn đã được duyệt.",
    ),
}

DELEGATION_WORKFLOW = Workflow(
    model=Delegation,
    noun="đoàn",
    audit_prefix="delegation",
    transitions=TRANSITIONS,
    state_labels=DelegationStatus.labels(),
    step_model=DelegationStep,
    step_owner_field="delegation_id",
    entries=ENTRIES,
)
# What services and views ask of the table.
require, step, may = DELEGATION_WORKFLOW.require, DELEGATION_WORKFLOW.step, DELEGATION_WORKFLOW.may
available_actions = DELEGATION_WORKFLOW.available_actions
