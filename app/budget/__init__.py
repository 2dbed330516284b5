"""Yearly budget for people-to-people diplomacy: proposals, allocations, spending and
finance's check (issue 13)."""


def init_app(app) -> None:
    """Name the domain's audited objects and actions in Vietnamese (the audit log page);
    the workflow's steps are named by their buttons (app/budget/workflow.py)."""
    from app.budget.states import BudgetAudit
    from app.core.audit import OBJECT_LABELS
    from app.core.audit_labels import register

    OBJECT_LABELS.setdefault("budget_line", "Ngân sách đối ngoại nhân dân")
    OBJECT_LABELS.setdefault("budget_spending", "Khoản chi ngân sách đối ngoại nhân dân")
    register(
        {
            BudgetAudit.CREATE: "Đề xuất ngân sách",
            BudgetAudit.UPDATE: "Sửa đề xuất ngân sách",
            BudgetAudit.ARCHIVE: "Lưu trữ ngân sách",
            BudgetAudit.SPENDING_ADD: "Ghi khoản chi",
            BudgetAudit.SPENDING_OVER_ALLOCATION: "Ghi khoản chi vượt số được phân bổ",
            BudgetAudit.SPENDING_ARCHIVE: "Hủy khoản chi",
            BudgetAudit.EXPORT: "Xuất danh sách ngân sách",
        }
    )
