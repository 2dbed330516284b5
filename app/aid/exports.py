"""The aid list as a table for people to read: the registry workbook's VienTro columns,
with names and labels where the workbook has codes (donors, sectors, communes). The
workbook itself (Dữ liệu → Xuất) keeps the codes for import."""

from collections import defaultdict
from datetime import date
from functools import cache

import sqlalchemy as sa

from app.aid.contents import CentralReason, FinancialMechanism, ManagementModality
from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, AidStatus, Modality, Sector
from app.core.export import send_table
from app.core.inbox import due_state
from app.core.models import Commune
from app.extensions import db
from app.orgs.models import Organization

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


# The item's own columns, in the order of HEADERS (the children are filled in between).
ITEM_COLUMNS = (
    AidItem.id,
    AidItem.code,
    AidItem.name,
    AidItem.modality,
    AidItem.owner_name,
    AidItem.dossier_received_on,
    AidItem.status,
    AidItem.decision_number,
    AidItem.decision_date,
    AidItem.value,
    AidItem.currency,
    AidItem.rate_vnd,
    AidItem.rate_usd,
    AidItem.value_vnd,
    AidItem.counterpart_vnd,
    AidItem.start_on,
    AidItem.end_on,
    AidItem.donor_managed_value,
    AidItem.recipient_managed_value,
    AidItem.management_modality,
    AidItem.financial_mechanism,
    AidItem.central_reason,
    AidItem.submitted_up_on,
    AidItem.submitted_up_number,
    AidItem.submitted_up_to,
    AidItem.decision_authority,
)
BATCH = 1000  # items whose donors, sectors and communes are read by one query each


def _label(labels: dict[str, str]):
    return lambda key: labels[key] if key else None


@cache
def _sector(key: str, share) -> str:
    label = Sector.labels()[key]
    return label if share is None else f"{label} ({share.normalize():f}%)"


def among_items(model, ids: list[int]):
    """aid_item_id IN (the batch's ids), the ids written into the SQL: they are integers
    read from the database, and a thousand bound parameters cost more to expand than the
    query takes to run."""
    listed = ",".join(str(int(i)) for i in ids) or "NULL"
    return sa.text(f"{model.__tablename__}.aid_item_id IN ({listed})")


def _children(ids: list[int]) -> tuple[dict, dict, dict]:
    """The donors' names, the sectors and the communes' names of these items, in the
    item page's order: one query per child table."""
    donors, sectors, communes = defaultdict(list), defaultdict(list), defaultdict(list)
    # Each batch's statement is new (its ids are in the SQL): not kept in the SQL cache.
    connection = db.session.connection().execution_options(compiled_cache=None)
    for item_id, name in connection.execute(
        sa.select(AidDonor.aid_item_id, Organization.name)
        .join(Organization, AidDonor.organization_id == Organization.id)
        .where(among_items(AidDonor, ids))
        .order_by(AidDonor.aid_item_id, AidDonor.position, AidDonor.id)
    ).all():
        donors[item_id].append(name)
    for item_id, key, share in connection.execute(
        sa.select(AidSector.aid_item_id, AidSector.sector, AidSector.share)
        .where(among_items(AidSector, ids))
        .order_by(AidSector.aid_item_id, AidSector.id)
    ).all():
        sectors[item_id].append(_sector(key, share))
    for item_id, name in connection.execute(
        sa.select(AidLocation.aid_item_id, Commune.name)
        .join(Commune, AidLocation.commune_code == Commune.code)
        .where(among_items(AidLocation, ids))
        .order_by(AidLocation.aid_item_id, AidLocation.id)
    ).all():
        communes[item_id].append(name)
    return donors, sectors, communes


def item_rows(query):
    """The rows of the items the list's select finds, in its order: its own columns from
    one query (no ORM object), the children read per batch of BATCH items, so memory
    does not grow with the list."""
    modality = _label(Modality.labels())
    status = _label(AidStatus.labels())
    management = _label(ManagementModality.labels())
    mechanism = _label(FinancialMechanism.labels())
    reason = _label(CentralReason.labels())
    columns = query.with_only_columns(*ITEM_COLUMNS).execution_options(yield_per=BATCH)
    result = db.session.connection().execute(columns)
    while batch := result.fetchmany(BATCH):
        donors, sectors, communes = _children([row[0] for row in batch])
        for (
            item_id, code, name, modality_key, owner, received, status_key, decision_number,
            decision_date, value, currency, rate_vnd, rate_usd, value_vnd, counterpart,
            start_on, end_on, donor_managed, recipient_managed, management_key, mechanism_key,
            reason_key, submitted_on, submitted_number, submitted_to, authority,
        ) in batch:  # fmt: skip
            yield [
                code,
                name,
                modality(modality_key),
                "; ".join(donors.get(item_id, ())),
                "; ".join(sectors.get(item_id, ())),
                "; ".join(communes.get(item_id, ())),
                owner,
                received,
                status(status_key),
                decision_number,
                decision_date,
                value,
                currency,
                rate_vnd,
                rate_usd,
                value_vnd,
                counterpart,
                start_on,
                end_on,
                donor_managed,
                recipient_managed,
                management(management_key),
                mechanism(mechanism_key),
                reason(reason_key),
                submitted_on,
                submitted_number,
                submitted_to,
                authority,
            ]


BASENAME, SHEET = "khoan-vien-tro", "Khoản viện trợ"


def send_items(query, fmt: str):
    """The list's file at once, or, for a long list, a background job's page."""
    from app.transfer.list_exports import as_job_if_long

    if (job_page := as_job_if_long("aid", query, fmt)) is not None:
        return job_page
    return send_table(BASENAME, SHEET, HEADERS, item_rows(query), fmt)


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
