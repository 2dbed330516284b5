"""The aid list as a table for people to read: the registry workbook's VienTro columns,
with names and labels where the workbook has codes (donors, sectors, communes). The
workbook itself (Dữ liệu → Xuất) keeps the codes for import."""

from datetime import date

from app.aid.models import AidItem, AidStatus, Modality, Sector
from app.core.export import send_table
from app.core.inbox import due_state
from app.extensions import db

HEADERS = [
    "Mã khoản viện trợ",
    "Tên khoản viện trợ",
    "Hình thức",
    "Nhà tài trợ",
    "Lĩnh vực",
    "Địa bàn",
    "Chủ khoản viện trợ",
    "Ngày nhận hồ sơ",
    "Trạng thái",
    "Số quyết định phê duyệt",
    "Ngày phê duyệt",
    "Giá trị viện trợ",
    "Tiền tệ",
    "Tỷ giá (VNĐ)",
    "Tỷ giá USD (VNĐ)",
    "Giá trị (VNĐ)",
    "Vốn đối ứng (VNĐ)",
    "Ngày bắt đầu",
    "Ngày kết thúc",
    # What the decision says (Decree 80/2020 Art 11(1)) and the central competence.
    "Phần do bên tài trợ quản lý",
    "Phần do bên tiếp nhận quản lý",
    "Phương thức quản lý",
    "Cơ chế tài chính",
    "Thẩm quyền trung ương (lý do)",
    "Ngày trình trung ương",
    "Số văn bản trình",
    "Trình đến",
    "Cấp quyết định",
]


def _sectors(item: AidItem) -> str:
    return "; ".join(
        f"{Sector(s.sector).label} ({s.share.normalize():f}%)"
        if s.share is not None
        else Sector(s.sector).label
        for s in item.sectors
    )


def item_row(item: AidItem) -> list:
    return [
        item.code,
        item.name,
        Modality(item.modality).label,
        "; ".join(d.organization.name for d in item.donors),
        _sectors(item),
        "; ".join(loc.commune.name for loc in item.locations),
        item.owner_name,
        item.dossier_received_on,
        AidStatus(item.status).label,
        item.decision_number,
        item.decision_date,
        item.value,
        item.currency,
        item.rate_vnd,
        item.rate_usd,
        item.value_vnd,
        item.counterpart_vnd,
        item.start_on,
        item.end_on,
        item.donor_managed_value,
        item.recipient_managed_value,
        item.management_modality_label,
        item.financial_mechanism_label,
        item.central_reason_label,
        item.submitted_up_on,
        item.submitted_up_number,
        item.submitted_up_to,
        item.decision_authority,
    ]


def send_items(query, fmt: str):
    items = db.session.scalars(query.execution_options(yield_per=500))
    rows = (item_row(item) for item in items)
    return send_table("khoan-vien-tro", "Khoản viện trợ", HEADERS, rows, fmt)


# The follow-up alerts of the focal agency's inbox (services.alerts keys), page and export.
ALERT_TITLES = (
    ("not_started", "Đã phê duyệt quá 6 tháng chưa triển khai (có thể thu hồi)"),
    ("reports_overdue", "Chậm báo cáo định kỳ"),
    ("closing_overdue", "Chậm báo cáo kết thúc"),
    ("delayed", "Chậm tiến độ so với kế hoạch"),
    ("over_disbursed", "Giải ngân vượt giá trị phê duyệt"),
)
INBOX_HEADERS = [
    "Nhóm việc",
    "Việc cần làm",
    "Mã khoản viện trợ",
    "Tên khoản viện trợ",
    "Nhà tài trợ",
    "Trạng thái",
    "Ngày nhận",
    "Hạn xử lý",
    "Quá hạn",
    "Tình trạng hạn",
]


def _inbox_row(box, task, item, received_on, due_on, overdue, today) -> list:
    donor = item.main_donor.name if item.main_donor else None
    late = None if overdue is None else ("có" if overdue else "không")
    state = due_state(due_on, today, overdue=overdue) if overdue is not None else None
    status = AidStatus(item.status).label
    return [box, task, item.code, item.name, donor, status, received_on, due_on, late, state]


def send_inbox(today: date, *, boxes, alerts, fmt: str, **_page):
    """What waits for the user, as on the inbox page (same filters, same order, every row):
    the opinions to give, the dossiers in the procedure with their task, the notices to
    send, with their due date and whether it passed; then the follow-up alerts."""
    rows = [
        *(
            _inbox_row(box.title, r.task, r.item, r.received_on, r.due_on, r.overdue, today)
            for box in boxes
            for r in box.rows
        ),
        *(
            _inbox_row("Cảnh báo", title, item, None, None, None, today)
            for key, title in ALERT_TITLES
            for item in (alerts or {}).get(key, [])
        ),
    ]
    return send_table("viec-can-xu-ly-vien-tro", "Việc cần xử lý", INBOX_HEADERS, rows, fmt)
