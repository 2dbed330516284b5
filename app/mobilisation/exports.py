"""The contact and proposal lists as XLSX/CSV: the columns of the proposed workbook sheets
TiepXucVanDong and DeXuatVanDong (docs/spec/mobilisation.md), with labels, never codes,
in the cells (app.core.export writes text as text)."""

from app.core.countries import country_name
from app.mobilisation.models import MobilisationContact, MobilisationProposal


def _donor_name(record) -> str:
    return record.organization.name


CONTACT_COLUMNS = (
    ("so", "Số tiếp xúc", lambda c: c.id),
    ("ngay", "Ngày tiếp xúc", lambda c: c.occurred_on),
    ("hinh_thuc", "Hình thức", lambda c: c.kind_label),
    ("ma_nha_tai_tro", "Mã nhà tài trợ", lambda c: c.organization.code),
    ("nha_tai_tro", "Nhà tài trợ", _donor_name),
    ("quoc_gia", "Quốc gia nhà tài trợ", lambda c: country_name(c.organization.country)),
    ("nguoi_tham_gia", "Người tham gia (phía tỉnh)", lambda c: c.participants),
    ("noi_dung", "Nội dung trao đổi", lambda c: c.topic),
    ("ghi_chu", "Ghi chú", lambda c: c.notes),
    ("co_quan_ghi", "Cơ quan ghi nhận", lambda c: c.agency.name if c.agency else None),
    ("luu_tru", "Lý do lưu trữ", lambda c: c.archive_reason),
)


def _communes(p: MobilisationProposal) -> str:
    return "; ".join(row.commune.name for row in p.commune_rows)


def _contact_ref(p: MobilisationProposal):
    return p.contact.occurred_on if p.contact is not None else None


PROPOSAL_COLUMNS = (
    ("ma", "Mã đề xuất", lambda p: p.code),
    ("ten", "Tên đề xuất", lambda p: p.title),
    ("ma_nha_tai_tro", "Mã nhà tài trợ", lambda p: p.organization.code),
    ("nha_tai_tro", "Nhà tài trợ", _donor_name),
    ("quoc_gia", "Quốc gia nhà tài trợ", lambda p: country_name(p.organization.country)),
    ("so_tiep_xuc", "Số tiếp xúc liên quan", lambda p: p.contact_id),
    ("ngay_tiep_xuc", "Ngày tiếp xúc liên quan", _contact_ref),
    ("ngay_gui", "Ngày gửi", lambda p: p.sent_on),
    ("linh_vuc", "Lĩnh vực", lambda p: p.sector_label),
    ("dia_ban", "Địa bàn (xã, phường)", lambda p: _communes(p)),
    ("gia_tri", "Giá trị đề nghị", lambda p: p.requested_value),
    ("tien_te", "Tiền tệ", lambda p: p.currency),
    ("ty_gia", "Tỷ giá (VNĐ/đơn vị)", lambda p: p.rate_vnd),
    ("gia_tri_vnd", "Giá trị đề nghị (VNĐ)", lambda p: p.requested_vnd),
    ("ket_qua", "Kết quả", lambda p: p.outcome_label),
    ("ngay_phan_hoi", "Ngày phản hồi", lambda p: p.outcome_on),
    ("gia_tri_cam_ket", "Giá trị cam kết", lambda p: p.pledged_value),
    ("gia_tri_cam_ket_vnd", "Giá trị cam kết (VNĐ)", lambda p: p.pledged_vnd),
    ("ma_vien_tro", "Mã khoản viện trợ", lambda p: p.aid_item.code if p.aid_item else None),
    ("ghi_chu", "Ghi chú", lambda p: p.notes),
    ("luu_tru", "Lý do lưu trữ", lambda p: p.archive_reason),
)


def table(columns, records) -> tuple[list[str], object]:
    """(headers, rows) of `records` in `columns`."""
    headers = [label for _key, label, _get in columns]
    rows = ([get(record) for _key, _label, get in columns] for record in records)
    return headers, rows


def contact_table(contacts: list[MobilisationContact]):
    return table(CONTACT_COLUMNS, contacts)


def proposal_table(proposals: list[MobilisationProposal]):
    return table(PROPOSAL_COLUMNS, proposals)
