"""The whole registry as a registry workbook, and the empty template (spec/interchange.md).

Each sheet carries the spec's columns (Vietnamese labels as headers) and the registry's
extra columns, which the import reads back: export → import → export gives the same
content. Archived records stay out (they are deleted for the users).
"""

import io
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from app.aid.exports import BATCH, among_items
from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, Disbursement
from app.auth.models import Agency
from app.core.export import DATE_NUMBER_FORMAT, spooled_file, write_cell
from app.core.xlsx import PLAIN_STYLES, XlsxWriter
from app.delegations.models import Delegation, DelegationMember, ItineraryStop
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.export_diplomacy import diplomacy_sheets
from app.transfer.fields import (
    DELEGATION_FIELDS,
    DISBURSEMENT_FIELDS,
    ITEM_FIELDS,
    MEMBER_FIELDS,
    ORG_FIELDS,
)
from app.transfer.schema import BOOL, CODE, CODES, SHEETS, Sheet

PERSONAL_COLUMNS = {"ngay_sinh", "so_ho_chieu"}


def _cell_value(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if hasattr(value, "value") and isinstance(value, str):  # enum members -> their key
        return str(value)
    return value


def _share(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _values(columns, row: dict) -> list:
    values = []
    for column in columns:
        value = row.get(column.key)
        if column.kind == BOOL and not (value is None and column.tristate):
            value = bool(value)
        values.append(_cell_value(value))
    return values


def _write_sheet(writer: XlsxWriter, sheet: Sheet, rows, skip: set[str] = frozenset()) -> None:
    """One sheet of the registry workbook, streamed (app.core.xlsx): text stays text."""
    columns = [c for c in sheet.columns if c.key not in skip]
    writer.sheet(
        sheet.key,
        [c.label for c in columns],
        (_values(columns, row) for row in rows),
        styles=PLAIN_STYLES,
        widths=[max(12, min(40, len(c.label) + 4)) for c in columns],
    )


class _Book:
    """The empty template (small): openpyxl's write-only workbook."""

    def __init__(self):
        from openpyxl import Workbook

        self.workbook = Workbook(write_only=True)

    def sheet(self, sheet: Sheet, rows, skip: set[str] = frozenset()):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        worksheet = self.workbook.create_sheet(sheet.key)
        columns = [c for c in sheet.columns if c.key not in skip]
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            width = max(12, min(40, len(column.label) + 4))
            worksheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column in columns:
            cell = WriteOnlyCell(worksheet, value=column.label)
            cell.font = Font(bold=True)
            header.append(cell)
        worksheet.append(header)
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column.key)
                if column.kind == BOOL and value is None and column.tristate:
                    value = None
                elif column.kind == BOOL:
                    value = bool(value)
                # Text stays text: a name such as "=1+2" is written as a string cell
                # with the quote prefix, never as a formula (app.core.export).
                is_date = hasattr(value, "year") and hasattr(value, "day")
                cell = write_cell(
                    WriteOnlyCell(worksheet),
                    _cell_value(value),
                    DATE_NUMBER_FORMAT if is_date else None,
                )
                cells.append(cell)
            worksheet.append(cells)
        return worksheet

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _plain(obj, mapping: dict[str, str]) -> dict:
    return {key: getattr(obj, name) for key, name in mapping.items() if key != "ma"}


def _organizations():
    for org in db.session.scalars(
        sa.select(Organization)
        .where(Organization.archived_at.is_(None))
        .order_by(Organization.code)
    ):
        yield {"ma": org.code, **_plain(org, ORG_FIELDS)}


def _item_children(ids: list[int], org_codes: dict[int, str]) -> tuple[dict, dict, dict]:
    """The donors' codes, sectors (key:share) and communes of a batch of items: one query
    per table, in the order the import reads them back."""
    donors, sectors, communes = defaultdict(list), defaultdict(list), defaultdict(list)
    connection = db.session.connection().execution_options(compiled_cache=None)
    for item_id, org_id in connection.execute(
        sa.select(AidDonor.aid_item_id, AidDonor.organization_id)
        .where(among_items(AidDonor, ids))
        .order_by(AidDonor.aid_item_id, AidDonor.position)
    ).all():
        donors[item_id].append(org_codes.get(org_id, ""))
    for item_id, key, share in connection.execute(
        sa.select(AidSector.aid_item_id, AidSector.sector, AidSector.share)
        .where(among_items(AidSector, ids))
        .order_by(AidSector.aid_item_id, AidSector.id)
    ).all():
        sectors[item_id].append(key if share is None else f"{key}:{_share(share)}")
    for item_id, code in connection.execute(
        sa.select(AidLocation.aid_item_id, AidLocation.commune_code)
        .where(among_items(AidLocation, ids))
        .order_by(AidLocation.aid_item_id, AidLocation.id)
    ).all():
        communes[item_id].append(code)
    return donors, sectors, communes


def _items(org_codes: dict[int, str]):
    """The live items by code, their children read per batch (memory bounded by a batch)."""
    columns = [AidItem.id, *(getattr(AidItem, name) for name in ITEM_FIELDS.values())]
    query = sa.select(*columns).where(AidItem.archived_at.is_(None)).order_by(AidItem.code)
    result = db.session.connection().execute(query.execution_options(yield_per=BATCH))
    while batch := result.fetchmany(BATCH):
        donors, sectors, communes = _item_children([item.id for item in batch], org_codes)
        for item in batch:
            row = {"ma": item.code, **_plain(item, ITEM_FIELDS)}
            row["nha_tai_tro"] = "; ".join(donors[item.id])
            row["linh_vuc"] = "; ".join(sectors[item.id])
            row["dia_ban"] = "; ".join(communes[item.id]) or None
            yield row


def _disbursements():
    columns = [getattr(Disbursement, name) for name in DISBURSEMENT_FIELDS.values()]
    query = (
        sa.select(AidItem.code.label("item_code"), *columns)
        .join(AidItem, Disbursement.aid_item_id == AidItem.id)
        .where(Disbursement.archived_at.is_(None), AidItem.archived_at.is_(None))
        .order_by(AidItem.code, Disbursement.disbursed_on, Disbursement.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        yield {"ma_vien_tro": row.item_code, **_plain(row, DISBURSEMENT_FIELDS)}


def _delegations(org_codes: dict[int, str], visible):
    agencies = dict(db.session.execute(sa.select(Agency.id, Agency.name)).all())
    items = dict(db.session.execute(sa.select(AidItem.id, AidItem.code)).all())
    stops = defaultdict(list)
    for stop in db.session.scalars(sa.select(ItineraryStop).order_by(ItineraryStop.id)):
        stops[stop.delegation_id].append(stop)
    query = (
        sa.select(Delegation)
        .where(Delegation.archived_at.is_(None), visible)
        .order_by(Delegation.code)
        .execution_options(yield_per=1000)
    )
    for d in db.session.scalars(query):
        row = {"ma": d.code, **_plain(d, DELEGATION_FIELDS)}
        row["to_chuc"] = org_codes.get(d.organization_id)
        row["quoc_gia"] = "; ".join(d.countries)
        row["ma_vien_tro"] = items.get(d.aid_item_id)
        row["don_vi"] = agencies.get(d.host_agency_id)
        row["bien_gioi"] = d.border_area_override
        own = stops[d.id]
        row["dia_ban"] = "; ".join(dict.fromkeys(s.commune_code for s in own if s.commune_code))
        row["dia_ban"] = row["dia_ban"] or None
        if any(s.day or s.place or s.activity for s in own):
            row["lich_trinh"] = "\n".join(
                " | ".join([
                    f"{s.day:%d/%m/%Y}" if s.day else "", s.commune_code or "", s.place or "",
                    s.activity or "",
                ]).rstrip(" |")
                for s in own
            )  # fmt: skip
        yield row


def _members(visible):
    columns = [getattr(DelegationMember, name) for name in MEMBER_FIELDS.values()]
    query = (
        sa.select(Delegation.code.label("delegation_code"), *columns)
        .join(Delegation, DelegationMember.delegation_id == Delegation.id)
        .where(DelegationMember.archived_at.is_(None), Delegation.archived_at.is_(None), visible)
        .order_by(Delegation.code, DelegationMember.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        yield {
            "ma_doan": row.delegation_code,
            **{k: getattr(row, n) for k, n in MEMBER_FIELDS.items()},
        }


def write_workbook(target, include_personal: bool = True, user=None, progress=None) -> None:
    """Every record of the registry into `target` (a seekable binary file), streamed one
    sheet after the other; dates of birth and passports only when allowed.

    With a user, only what that user may see (other agencies' draft delegations stay out);
    without one (the operator's command), everything. `progress(text, step, steps)` hears
    which sheet is being written (a background job's progress page).
    """
    from app.delegations.services import visible_to

    visible = visible_to(user) if user is not None else sa.true()
    org_codes = dict(db.session.execute(sa.select(Organization.id, Organization.code)).all())
    writer = XlsxWriter(target)
    sheets = (
        ("ToChuc", lambda: _organizations(), ()),
        ("VienTro", lambda: _items(org_codes), ()),
        ("GiaiNgan", lambda: _disbursements(), ()),
        ("Doan", lambda: _delegations(org_codes, visible), ()),
        ("ThanhVien", lambda: _members(visible), () if include_personal else PERSONAL_COLUMNS),
        *diplomacy_sheets(),
    )
    for step, (key, rows, skip) in enumerate(sheets):
        if progress is not None:
            progress(f"Đang xuất trang {key}", step, len(sheets) + 1)
        _write_sheet(writer, SHEETS[key], rows(), skip=set(skip))
    if progress is not None:
        progress("Đang lưu tệp", len(sheets), len(sheets) + 1)
    writer.close()


def export_workbook(include_personal: bool = True, user=None, progress=None) -> bytes:
    """The registry workbook as bytes (see write_workbook)."""
    with spooled_file() as file:
        write_workbook(file, include_personal, user, progress)
        file.seek(0)
        return file.read()


def template_workbook() -> bytes:
    """An empty workbook: instructions, the sheets' header rows, the allowed values."""
    book = _Book()
    guide = book.workbook.create_sheet("HuongDan")
    guide.append(["MẪU NHẬP DỮ LIỆU VIỆN TRỢ VÀ ĐOÀN RA, ĐOÀN VÀO"])
    for line in (
        "Mỗi trang tính là một loại dữ liệu; dòng đầu là tên cột (mã cột hoặc tên tiếng Việt).",
        "Ngày ghi dd/mm/yyyy; số theo kiểu Việt Nam: 1.234.567,5.",
        "Danh sách trong một ô cách nhau bởi dấu ;. Có/không: có, x, 1 hoặc không, 0.",
        "Mã (cột Mã) không trùng trong tệp; dòng có mã đã có trong hệ thống sẽ cập nhật bản ghi.",
        "Các giá trị mã hóa cho phép xem trang DanhMuc.",
        "",
        "Trang tính | Cột | Bắt buộc | Ghi chú",
    ):
        guide.append([line])
    for sheet in SHEETS.values():
        for column in sheet.columns:
            guide.append([sheet.key, column.label, "có" if column.required else "", column.note])
    for sheet in SHEETS.values():
        book.sheet(sheet, [])
    values = book.workbook.create_sheet("DanhMuc")
    values.append(["Trang tính", "Cột", "Mã", "Ý nghĩa"])
    for sheet in SHEETS.values():
        for column in sheet.columns:
            if column.kind in (CODE, CODES) or column.choices:
                for key, label in column.choices.items():
                    values.append([sheet.key, column.label, key, label])
    return book.bytes()
