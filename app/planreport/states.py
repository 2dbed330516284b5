"""The plan report's fixed vocabulary: statuses, period kinds and audit action names."""

from app.core.enums import group, labelled

PlanReportStatus = labelled(
    "PlanReportStatus",
    {
        "soan_thao": "Đang soạn (chưa gửi các cơ quan)",
        "thu_thap": "Đang thu thập đóng góp",
        "hoan_tat": "Đã chốt (bản cuối)",
    },
)
S = PlanReportStatus

STYLES = {S.SOAN_THAO: "secondary", S.THU_THAP: "primary", S.HOAN_TAT: "success"}

INITIAL = S.SOAN_THAO.value
COLLECTING = S.THU_THAP.value
FINAL = S.HOAN_TAT.value
# Foreign affairs may change the report's settings and its consolidated text.
EDITABLE = group(S.SOAN_THAO, S.THU_THAP)
# Asked agencies write their texts (late after the deadline, refused once final).
OPEN_FOR_CONTRIBUTIONS = group(S.THU_THAP)

PeriodKind = labelled("PeriodKind", {"nua_nam": "6 tháng", "nam": "Năm"})
HALF_YEAR = PeriodKind.NUA_NAM.value
YEAR = PeriodKind.NAM.value


class PlanReportAudit:
    """Audit action names of the plan report. Workflow steps are logged as
    `planreport.<action>` by app.core.workflow (open, finalize)."""

    CREATE = "planreport.create"
    UPDATE = "planreport.update"
    CONSOLIDATE = "planreport.consolidate"
    CONTRIBUTE = "planreport.contribute"
    OPEN = "planreport.open"
    FINALIZE = "planreport.finalize"
