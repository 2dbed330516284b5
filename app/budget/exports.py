"""The budget list as a table for people to read (labels, not codes; text as text through
app/core/export.py). Columns follow the proposed NganSach sheet (docs/spec/budget.md) with
the figures and flags added."""

from app.budget.states import BudgetFlag

HEADERS = [
    "Năm",
    "Đơn vị",
    "Loại đơn vị",
    "Trạng thái",
    "Kinh phí đề xuất (VNĐ)",
    "Thuyết minh đề xuất",
    "Kinh phí được phân bổ (VNĐ)",
    "Số quyết định phân bổ",
    "Ngày quyết định phân bổ",
    "Đã chi (VNĐ)",
    "Chi đến 30/09 (VNĐ)",
    "Tỷ lệ sử dụng (%)",
    "Cảnh báo",
    "Kết luận kiểm tra",
    "Nhận xét của cơ quan tài chính",
    "Lý do lưu trữ",
]


def line_row(line, figures) -> list:
    """One row: `figures` is the line's queries.LineFigures."""
    return [
        line.year,
        line.owner_name,
        line.owner_kind_label,
        line.status_label,
        line.proposed_vnd,
        line.proposal_note,
        line.allocated_vnd,
        line.allocation_number,
        line.allocation_date,
        figures.spent,
        figures.spent_by_deadline,
        figures.share_used,
        "; ".join(BudgetFlag(flag).label for flag in figures.flags),
        line.verdict_label,
        line.finance_remarks,
        line.archive_reason,
    ]
