"""The budget domain's fixed vocabulary, in one place: the statuses of a yearly budget line,
their groups, finance's verdicts, the flags and the audit action names.

Keys are those of the proposed workbook sheets (docs/spec/budget.md). Everything else
(models, workflow, services, statistics, templates through the line's properties) imports
these names.
"""

from app.core.enums import group, labelled

BudgetStatus = labelled(
    "BudgetStatus",
    {
        "de_xuat": "Đã đề xuất",
        "yeu_cau_sua": "Trả lại để sửa đề xuất",
        "da_phan_bo": "Đã phân bổ",
        "da_kiem_tra": "Đã kiểm tra",
    },
)
S = BudgetStatus

# Bootstrap colour of each status's badge.
STYLES = {
    S.DE_XUAT: "info",
    S.YEU_CAU_SUA: "warning",
    S.DA_PHAN_BO: "primary",
    S.DA_KIEM_TRA: "success",
}

INITIAL = S.DE_XUAT.value
# The owner may still change its proposal (amount, note) and archive the line itself.
EDITABLE = group(S.DE_XUAT, S.YEU_CAU_SUA)
# Spending is recorded until finance has checked the line (a re-opened line takes more).
SPENDING_OPEN = group(S.DE_XUAT, S.YEU_CAU_SUA, S.DA_PHAN_BO)
# Lines that carry an allocation (amount and decision).
ALLOCATED = group(S.DA_PHAN_BO, S.DA_KIEM_TRA)
EVERY_STATE = frozenset(BudgetStatus.labels())

# Finance's verdict on a line when it checks the spending.
Verdict = labelled(
    "Verdict",
    {
        "dung_muc_dich": "Đúng mục đích",
        "can_giai_trinh": "Chưa đúng mục đích – yêu cầu giải trình",
        "khong_dung_muc_dich": "Không đúng mục đích",
    },
)
VERDICT_STYLES = {
    Verdict.DUNG_MUC_DICH: "success",
    Verdict.CAN_GIAI_TRINH: "warning",
    Verdict.KHONG_DUNG_MUC_DICH: "danger",
}

# What a line's figures may show (app/budget/rules.py computes them, nowhere else).
BudgetFlag = labelled(
    "BudgetFlag",
    {
        "vuot_phan_bo": "Chi vượt số được phân bổ",
        "chua_phan_bo": "Chi khi chưa được phân bổ",
        "su_dung_thap": "Sử dụng thấp đến 30/09",
    },
)
FLAG_STYLES = {
    BudgetFlag.VUOT_PHAN_BO: "danger",
    BudgetFlag.CHUA_PHAN_BO: "warning",
    BudgetFlag.SU_DUNG_THAP: "secondary",
}


class BudgetAudit:
    """Audit action names of the budget domain. Workflow steps are logged as
    `budget.<action>` by app.core.workflow (e.g. `budget.allocate`)."""

    CREATE = "budget.create"
    UPDATE = "budget.update"
    ARCHIVE = "budget.archive"
    SPENDING_ADD = "budget.spending_add"
    # A spending entry confirmed although it takes the line above its allocation.
    SPENDING_OVER_ALLOCATION = "budget.spending_over_allocation"
    SPENDING_ARCHIVE = "budget.spending_archive"
    EXPORT = "budget.export"
