"""The plan report's procedure as data: (state, action) -> (new state, who may), and what is
recorded on the way without a state change (settings, consolidated text, contributions).

soan_thao --open--> thu_thap --finalize--> hoan_tat (final: nothing changes any more).
"""

from app.core import permissions as rules
from app.core.workflow import Action, Entry, Transition, Workflow
from app.planreport import states
from app.planreport.models import PlanReport, PlanReportStep
from app.planreport.states import PlanReportStatus

S = PlanReportStatus


def _has_asked_agencies(report: PlanReport) -> str | None:
    if not report.asked:
        return "Cần chọn ít nhất một cơ quan được đề nghị đóng góp trước khi gửi."
    return None


OPEN = Action("open", "Gửi đề nghị đóng góp cho các cơ quan", rules.manage_plan_reports)
FINALIZE = Action("finalize", "Chốt báo cáo (bản cuối)", rules.manage_plan_reports, "success")

TRANSITIONS = {
    (S.SOAN_THAO, "open"): Transition(OPEN, S.THU_THAP, _has_asked_agencies),
    (S.THU_THAP, "finalize"): Transition(FINALIZE, S.HOAN_TAT),
}

FINAL_REFUSAL = "Báo cáo đã được chốt (bản cuối): không thể sửa nội dung, kỳ báo cáo hay đóng góp."

ENTRIES = {
    "edit": Entry(
        Action("edit", "Sửa kỳ báo cáo, hạn và cơ quan", rules.manage_plan_reports),
        states.EDITABLE,
        wrong_state=FINAL_REFUSAL,
    ),
    "consolidate": Entry(
        Action("consolidate", "Tổng hợp nội dung", rules.manage_plan_reports),
        states.EDITABLE,
        wrong_state=FINAL_REFUSAL,
    ),
    "contribute": Entry(
        Action("contribute", "Đóng góp nội dung", rules.contribute_plan_report),
        states.OPEN_FOR_CONTRIBUTIONS,
        wrong_state="Không thể đóng góp khi báo cáo đang ở trạng thái “{state}”.",
    ),
}

WORKFLOW = Workflow(
    model=PlanReport,
    noun="báo cáo kế hoạch",
    audit_prefix="planreport",
    transitions=TRANSITIONS,
    state_labels=S.labels(),
    step_model=PlanReportStep,
    step_owner_field="report_id",
    entries=ENTRIES,
)
may = WORKFLOW.may
require = WORKFLOW.require
step = WORKFLOW.step
