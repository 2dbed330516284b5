"""Delegation tables out (list, member list) and the member list in (XLSX/CSV upload)."""

from sqlalchemy import func

from app.auth.names import agency_name_on
from app.core import audit
from app.core.countries import country_name
from app.core.export import send_table
from app.core.inbox import due_state
from app.delegations.models import (
    Delegation,
    DelegationMember,
    DelegationStatus,
    Direction,
    PassportType,
    Purpose,
)
from app.delegations.states import DelegationAudit
from app.extensions import db

LIST_HEADERS = [
    "Mã đoàn",
    "Loại đoàn",
    "Tên đoàn",
    "Tổ chức",
    "Quốc gia",
    "Từ ngày",
    "Đến ngày",
    "Mục đích",
    "Đơn vị đón tiếp / cử đi",
    "Khu vực biên giới",
    "Số thành viên",
    "Trạng thái",
    "Số văn bản phê duyệt",
    "Ngày phê duyệt",
]

# The ThanhVien columns of the registry workbook (spec/interchange.md) and member fields.
MEMBER_LABELS = {
    "full_name": "Họ và tên",
    "sex": "Giới tính",
    "birth_date": "Ngày sinh",
    "nationality": "Quốc tịch",
    "passport_number": "Số hộ chiếu",
    "passport_type": "Loại hộ chiếu",
    "passport_expiry": "Hạn hộ chiếu",
    "position": "Chức vụ",
    "organization_name": "Cơ quan, tổ chức",
    "is_head": "Trưởng đoàn",
}
PERSONAL_FIELDS = ("birth_date", "passport_number")


BASENAME, SHEET = "doan", "Đoàn"


def delegation_rows(query):
    """The rows of the delegations the list's select finds, in its order (one query, with
    the organisation, the host agency and the number of members)."""
    counts = (
        db.select(func.count(DelegationMember.id))
        .where(
            DelegationMember.delegation_id == Delegation.id, DelegationMember.archived_at.is_(None)
        )
        .scalar_subquery()
    )
    for d, member_count in db.session.execute(
        query.add_columns(counts).execution_options(yield_per=500)
    ):
        yield [
            d.code,
            Direction(d.direction).label,
            d.title,
            d.organization.name if d.organization else d.sending_party,
            country_name(d.country),
            d.start_on,
            d.end_on,
            Purpose(d.purpose).label,
            agency_name_on(d.host_agency, d.start_on) or None,  # its name at the visit
            "có" if d.is_border_area else "không",
            member_count,
            DelegationStatus(d.status).label,
            d.approval_number,
            d.approval_date,
        ]


def send_delegations(query, fmt: str):
    """The list's file at once, or, for a long list, a background job's page."""
    from app.transfer.list_exports import as_job_if_long

    if (job_page := as_job_if_long("delegations", query, fmt)) is not None:
        return job_page
    return send_table(BASENAME, SHEET, LIST_HEADERS, delegation_rows(query), fmt)


INBOX_HEADERS = [
    "Việc cần làm",
    "Mã đoàn",
    "Tên đoàn",
    "Loại đoàn",
    "Từ ngày",
    "Đến ngày",
    "Đơn vị đón tiếp / cử đi",
    "Khu vực biên giới",
    "Trạng thái",
    "Ngày gửi hồ sơ",
    "Hạn xử lý",
    "Quá hạn",
    "Tình trạng hạn",
    "Hạn báo cáo",
]


def send_inbox(boxes, today, fmt: str):
    """What waits for the user (services/inbox.py: the page's boxes as filtered and
    sorted, every row): one line per delegation and box, named by the box's label, with
    its due date and whether it passed (the notifications' rule); no member data."""

    def line(box, d):
        due_on = box.due_on(d)
        state = due_state(due_on, today)
        late = None if due_on is None else ("có" if due_on < today else "không")
        return [
            box.title,
            d.code,
            d.title,
            Direction(d.direction).label,
            d.start_on,
            d.end_on,
            agency_name_on(d.host_agency, d.start_on) or None,
            "có" if d.is_border_area else "không",
            DelegationStatus(d.status).label,
            d.submitted_on,
            due_on,
            late,
            state,
            d.report_due_on if d.is_approved else None,
        ]

    rows = (line(box, d) for box in boxes for d in box.rows)
    return send_table("viec-can-xu-ly-doan", "Việc cần xử lý", INBOX_HEADERS, rows, fmt)


def send_members(delegation: Delegation, fmt: str, with_personal: bool):
    """The member list; personal data only for those who may see it, and then audited."""
    fields = [f for f in MEMBER_LABELS if with_personal or f not in PERSONAL_FIELDS]
    headers = ["Mã đoàn"] + [MEMBER_LABELS[f] for f in fields]
    rows = []
    for member in delegation.members:
        row = [delegation.code]
        for name in fields:
            value = getattr(member, name)
            if name == "nationality":
                value = country_name(value)
            elif name == "is_head":
                value = "có" if value else ""
            elif name == "sex":
                value = member.sex_label
            elif name == "passport_type":
                value = PassportType(value).label if value else None
            row.append(value)
        rows.append(row)
    if with_personal:
        audit.record(
            DelegationAudit.MEMBERS_EXPORT,
            delegation,
            summary=f"Xuất danh sách thành viên đoàn {delegation.code} có dữ liệu cá nhân "
            f"({len(rows)} người, {fmt.upper()})",
        )
    return send_table(f"thanh-vien-{delegation.code}", "ThanhVien", headers, rows, fmt)


def read_member_rows(file) -> tuple[list[tuple[int, dict]], list]:
    """The rows of an uploaded member list (XLSX/CSV with the ThanhVien columns; Mã đoàn
    optional), as (Excel row, member values), and the file's errors."""
    from dataclasses import replace

    from app.delegations.services import RowError
    from app.transfer.fields import MEMBER_FIELDS
    from app.transfer.reader import read_workbook
    from app.transfer.schema import SHEETS

    sheet = SHEETS["ThanhVien"]
    member_list = replace(
        sheet,
        columns=tuple(
            replace(c, required=False) if c.key == "ma_doan" else c for c in sheet.columns
        ),
    )
    if file is None or not file.filename:
        return [], [RowError(0, "", "Vui lòng chọn tệp danh sách.")]
    result = read_workbook(file.read(), file.filename, only=member_list)
    errors = [RowError(i.row or 0, i.column or "", i.message) for i in result.errors]
    rows = [
        (row.excel_row, {field: row.values.get(key) for key, field in MEMBER_FIELDS.items()})
        for row in result.sheets.get("ThanhVien", [])
    ]
    for _row, values in rows:
        values["is_head"] = bool(values["is_head"])
    return rows, errors
