"""The sheets of the people-to-people diplomacy work (issue 13): friendship associations,
their member counts and activities, training courses and their trainees, the yearly budget
lines and their spending, and the mobilisation of aid (contacts and proposals).

Specified in docs/spec/interchange-people-diplomacy.md; app.transfer.schema adds these sheets
to SHEETS.
"""

from decimal import Decimal

from app.aid.models import Sector
from app.associations.states import ActivityKind, AssociationStatus
from app.budget.services import FIRST_YEAR, LAST_YEAR
from app.budget.states import BudgetStatus, Verdict
from app.mobilisation.states import ContactKind, ProposalOutcome
from app.training.states import TrainingTopic
from app.transfer.columns import (
    BOOL,
    CODE,
    CODES,
    COMMUNES,
    COUNTRIES,
    CURRENCY,
    DATE,
    DECIMAL,
    RATE_LIMIT,
    REF,
    REFS,
    TEXT,
    Column,
    Sheet,
)

# A reference to an agency of the registry by its code (agencies are not a sheet).
AGENCIES = "CoQuan"

_ZERO = Decimal(0)
# The years the forms accept (app.budget.services), so an imported line stays editable.
_YEAR = {
    "whole": True,
    "min_value": Decimal(FIRST_YEAR),
    "max_value": Decimal(LAST_YEAR + 1),
}


def _count(key: str, label: str, **options) -> Column:
    return Column(key, label, DECIMAL, whole=True, min_value=_ZERO, **options)


def _vnd(key: str, label: str, **options) -> Column:
    return Column(key, label, DECIMAL, whole=True, min_value=_ZERO, note="đồng", **options)


def _ref(key: str, label: str, target: str, **options) -> Column:
    return Column(key, label, REF, ref=target, max_length=40, **options)


def _code(label: str) -> Column:
    return Column("ma", label, TEXT, required=True, max_length=40, note="mã duy nhất")


HOI_HUU_NGHI = Sheet(
    key="HoiHuuNghi",
    name="Hội hữu nghị",
    key_column="ma",
    columns=(
        _code("Mã hội"),
        Column("ten", "Tên hội", TEXT, required=True, max_length=300),
        Column("ten_khac", "Tên khác, tên viết tắt", TEXT, max_length=300),
        Column("nuoc_doi_tac", "Nước đối tác", COUNTRIES),
        Column("tinh_trang", "Tình trạng", CODE, required=True, choices=AssociationStatus.labels()),
        Column("so_qd_thanh_lap", "Số quyết định thành lập", TEXT, max_length=60),
        Column("ngay_qd_thanh_lap", "Ngày quyết định thành lập", DATE),
        Column("lanh_dao", "Lãnh đạo hội", TEXT),
        Column("dia_chi", "Địa chỉ", TEXT, max_length=300),
        Column("dien_thoai", "Điện thoại", TEXT, max_length=60),
        Column("email", "Thư điện tử", TEXT, max_length=200),
        Column("lien_hiep", "Thành viên Liên hiệp các tổ chức hữu nghị", BOOL),
        Column("ngay_gia_nhap", "Ngày gia nhập Liên hiệp", DATE),
        Column("ghi_chu", "Ghi chú", TEXT),
    ),
)

HOI_VIEN = Sheet(
    key="HoiVienHoi",
    name="Số hội viên theo năm",
    columns=(
        _ref("ma_hoi", "Mã hội", "HoiHuuNghi", required=True),
        Column("nam", "Năm", DECIMAL, required=True, **_YEAR),
        _count("so_hoi_vien", "Số hội viên", required=True),
    ),
)

HOAT_DONG_HOI = Sheet(
    key="HoatDongHoi",
    name="Hoạt động của hội",
    key_column="ma",
    columns=(
        _code("Mã hoạt động"),
        _ref("ma_hoi", "Mã hội", "HoiHuuNghi", required=True),
        Column("ngay", "Ngày", DATE, required=True),
        Column("loai", "Loại hoạt động", CODE, required=True, choices=ActivityKind.labels()),
        Column("noi_dung", "Nội dung hoạt động", TEXT, required=True, max_length=300),
        Column("doi_tac", "Đối tác", TEXT),
        Column("quoc_gia", "Quốc gia", COUNTRIES),
        _count("so_nguoi", "Số người tham gia"),
        _vnd("kinh_phi", "Kinh phí sử dụng (VNĐ)"),
        _ref("ma_doan", "Mã đoàn", "Doan"),
        _ref("ma_vien_tro", "Mã khoản viện trợ", "VienTro"),
        Column("ghi_chu", "Ghi chú", TEXT),
    ),
)

KHOA_DAO_TAO = Sheet(
    key="KhoaDaoTao",
    name="Khóa đào tạo, bồi dưỡng",
    key_column="ma",
    date_ranges=(("tu_ngay", "den_ngay"),),
    columns=(
        _code("Mã khóa"),
        Column("ten", "Tên khóa", TEXT, required=True, max_length=300),
        Column("tu_ngay", "Từ ngày", DATE, required=True),
        Column("den_ngay", "Đến ngày", DATE, required=True, note="không trước từ ngày"),
        _ref("co_quan_to_chuc", "Mã cơ quan tổ chức", AGENCIES),
        Column("don_vi_to_chuc", "Đơn vị tổ chức (khác)", TEXT, max_length=300),
        Column("dia_diem", "Địa điểm", TEXT, max_length=300),
        Column("chu_de", "Chủ đề", CODES, choices=TrainingTopic.labels()),
        _vnd("kinh_phi", "Kinh phí (VNĐ)"),
        Column("nguon_kinh_phi", "Nguồn kinh phí", TEXT, max_length=300),
        Column("ghi_chu", "Ghi chú", TEXT),
    ),
)

HOC_VIEN = Sheet(
    key="HocVien",
    name="Học viên theo cơ quan",
    columns=(
        _ref("ma_khoa", "Mã khóa", "KhoaDaoTao", required=True),
        _ref("co_quan", "Mã cơ quan", AGENCIES, required=True),
        Column(
            "so_hoc_vien",
            "Số học viên",
            DECIMAL,
            required=True,
            whole=True,
            min_value=_ZERO,
            min_exclusive=True,
        ),
        Column("ho_ten", "Họ tên học viên", TEXT, note="mỗi dòng một người"),
    ),
)

NGAN_SACH = Sheet(
    key="NganSach",
    name="Ngân sách đối ngoại nhân dân",
    columns=(
        Column("nam", "Năm", DECIMAL, required=True, **_YEAR),
        _ref("co_quan", "Mã cơ quan", AGENCIES, note="cơ quan hoặc hội (một trong hai)"),
        _ref("ma_hoi", "Mã hội", "HoiHuuNghi", note="cơ quan hoặc hội (một trong hai)"),
        Column("trang_thai", "Trạng thái", CODE, required=True, choices=BudgetStatus.labels()),
        _vnd("de_xuat", "Kinh phí đề xuất (VNĐ)", required=True),
        Column("ghi_chu_de_xuat", "Thuyết minh đề xuất", TEXT),
        _vnd("phan_bo", "Kinh phí được phân bổ (VNĐ)"),
        Column("so_qd_phan_bo", "Số quyết định phân bổ", TEXT, max_length=60),
        Column("ngay_qd_phan_bo", "Ngày quyết định phân bổ", DATE),
        Column("ket_luan", "Kết luận kiểm tra", CODE, choices=Verdict.labels()),
        Column("nhan_xet", "Nhận xét của cơ quan tài chính", TEXT),
    ),
)

CHI_NGAN_SACH = Sheet(
    key="ChiNganSach",
    name="Khoản chi ngân sách",
    columns=(
        Column("nam", "Năm", DECIMAL, required=True, **_YEAR),
        _ref("co_quan", "Mã cơ quan", AGENCIES, note="dòng ngân sách của cơ quan hoặc hội"),
        _ref("ma_hoi", "Mã hội", "HoiHuuNghi"),
        Column("ngay", "Ngày chi", DATE, required=True, note="trong năm của dòng ngân sách"),
        Column(
            "so_tien",
            "Số tiền (VNĐ)",
            DECIMAL,
            required=True,
            whole=True,
            min_value=_ZERO,
            min_exclusive=True,
        ),
        Column("chung_tu", "Số chứng từ", TEXT, required=True, max_length=100),
        Column("noi_dung", "Nội dung chi", TEXT, required=True, max_length=500),
        _ref("ma_hoat_dong", "Mã hoạt động của hội", "HoatDongHoi"),
        _ref("ma_khoa", "Mã khóa đào tạo", "KhoaDaoTao"),
        _ref("ma_doan", "Mã đoàn", "Doan"),
        Column("vuot_phan_bo", "Đã xác nhận chi vượt phân bổ", BOOL),
    ),
)

TIEP_XUC = Sheet(
    key="TiepXucVanDong",
    name="Tiếp xúc vận động viện trợ",
    key_column="ma",
    columns=(
        _code("Mã tiếp xúc"),
        Column("ngay", "Ngày", DATE, required=True),
        Column("hinh_thuc", "Hình thức", CODE, required=True, choices=ContactKind.labels()),
        _ref("ma_to_chuc", "Mã tổ chức", "ToChuc", required=True),
        Column("thanh_phan", "Thành phần tham gia", TEXT, required=True, max_length=500),
        Column("noi_dung", "Nội dung", TEXT, required=True, max_length=500),
        _ref("co_quan", "Mã cơ quan ghi nhận", AGENCIES),
        Column("ghi_chu", "Ghi chú", TEXT),
    ),
)

DE_XUAT = Sheet(
    key="DeXuatVanDong",
    name="Đề xuất vận động viện trợ",
    key_column="ma",
    columns=(
        _code("Mã đề xuất"),
        Column("ten", "Tên đề xuất", TEXT, required=True, max_length=500),
        _ref("ma_to_chuc", "Mã tổ chức", "ToChuc", required=True),
        _ref("ma_tiep_xuc", "Mã tiếp xúc", "TiepXucVanDong"),
        Column("ngay_gui", "Ngày gửi", DATE, required=True),
        Column("linh_vuc", "Lĩnh vực", CODE, required=True, choices=Sector.labels()),
        Column("dia_ban", "Địa bàn", REFS, ref=COMMUNES, max_length=5, note="mã xã"),
        Column(
            "gia_tri",
            "Giá trị đề xuất",
            DECIMAL,
            required=True,
            min_value=_ZERO,
            min_exclusive=True,
        ),
        Column("tien_te", "Tiền tệ", CURRENCY, required=True, note="mã ISO 4217"),
        Column(
            "ty_gia",
            "Tỷ giá (VNĐ)",
            DECIMAL,
            max_value=RATE_LIMIT,
            min_value=_ZERO,
            min_exclusive=True,
            note="bắt buộc trừ khi là VND",
        ),
        Column("ket_qua", "Kết quả", CODE, required=True, choices=ProposalOutcome.labels()),
        Column("ngay_ket_qua", "Ngày có kết quả", DATE),
        Column("gia_tri_cam_ket", "Giá trị cam kết", DECIMAL, min_value=_ZERO),
        _ref("ma_vien_tro", "Mã khoản viện trợ", "VienTro", note="khoản viện trợ hình thành"),
        _ref("co_quan", "Mã cơ quan ghi nhận", AGENCIES),
        Column("ghi_chu", "Ghi chú", TEXT),
    ),
)

DIPLOMACY_SHEETS = (
    HOI_HUU_NGHI,
    HOI_VIEN,
    HOAT_DONG_HOI,
    KHOA_DAO_TAO,
    HOC_VIEN,
    NGAN_SACH,
    CHI_NGAN_SACH,
    TIEP_XUC,
    DE_XUAT,
)
