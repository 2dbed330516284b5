"""The aid procedure as data: (state, action) -> (new state, who may, what must hold), and
what may be recorded on an item without changing its state (the dossier's edits, its
files, the follow-up).

The mechanics (checks, step rows, audit) live in app.core.workflow; this module is the
table and the guards.
"""

from flask import g, has_request_context

from app.aid import states
from app.aid.models import AidItem, AidReport, ReportKind, WorkflowStep
from app.aid.regimes import opinions_optional
from app.aid.states import AidStatus
from app.core import permissions as rules
from app.core.workflow import Action, Entry, Transition, Workflow
from app.extensions import db

S = AidStatus  # short alias for the table below
IN_FORCE = sorted(states.DECISION_IN_FORCE)  # a stable order for the table


def _open_opinions(item: AidItem) -> str | None:
    waiting = [o.agency.name for o in item.opinions if o.is_open]
    if waiting and not opinions_optional(item):
        return "Chưa đủ ý kiến góp ý: còn chờ " + ", ".join(waiting) + "."
    return None


def _emergency_only(item: AidItem) -> str | None:
    if not opinions_optional(item):
        return (
            "Chỉ khoản viện trợ khắc phục hậu quả thiên tai, thảm họa "
            "được thẩm định không cần xin ý kiến."
        )
    return None


def _dossier_complete(item: AidItem) -> str | None:
    if item.dossier_complete_on is None:
        return "Cần ghi ngày hồ sơ hợp lệ (đủ thành phần) trước khi xin ý kiến."
    return None


def know_reports(item: AidItem, reports) -> None:
    """The item page loaded the item's reports: the closing report's guard reads them
    instead of asking the database (for the rest of this request only)."""
    if has_request_context():
        g.setdefault("aid_closing_report", {})[item.id] = any(
            r.kind == ReportKind.KET_THUC and r.archived_at is None for r in reports
        )


def _closing_report_received(item: AidItem) -> str | None:
    known = g.get("aid_closing_report", {}) if has_request_context() else {}
    has_report = known.get(item.id)
    if has_report is None:
        has_report = db.session.scalar(
            db.select(AidReport.id).where(
                AidReport.aid_item_id == item.id,
                AidReport.kind == ReportKind.KET_THUC,
                AidReport.archived_at.is_(None),
            )
        )
    return None if has_report else "Cần nhận báo cáo kết thúc trước khi ghi nhận hoàn thành."


def _provincial(item: AidItem) -> str | None:
    """Decree 80/2020 Art 7(1): the province does not decide aid beyond its competence."""
    if item.is_central:
        return (
            "Khoản viện trợ thuộc thẩm quyền phê duyệt của cấp trung ương "
            f"({item.central_reason_label}): ghi quyết định của cấp trung ương."
        )
    return None


def _central(item: AidItem) -> str | None:
    if not item.is_central:
        return "Chỉ khoản viện trợ vượt thẩm quyền của tỉnh mới trình cấp trung ương."
    return None


def _to_submit_up(item: AidItem) -> str | None:
    if reason := _central(item):
        return reason
    return "Đã ghi nhận việc trình cấp trung ương." if item.is_submitted_up else None


def _submitted_up(item: AidItem) -> str | None:
    if reason := _central(item):
        return reason
    return None if item.is_submitted_up else "Cần ghi nhận việc trình cấp trung ương trước."


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
SUBMIT_UP = Action("submit_up", "Ghi nhận trình cấp trung ương", rules.manage_aid)
CENTRAL_DECISION = Action(
    "central_decision", "Ghi quyết định phê duyệt của cấp trung ương", rules.manage_aid, "success"
)
CENTRAL_REFUSAL = Action(
    "central_refusal",
    "Ghi văn bản không chấp thuận của cấp trung ương",
    rules.manage_aid,
    "outline-danger",
)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.TIEP_NHAN, "return"): Transition(RETURN, S.TRA_LAI),
    (S.XIN_Y_KIEN, "return"): Transition(RETURN, S.TRA_LAI),
    (S.TRA_LAI, "resubmit"): Transition(RESUBMIT, S.TIEP_NHAN),
    (S.TIEP_NHAN, "request_opinions"): Transition(
        REQUEST_OPINIONS, S.XIN_Y_KIEN, _dossier_complete
    ),
    (S.XIN_Y_KIEN, "appraise"): Transition(APPRAISE, S.THAM_DINH, _open_opinions),
    (S.TIEP_NHAN, "appraise"): Transition(APPRAISE, S.THAM_DINH, _emergency_only, True),
    # The province decides what is within its competence (Decree 80/2020 Art 7(2)) ...
    (S.THAM_DINH, "approve"): Transition(APPROVE, S.DA_PHE_DUYET, _provincial, True),
    (S.THAM_DINH, "refuse"): Transition(REFUSE, S.KHONG_CHAP_THUAN, _provincial, True),
    (S.XIN_Y_KIEN, "refuse"): Transition(REFUSE, S.KHONG_CHAP_THUAN, _provincial, True),
    # ... and appraises the rest, sends it up and records the centre's decision (Art 7(1),
    # 10(2)(c)); the central decision is the item's approval decision.
    (S.THAM_DINH, "submit_up"): Transition(SUBMIT_UP, None, _to_submit_up, True),
    (S.THAM_DINH, "central_decision"): Transition(
        CENTRAL_DECISION, S.DA_PHE_DUYET, _submitted_up, True
    ),
    (S.THAM_DINH, "central_refusal"): Transition(
        CENTRAL_REFUSAL, S.KHONG_CHAP_THUAN, _submitted_up, True
    ),
    (S.DA_PHE_DUYET, "start"): Transition(START, S.DANG_THUC_HIEN),
    (S.DANG_THUC_HIEN, "suspend"): Transition(SUSPEND, S.TAM_DUNG),
    (S.TAM_DUNG, "resume"): Transition(RESUME, S.DANG_THUC_HIEN),
    (S.DANG_THUC_HIEN, "complete"): Transition(COMPLETE, S.HOAN_THANH, _closing_report_received),
    **{(state, "revoke"): Transition(REVOKE, S.THU_HOI) for state in IN_FORCE},
    **{(state, "amend"): Transition(AMEND, None) for state in IN_FORCE},
}


# --- Records that do not change the state ---------------------------------------------------

FOLLOW_UP_ONLY = (
    "Chỉ ghi nhận giải ngân, báo cáo, kiểm tra cho khoản viện trợ đã được phê duyệt "
    "(hiện tại: {state})."
)
EVERY_STATE = frozenset(AidStatus.labels())


def _follow_up(key: str, label: str) -> Entry:
    return Entry(
        Action(key, label, rules.manage_aid, "outline-primary"),
        states.FOLLOW_UP,
        wrong_state=FOLLOW_UP_ONLY,
    )


ENTRIES: dict[str, Entry] = {
    "edit": Entry(
        Action("edit", "Sửa hồ sơ", rules.manage_aid, "outline-secondary"),
        states.EDITABLE,
        wrong_state=(
            "Khoản viện trợ đã có quyết định; mọi thay đổi phải ghi qua quyết định điều chỉnh."
        ),
    ),
    "attach": Entry(Action("attach", "Đính kèm tệp", rules.manage_aid), EVERY_STATE),
    "archive": Entry(Action("archive", "Lưu trữ", rules.manage_aid, "outline-danger"), EVERY_STATE),
    "disbursement": _follow_up("disbursement", "Ghi nhận giải ngân / tiếp nhận"),
    "planned_disbursement": _follow_up("planned_disbursement", "Kế hoạch giải ngân theo năm"),
    "report": _follow_up("report", "Ghi nhận báo cáo"),
    "inspection": _follow_up("inspection", "Ghi nhận kiểm tra, giám sát"),
    # Remedies found by an inspection are followed even after a revocation.
    "inspection_follow_up": Entry(
        Action("inspection_follow_up", "Cập nhật tình hình khắc phục", rules.manage_aid),
        states.APPROVED_OR_LATER,
        wrong_state=FOLLOW_UP_ONLY,
    ),
}


AID_WORKFLOW = Workflow(
    model=AidItem,
    noun="khoản viện trợ",
    audit_prefix="aid",
    transitions=TRANSITIONS,
    state_labels=AidStatus.labels(),
    step_model=WorkflowStep,
    step_owner_field="aid_item_id",
    entries=ENTRIES,
)
step = AID_WORKFLOW.step
require = AID_WORKFLOW.require
transition_for = AID_WORKFLOW.transition_for
available_actions = AID_WORKFLOW.available_actions
ACTIONS = AID_WORKFLOW.actions
