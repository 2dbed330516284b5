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


def _permits_covering(delegation_id, start_on, end_on, revision):
    """Live permits valid for the whole visit and given (or confirmed) on the current
    revision (values, or columns for a correlated query)."""
    return db.select(BorderPermit.id).where(
        BorderPermit.delegation_id == delegation_id,
        BorderPermit.archived_at.is_(None),
        BorderPermit.valid_from <= start_on,
        BorderPermit.valid_to >= end_on,
        BorderPermit.given_on_revision >= revision,
    )


def has_valid_permit(delegation: Delegation, *, current: bool = True) -> bool:
    """A permit covers the visit (`current`: and was given on the current revision)."""
    revision = delegation.revision if current else 0
    found = _permits_covering(delegation.id, delegation.start_on, delegation.end_on, revision)
    return db.session.scalar(found.limit(1)) is not None


def valid_permit_exists():
    """SQL: the delegation of the row has a current permit covering its visit."""
    return _permits_covering(
        Delegation.id, Delegation.start_on, Delegation.end_on, Delegation.revision
    ).exists()


def outdated_permits(delegation: Delegation) -> list[BorderPermit]:
    """Live permits given on an earlier revision of the members, dates or itinerary."""
    return db.session.scalars(
        db.select(BorderPermit).where(
            BorderPermit.delegation_id == delegation.id,
            BorderPermit.archived_at.is_(None),
            BorderPermit.given_on_revision < delegation.revision,
        )
    ).all()


def _has_members(delegation: Delegation) -> str | None:
    if not delegation.members:
        return "Cần có danh sách thành viên đoàn trước khi gửi."
    return None


# A review in the middle of a sentence ("còn thiếu …").
REVIEW_NAMES = {
    ReviewerKind.FOREIGN_AFFAIRS: "ý kiến thẩm định của cơ quan ngoại vụ",
    ReviewerKind.POLICE: "ý kiến an ninh, trật tự của Công an tỉnh",
}


def _ready_to_approve(delegation: Delegation) -> str | None:
    missing = []
    if delegation.review_by(ReviewerKind.FOREIGN_AFFAIRS) is None:
        missing.append(REVIEW_NAMES[ReviewerKind.FOREIGN_AFFAIRS])
    police = delegation.review_by(ReviewerKind.POLICE)
    if police is None:
        missing.append(REVIEW_NAMES[ReviewerKind.POLICE])
    for review in delegation.outdated_reviews:
        missing.append(f"{REVIEW_NAMES[review.reviewer_kind]} {AGAIN}")
    if delegation.is_border_area:
        if not has_valid_permit(delegation):
            missing.append(
                f"giấy phép vào khu vực biên giới {AGAIN}"
                if has_valid_permit(delegation, current=False)
                else "giấy phép vào khu vực biên giới còn hiệu lực trong thời gian đoàn"
            )
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

    current = Review.given_on_revision >= Delegation.revision
    return db.and_(
        Delegation.status == states.UNDER_REVIEW,
        review(ReviewerKind.FOREIGN_AFFAIRS, current),
        review(ReviewerKind.POLICE, current, Review.verdict != Verdict.KHONG_DONG_Y),
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


def confirm_action(kind: str) -> str:
    """The reviewer keeps a review given on an earlier version: "confirm_<kind>"."""
    return f"confirm_{kind}"


# Said of a review or permit given before the members, dates or itinerary changed.
AGAIN = "xác nhận lại (ý kiến trên phiên bản trước)"
CONFIRM_LABEL = "Giữ nguyên ý kiến"


def _outdated_review(kind: str):
    def guard(delegation: Delegation) -> str | None:
        review = delegation.review_by(kind)
        if review is None:
            return "Chưa có ý kiến để giữ nguyên."
        if not review.is_outdated:
            return "Ý kiến đã được cho trên phiên bản hiện tại của hồ sơ."
        return None

    return guard


def _outdated_permit(delegation: Delegation) -> str | None:
    if not outdated_permits(delegation):
        return "Không có giấy phép nào cấp trên phiên bản trước của hồ sơ."
    return None


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
    **{
        confirm_action(kind): Entry(
            Action(confirm_action(kind), CONFIRM_LABEL, rule, "outline-primary"),
            frozenset({states.UNDER_REVIEW}),
            _outdated_review(kind),
            wrong_state="Chỉ xác nhận lại ý kiến khi hồ sơ đoàn đang được xem xét.",
        )
        for kind, rule in REVIEW_RULES.items()
    },
    "confirm_border_permit": Entry(
        Action(
            "confirm_border_permit", "Giữ nguyên giấy phép", rules.review_police, "outline-primary"
        ),
        states.PERMIT,
        _outdated_permit,
        wrong_state="Chỉ xác nhận lại giấy phép khi hồ sơ đoàn đang xem xét hoặc đã duyệt.",
    ),
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
