"""A yearly budget line as data: (state, action) -> (new state, who may), and what may be
recorded on a line without changing its state (the proposal's edits, spending entries,
archiving).

proposed → allocated → checked; finance may return a proposal to its owner (who sends it
again), change an allocation, and re-open a checked line. The mechanics (checks, step rows,
audit) live in app.core.workflow; this module is the table.
"""

from app.budget import states
from app.budget.models import BudgetLine, BudgetLineStep
from app.budget.states import BudgetStatus
from app.core import permissions as rules
from app.core.workflow import Action, Entry, Transition, Workflow

S = BudgetStatus  # short alias for the table below

ALLOCATE = Action("allocate", "Phân bổ kinh phí", rules.allocate_budget, "success")
RETURN = Action("return", "Trả lại để sửa đề xuất", rules.allocate_budget, "outline-warning")
RESUBMIT = Action("resubmit", "Gửi lại đề xuất", rules.record_own_budget)
REALLOCATE = Action("reallocate", "Điều chỉnh phân bổ", rules.allocate_budget, "outline-primary")
CHECK = Action("check", "Kiểm tra, kết luận", rules.allocate_budget, "success")
REOPEN = Action("reopen", "Mở lại để kiểm tra lại", rules.allocate_budget, "outline-secondary")

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DE_XUAT, "allocate"): Transition(ALLOCATE, S.DA_PHAN_BO),
    (S.DE_XUAT, "return"): Transition(RETURN, S.YEU_CAU_SUA),
    (S.YEU_CAU_SUA, "resubmit"): Transition(RESUBMIT, S.DE_XUAT),
    (S.DA_PHAN_BO, "reallocate"): Transition(REALLOCATE, None),
    (S.DA_PHAN_BO, "check"): Transition(CHECK, S.DA_KIEM_TRA),
    (S.DA_KIEM_TRA, "reopen"): Transition(REOPEN, S.DA_PHAN_BO),
}

ENTRIES: dict[str, Entry] = {
    "edit": Entry(
        Action("edit", "Sửa đề xuất", rules.record_own_budget, "outline-secondary"),
        states.EDITABLE,
        wrong_state="Đề xuất đã được phân bổ, không sửa được nữa (hiện tại: {state}).",
    ),
    "spend": Entry(
        Action("spend", "Ghi khoản chi", rules.record_own_budget, "outline-primary"),
        states.SPENDING_OPEN,
        wrong_state=(
            "Ngân sách đã được cơ quan tài chính kiểm tra, không ghi thêm khoản chi "
            "(hiện tại: {state})."
        ),
    ),
    "archive": Entry(
        Action("archive", "Lưu trữ", rules.archive_budget_line, "outline-danger"),
        states.EVERY_STATE,
    ),
}

BUDGET_WORKFLOW = Workflow(
    model=BudgetLine,
    noun="ngân sách",
    audit_prefix="budget",
    transitions=TRANSITIONS,
    state_labels=BudgetStatus.labels(),
    step_model=BudgetLineStep,
    step_owner_field="budget_line_id",
    entries=ENTRIES,
)
step = BUDGET_WORKFLOW.step
require = BUDGET_WORKFLOW.require
available_actions = BUDGET_WORKFLOW.available_actions
ACTIONS = BUDGET_WORKFLOW.actions
