"""The checks of the people-to-people diplomacy sheets that need more than one cell
(docs/spec/interchange-people-diplomacy.md): a budget line belongs to an agency or an
association, spending falls in its line's year and names at most one activity, keys are
not repeated, trainees' names do not outnumber them. Run before anything is written."""

from collections.abc import Mapping

import sqlalchemy as sa

from app.associations.models import Association, AssociationActivity
from app.auth.models import Agency
from app.budget.models import BudgetLine
from app.budget.states import ALLOCATED, BudgetStatus
from app.extensions import db
from app.mobilisation.models import MobilisationContact
from app.training.models import TrainingCourse
from app.transfer.issues import ReadResult, Row
from app.transfer.schema_diplomacy import AGENCIES

# The keyed diplomacy sheets other sheets refer to (with the registry's agencies).
DIPLOMACY_TARGETS = ("HoiHuuNghi", "HoatDongHoi", "KhoaDaoTao", "TiepXucVanDong")
DIPLOMACY_REF_NAMES = {
    AGENCIES: "Cơ quan",
    "HoiHuuNghi": "Hội",
    "HoatDongHoi": "Hoạt động",
    "KhoaDaoTao": "Khóa đào tạo",
    "TiepXucVanDong": "Tiếp xúc",
}
_CODED = {
    AGENCIES: Agency,
    "HoiHuuNghi": Association,
    "HoatDongHoi": AssociationActivity,
    "KhoaDaoTao": TrainingCourse,
    "TiepXucVanDong": MobilisationContact,
}
BUDGET_LINES = "NganSach"


def known_diplomacy_codes() -> dict[str, set]:
    """The registry's codes of agencies and diplomacy records, and its live budget lines as
    (year, agency code, association code)."""
    known = {key: set(db.session.scalars(sa.select(model.code))) for key, model in _CODED.items()}
    lines = (
        sa.select(BudgetLine.year, Agency.code, Association.code)
        .outerjoin(Agency, BudgetLine.agency_id == Agency.id)
        .outerjoin(Association, BudgetLine.association_id == Association.id)
        .where(BudgetLine.archived_at.is_(None))
    )
    known[BUDGET_LINES] = {tuple(row) for row in db.session.execute(lines)}
    return known


def _owner(result: ReadResult, sheet: str, row: Row) -> tuple | None:
    """(year, agency code, association code) of a budget row; an error unless exactly one
    owner is given."""
    agency, association = row.get("co_quan"), row.get("ma_hoi")
    if (agency is None) == (association is None):
        if "co_quan" not in row.invalid and "ma_hoi" not in row.invalid:
            result.error(
                sheet,
                row.excel_row,
                "Mã cơ quan",
                "Ghi mã cơ quan hoặc mã hội (một trong hai, không cả hai).",
            )
        return None
    if row.get("nam") is None:
        return None
    return (int(row.get("nam")), agency, association)


def _once(result: ReadResult, sheet: str, row: Row, seen: dict, key, column: str, what: str):
    previous = seen.setdefault(key, row.excel_row)
    if previous != row.excel_row:
        result.error(sheet, row.excel_row, column, f"{what} trùng với dòng {previous}.")


def check_diplomacy_sheets(result: ReadResult, known: Mapping[str, set]) -> None:
    """Append the errors of the diplomacy sheets' multi-cell rules to `result.errors`."""
    sheets = result.sheets
    lines: dict = {}
    for row in sheets.get("NganSach", ()):
        owner = _owner(result, "NganSach", row)
        if owner is not None:
            _once(result, "NganSach", row, lines, owner, "Năm", "Dòng ngân sách của năm này")
        status = row.get("trang_thai")
        if status in ALLOCATED and row.get("phan_bo") is None and "phan_bo" not in row.invalid:
            label = BudgetStatus(status).label
            result.error(
                "NganSach",
                row.excel_row,
                "Kinh phí được phân bổ (VNĐ)",
                f"Thiếu kinh phí được phân bổ (bắt buộc khi trạng thái là «{label}»).",
            )
    lines_known = set(known.get(BUDGET_LINES, ())) | set(lines)
    for row in sheets.get("ChiNganSach", ()):
        owner = _owner(result, "ChiNganSach", row)
        if owner is not None and owner not in lines_known:
            result.error(
                "ChiNganSach",
                row.excel_row,
                "Năm",
                f"Chưa có dòng ngân sách năm {owner[0]} của {owner[1] or owner[2]} trong trang "
                "NganSach của tệp cũng như trong sổ đăng ký.",
            )
        day = row.get("ngay")
        if owner is not None and day is not None and day.year != owner[0]:
            result.error(
                "ChiNganSach",
                row.excel_row,
                "Ngày chi",
                f"Ngày chi phải trong năm {owner[0]} của dòng ngân sách.",
            )
        links = [k for k in ("ma_hoat_dong", "ma_khoa", "ma_doan") if row.get(k) is not None]
        if len(links) > 1:
            result.error(
                "ChiNganSach",
                row.excel_row,
                "Mã hoạt động của hội",
                "Một khoản chi gắn với nhiều nhất một hoạt động, khóa đào tạo hoặc đoàn.",
            )
    counts: dict = {}
    for row in sheets.get("HoiVienHoi", ()):
        if row.get("ma_hoi") is not None and row.get("nam") is not None:
            key = (row.get("ma_hoi"), int(row.get("nam")))
            _once(result, "HoiVienHoi", row, counts, key, "Năm", "Số hội viên của năm này")
    trainees: dict = {}
    for row in sheets.get("HocVien", ()):
        if row.get("ma_khoa") is not None and row.get("co_quan") is not None:
            key = (row.get("ma_khoa"), row.get("co_quan"))
            _once(result, "HocVien", row, trainees, key, "Mã cơ quan", "Cơ quan của khóa này")
        names = [n for n in (row.get("ho_ten") or "").splitlines() if n.strip()]
        if row.get("so_hoc_vien") is not None and len(names) > row.get("so_hoc_vien"):
            result.error(
                "HocVien",
                row.excel_row,
                "Họ tên học viên",
                f"Có {len(names)} họ tên nhưng chỉ {int(row.get('so_hoc_vien'))} học viên.",
            )
    for row in sheets.get("HoiHuuNghi", ()):
        if row.get("ngay_gia_nhap") is not None and not row.get("lien_hiep"):
            result.error(
                "HoiHuuNghi",
                row.excel_row,
                "Ngày gia nhập Liên hiệp",
                "Có ngày gia nhập thì hội phải là thành viên Liên hiệp.",
            )
