"""The aid list as a table for people to read: the registry workbook's VienTro columns,
with names and labels where the workbook has codes (donors, sectors, communes). The
workbook itself (Dữ liệu → Xuất) keeps the codes for import."""

from app.aid.models import AidItem, AidStatus, Modality, Sector
from app.core.export import send_table
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
