"""The association list and the activity log as tables for people to read (sheets
HoiHuuNghi and HoatDongHoi of docs/spec/associations.md): labels and country names where
the database has codes, dates as dates, money as whole đồng."""

from app.associations.models import Association, AssociationActivity
from app.associations.states import ActivityKind, AssociationStatus
from app.core.countries import country_name


def _countries(record) -> str:
    return "; ".join(country_name(code) for code in record.countries)


def _yes_no(flag: bool) -> str:
    return "Có" if flag else "Không"


def _vnd(value) -> int | None:
    return int(value) if value is not None else None


# (key, Vietnamese label, value) of sheet HoiHuuNghi; `counts` maps an association's id to
# (year, count) of its latest reported member count.
ASSOCIATION_COLUMNS = (
    ("ma", "Mã hội", lambda a, c: a.code),
    ("ten", "Tên hội", lambda a, c: a.name),
    ("ten_viet", "Tên tiếng Việt", lambda a, c: a.name_vi),
    ("so_qd_thanh_lap", "Số quyết định thành lập", lambda a, c: a.founding_decision_number),
    ("ngay_qd_thanh_lap", "Ngày quyết định thành lập", lambda a, c: a.founding_decision_date),
    ("quoc_gia", "Quốc gia đối tác", lambda a, c: _countries(a)),
    ("lanh_dao", "Lãnh đạo hội", lambda a, c: a.leaders),
    ("dia_chi", "Địa chỉ", lambda a, c: a.address),
    ("dien_thoai", "Điện thoại", lambda a, c: a.phone),
    ("email", "Thư điện tử", lambda a, c: a.email),
    ("tinh_trang", "Tình trạng hoạt động", lambda a, c: AssociationStatus(a.status).label),
    ("thanh_vien_lien_hiep", "Thành viên Liên hiệp", lambda a, c: _yes_no(a.union_member)),
    ("ngay_gia_nhap", "Ngày gia nhập Liên hiệp", lambda a, c: a.union_joined_on),
    ("nam_hoi_vien", "Năm báo cáo số hội viên", lambda a, c: c.get(a.id, (None, None))[0]),
    ("so_hoi_vien", "Số hội viên", lambda a, c: c.get(a.id, (None, None))[1]),
    ("ghi_chu", "Ghi chú", lambda a, c: a.notes),
    ("luu_tru", "Lý do lưu trữ", lambda a, c: a.archive_reason),
)

ACTIVITY_COLUMNS = (
    ("ma_hoi", "Mã hội", lambda x: x.association.code),
    ("ten_hoi", "Tên hội", lambda x: x.association.name),
    ("ngay", "Ngày hoạt động", lambda x: x.held_on),
    ("loai", "Loại hoạt động", lambda x: ActivityKind(x.kind).label),
    ("ten_hoat_dong", "Tên, nội dung hoạt động", lambda x: x.title),
    ("doi_tac", "Đối tác", lambda x: x.partners),
    ("quoc_gia", "Quốc gia", _countries),
    ("so_nguoi", "Số người tham gia", lambda x: x.participants),
    ("kinh_phi_vnd", "Kinh phí (VNĐ)", lambda x: _vnd(x.funds_vnd)),
    ("ma_doan", "Mã đoàn", lambda x: x.delegation.code if x.delegation else None),
    ("ma_vien_tro", "Mã khoản viện trợ", lambda x: x.aid_item.code if x.aid_item else None),
    ("ghi_chu", "Ghi chú", lambda x: x.notes),
    ("luu_tru", "Lý do lưu trữ", lambda x: x.archive_reason),
)


def association_table(associations: list[Association], counts: dict) -> tuple[list, list]:
    headers = [label for _key, label, _get in ASSOCIATION_COLUMNS]
    rows = [[get(a, counts) for _key, _label, get in ASSOCIATION_COLUMNS] for a in associations]
    return headers, rows


def activity_table(activities: list[AssociationActivity]) -> tuple[list, list]:
    headers = [label for _key, label, _get in ACTIVITY_COLUMNS]
    rows = [[get(x) for _key, _label, get in ACTIVITY_COLUMNS] for x in activities]
    return headers, rows
