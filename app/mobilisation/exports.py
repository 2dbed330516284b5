"""The contact and proposal lists as XLSX/CSV, exactly as filtered: the columns of the
registry workbook's sheets TiepXucVanDong and DeXuatVanDong plus a reader's extra columns
(docs/spec/mobilisation.md), coded values as their labels (app.core.export writes text as
text)."""

from app.core.countries import country_name
from app.mobilisation.models import MobilisationContact, MobilisationProposal


def _donor_name(record) -> str:
    return record.organization.name


def _agency_code(record):
    return record.agency.code if record.agency else None


# The keys and labels of the registry workbook's sheets TiepXucVanDong and DeXuatVanDong
# (docs/spec/interchange-people-diplomacy.md), then the figures a reader wants beside them
# (donor's name and country, values in đồng, the archive reason): coded values as labels.
CONTACT_COLUMNS = (
    ("ma", "Mã tiếp xúc", lambda c: c.code),
    ("ngay", "Ngày", lambda c: c.occurred_on),
    ("hinh_thuc", "Hình thức", lambda c: c.kind_label),
    ("ma_to_chuc", "Mã tổ chức", lambda c: c.organization.code),
    ("nha_tai_tro", "Nhà tài trợ", _donor_name),
    ("quoc_gia", "Quốc gia nhà tài trợ", lambda c: country_name(c.organization.country)),
    ("thanh_phan", "Thành phần tham gia", lambda c: c.participants),
    ("noi_dung", "Nội dung", lambda c: c.topic),
    ("co_quan", "Mã cơ quan ghi nhận", _agency_code),
    ("ghi_chu", "Ghi chú", lambda c: c.notes),
    ("luu_tru", "Lý do lưu trữ", lambda c: c.archive_reason),
)


def _communes(p: MobilisationProposal) -> str:
    return "; ".join(row.commune.name for row in p.commune_rows)


PROPOSAL_COLUMNS = (
    ("ma", "Mã đề xuất", lambda p: p.code),
    ("ten", "Tên đề xuất", lambda p: p.title),
    ("ma_to_chuc", "Mã tổ chức", lambda p: p.organization.code),
    ("nha_tai_tro", "Nhà tài trợ", _donor_name),
    ("quoc_gia", "Quốc gia nhà tài trợ", lambda p: country_name(p.organization.country)),
    ("ma_tiep_xuc", "Mã tiếp xúc", lambda p: p.contact.code if p.contact else None),
    ("ngay_gui", "Ngày gửi", lambda p: p.sent_on),
    ("linh_vuc", "Lĩnh vực", lambda p: p.sector_label),
    ("dia_ban", "Địa bàn (xã, phường)", _communes),
    ("gia_tri", "Giá trị đề xuất", lambda p: p.requested_value),
    ("tien_te", "Tiền tệ", lambda p: p.currency),
    ("ty_gia", "Tỷ giá (VNĐ)", lambda p: p.rate_vnd),
    ("gia_tri_vnd", "Giá trị đề xuất (VNĐ)", lambda p: p.requested_vnd),
    ("ket_qua", "Kết quả", lambda p: p.outcome_label),
    ("ngay_ket_qua", "Ngày có kết quả", lambda p: p.outcome_on),
    ("gia_tri_cam_ket", "Giá trị cam kết", lambda p: p.pledged_value),
    ("gia_tri_cam_ket_vnd", "Giá trị cam kết (VNĐ)", lambda p: p.pledged_vnd),
    ("ma_vien_tro", "Mã khoản viện trợ", lambda p: p.aid_item.code if p.aid_item else None),
    ("co_quan", "Mã cơ quan ghi nhận", _agency_code),
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
