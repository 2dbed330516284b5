"""The registry workbook's sheets and columns (spec/interchange.md), as data.

Import, export and the template all read this one description. A sheet's `key` is its
spec name ("VienTro"): the name the export gives the sheet and the name errors use; `name`
is a Vietnamese title for the instructions sheet. Either is accepted on import, matched
with fold_key (case, diacritics, spaces and underscores ignored).

`required` is the spec's plain "yes". Conditional requirements ("yes unless VND", "when
approved or later", "for foreign members of a `vao` delegation") are rules of the reader,
described for people in the column's `note`.
"""

from decimal import Decimal

from app.aid.contents import CentralReason, FinancialMechanism, ManagementModality
from app.aid.models import Modality, Regime, Sector
from app.aid.states import APPROVED_OR_LATER, AidStatus
from app.delegations.models import (
    DelegationStatus,
    Direction,
    Funding,
    PassportType,
    Purpose,
    Sex,
)
from app.orgs.models import CertificateStatus, CertificateType, OrgKind
from app.transfer.columns import (  # noqa: F401 - the sheets' vocabulary, used from here
    BOOL,
    CODE,
    CODES,
    COMMUNES,
    COUNTRIES,
    COUNTRY,
    CURRENCY,
    DATE,
    DECIMAL,
    KINDS,
    LIST_KINDS,
    LIST_SEPARATOR,
    RATE_LIMIT,
    REF,
    REFS,
    SECTORS,
    TEXT,
    Column,
    Sheet,
    header_key,
)
from app.transfer.schema_diplomacy import DIPLOMACY_SHEETS


def _checked_passport(text: str) -> str | None:
    """Upper case without spaces; only letters and digits (the member form's rule)."""
    from app.core.errors import FieldError
    from app.delegations.rules import checked_passport
    from app.transfer.issues import CellError

    try:
        return checked_passport(text)
    except FieldError as error:
        raise CellError(error.message) from None


# --- Delegation codes ---------------------------------------------------------------------

DELEGATION_DIRECTIONS = Direction.labels()
DELEGATION_PURPOSES = Purpose.labels()
DELEGATION_STATUSES = DelegationStatus.labels()
GENDERS = Sex.labels()
PASSPORT_TYPES = PassportType.labels()

# Aid statuses that carry an approval decision (so_quyet_dinh, ngay_phe_duyet required).
APPROVED_STATUSES = frozenset(APPROVED_OR_LATER)

# Sheets the template adds for people (instructions, allowed values): skipped on import
# without a warning.
AUX_SHEETS = ("HuongDan", "DanhMuc")


# --- The sheets ---------------------------------------------------------------------------

_ZERO = Decimal(0)

TO_CHUC = Sheet(
    key="ToChuc",
    name="Tổ chức tài trợ, đối tác",
    key_column="ma",
    date_ranges=(("ngay_cap", "ngay_het_han"),),
    columns=(
        Column("ma", "Mã tổ chức", TEXT, required=True, max_length=40, note="mã duy nhất"),
        Column("ten", "Tên tổ chức", TEXT, required=True, max_length=300, note="tên gốc"),
        Column("ten_viet", "Tên tiếng Việt", TEXT, max_length=300),
        Column("loai", "Loại tổ chức", CODE, required=True, choices=OrgKind.labels()),
        Column("quoc_gia", "Quốc gia", COUNTRY, required=True),
        Column("loai_giay", "Loại giấy đăng ký", CODE, choices=CertificateType.labels()),
        Column("so_giay", "Số giấy đăng ký", TEXT, max_length=60),
        Column("ngay_cap", "Ngày cấp", DATE),
        Column("ngay_het_han", "Ngày hết hạn", DATE, note="không trước ngày cấp"),
        # Fields of the registry beyond the spec's columns.
        Column(
            "tinh_trang_giay",
            "Tình trạng giấy đăng ký",
            CODE,
            choices=CertificateStatus.labels(),
            extra=True,
        ),
        Column("linh_vuc_dang_ky", "Lĩnh vực hoạt động đăng ký", TEXT, extra=True),
        Column("dia_ban_dang_ky", "Địa bàn hoạt động đăng ký", TEXT, extra=True),
        Column("nguoi_dai_dien", "Người đại diện", TEXT, max_length=200, extra=True),
        Column("dia_chi", "Địa chỉ", TEXT, max_length=300, extra=True),
        Column("email", "Thư điện tử", TEXT, max_length=200, extra=True),
        Column("dien_thoai", "Điện thoại", TEXT, max_length=60, extra=True),
        Column("website", "Trang web", TEXT, max_length=200, extra=True),
        Column("ghi_chu", "Ghi chú", TEXT, extra=True),
    ),
)

VIEN_TRO = Sheet(
    key="VienTro",
    name="Khoản viện trợ",
    key_column="ma",
    date_ranges=(("ngay_bat_dau", "ngay_ket_thuc"),),
    columns=(
        Column("ma", "Mã khoản viện trợ", TEXT, required=True, max_length=40, note="mã duy nhất"),
        Column("ten", "Tên khoản viện trợ", TEXT, required=True, max_length=500),
        Column(
            "hinh_thuc",
            "Hình thức",
            CODE,
            required=True,
            choices=Modality.labels(),
            # The spec's label is shorter than the registry's.
            aliases={"Khắc phục hậu quả": "khac_phuc_hau_qua"},
        ),
        Column(
            "nha_tai_tro",
            "Nhà tài trợ",
            REFS,
            required=True,
            ref="ToChuc",
            max_length=40,
            note="mã tổ chức, cách nhau bởi dấu ;, tổ chức đầu tiên là nhà tài trợ chính",
        ),
        Column(
            "linh_vuc",
            "Lĩnh vực",
            SECTORS,
            required=True,
            choices=Sector.labels(),
            note="mã lĩnh vực, có thể kèm tỷ lệ % (giao_duc:60; y_te:40), tổng tỷ lệ bằng 100; "
            "không ghi tỷ lệ thì chia đều",
        ),
        Column(
            "dia_ban",
            "Địa bàn",
            REFS,
            ref=COMMUNES,
            max_length=5,
            note="mã xã 5 chữ số (Quyết định 19/2025/QĐ-TTg), cách nhau bởi dấu ;",
        ),
        Column("chu_khoan", "Chủ khoản viện trợ", TEXT, max_length=300),
        Column("ngay_nhan_ho_so", "Ngày nhận hồ sơ", DATE),
        Column("trang_thai", "Trạng thái", CODE, required=True, choices=AidStatus.labels()),
        Column(
            "so_quyet_dinh",
            "Số quyết định phê duyệt",
            TEXT,
            max_length=60,
            note="bắt buộc khi đã phê duyệt trở về sau, ví dụ 123/QĐ-UBND",
        ),
        Column(
            "ngay_phe_duyet", "Ngày phê duyệt", DATE, note="bắt buộc khi đã phê duyệt trở về sau"
        ),
        Column(
            "gia_tri",
            "Giá trị viện trợ",
            DECIMAL,
            required=True,
            min_value=_ZERO,
            note="theo nguyên tệ, không âm",
        ),
        Column("tien_te", "Tiền tệ", CURRENCY, required=True, note="mã ISO 4217"),
        Column(
            "ty_gia",
            "Tỷ giá (VNĐ)",
            DECIMAL,
            max_value=RATE_LIMIT,
            min_value=_ZERO,
            min_exclusive=True,
            note="số đồng cho một đơn vị tiền tệ, bắt buộc trừ khi là VND (VND: để trống hoặc 1)",
        ),
        Column(
            "ty_gia_usd",
            "Tỷ giá USD (VNĐ)",
            DECIMAL,
            max_value=RATE_LIMIT,
            min_value=_ZERO,
            min_exclusive=True,
            note="số đồng cho một USD cùng ngày; với USD bằng tỷ giá",
        ),
        Column("von_doi_ung", "Vốn đối ứng (VNĐ)", DECIMAL, min_value=_ZERO, note="không âm"),
        Column("ngay_bat_dau", "Ngày bắt đầu", DATE),
        Column("ngay_ket_thuc", "Ngày kết thúc", DATE, note="không trước ngày bắt đầu"),
        # Fields of the registry beyond the spec's columns.
        Column("ten_tieng_anh", "Tên tiếng Anh", TEXT, max_length=500, extra=True),
        Column("che_do", "Chế độ pháp lý", CODE, choices=Regime.labels(), extra=True),
        Column("co_quan_chu_quan", "Cơ quan chủ quản", TEXT, max_length=300, extra=True),
        Column("nguoi_ky", "Người ký quyết định", TEXT, max_length=200, extra=True),
        Column("nguon_thu_nsnn", "Thuộc nguồn thu NSNN", BOOL, extra=True),
        Column("ngay_ho_so_hop_le", "Ngày hồ sơ hợp lệ", DATE, extra=True),
        Column("muc_tieu", "Mục tiêu", TEXT, extra=True),
        Column("noi_dung", "Nội dung, hoạt động chính", TEXT, extra=True),
        Column("doi_tuong", "Đối tượng thụ hưởng", TEXT, extra=True),
        Column("dia_ban_cu", "Địa bàn cũ (trước 2025)", TEXT, max_length=500, extra=True),
        # What the decision says (Decree 80/2020 Art 11(1)); aid beyond the province's
        # competence (Art 7(1)): its reason, the submission up, the deciding authority.
        Column(
            "phan_ben_tai_tro",
            "Phần do bên tài trợ quản lý",
            DECIMAL,
            min_value=_ZERO,
            extra=True,
            note="theo nguyên tệ; cùng phần bên tiếp nhận bằng giá trị viện trợ",
        ),
        Column(
            "phan_ben_tiep_nhan",
            "Phần do bên tiếp nhận quản lý",
            DECIMAL,
            min_value=_ZERO,
            extra=True,
        ),
        Column(
            "phuong_thuc_quan_ly",
            "Phương thức quản lý",
            CODE,
            choices=ManagementModality.labels(),
            extra=True,
        ),
        Column(
            "co_che_tai_chinh",
            "Cơ chế tài chính",
            CODE,
            choices=FinancialMechanism.labels(),
            extra=True,
        ),
        Column(
            "tham_quyen_tw",
            "Thẩm quyền trung ương (lý do)",
            CODE,
            choices=CentralReason.labels(),
            extra=True,
        ),
        Column("ngay_trinh_tw", "Ngày trình trung ương", DATE, extra=True),
        Column("so_van_ban_trinh", "Số văn bản trình", TEXT, max_length=60, extra=True),
        Column("trinh_den", "Trình đến", TEXT, max_length=300, extra=True),
        Column("cap_quyet_dinh", "Cấp quyết định", TEXT, max_length=200, extra=True),
    ),
)

GIAI_NGAN = Sheet(
    key="GiaiNgan",
    name="Giải ngân",
    columns=(
        Column(
            "ma_vien_tro",
            "Mã khoản viện trợ",
            REF,
            required=True,
            ref="VienTro",
            max_length=40,
            note="khoản viện trợ trong tệp hoặc trong sổ đăng ký",
        ),
        Column("ngay", "Ngày", DATE, required=True),
        Column(
            "so_tien",
            "Số tiền",
            DECIMAL,
            required=True,
            min_value=_ZERO,
            min_exclusive=True,
            note="lớn hơn 0, theo tiền tệ đã ghi",
        ),
        Column("tien_te", "Tiền tệ", CURRENCY, required=True, note="mã ISO 4217"),
        Column(
            "ty_gia",
            "Tỷ giá (VNĐ)",
            DECIMAL,
            max_value=RATE_LIMIT,
            min_value=_ZERO,
            min_exclusive=True,
            note="bắt buộc trừ khi là VND (VND: để trống hoặc 1)",
        ),
        Column(
            "ty_gia_usd",
            "Tỷ giá USD (VNĐ)",
            DECIMAL,
            min_value=_ZERO,
            min_exclusive=True,
            max_value=RATE_LIMIT,
        ),
        # Fields of the registry beyond the spec's columns.
        Column("nguon", "Nguồn, chứng từ", TEXT, max_length=300, extra=True),
        Column("da_doi_chieu", "Đã đối chiếu", BOOL, extra=True),
    ),
)

DOAN = Sheet(
    key="Doan",
    name="Đoàn",
    key_column="ma",
    date_ranges=(("tu_ngay", "den_ngay"),),
    columns=(
        Column("ma", "Mã đoàn", TEXT, required=True, max_length=40, note="mã duy nhất"),
        Column("huong", "Loại đoàn", CODE, required=True, choices=DELEGATION_DIRECTIONS),
        Column("ten", "Tên đoàn", TEXT, required=True, max_length=500),
        Column(
            "to_chuc",
            "Mã tổ chức",
            REF,
            ref="ToChuc",
            max_length=40,
            note="tổ chức cử đoàn (đoàn vào)",
        ),
        Column(
            "quoc_gia",
            "Quốc gia",
            COUNTRIES,
            required=True,
            note="nước đầu tiên là nước chính (nơi đến với đoàn vào, nơi đi với đoàn ra)",
        ),
        Column("tu_ngay", "Từ ngày", DATE, required=True),
        Column("den_ngay", "Đến ngày", DATE, required=True, note="không trước từ ngày"),
        Column("muc_dich", "Mục đích", CODE, required=True, choices=DELEGATION_PURPOSES),
        Column("dia_ban", "Địa bàn", REFS, ref=COMMUNES, max_length=5, note="mã xã"),
        Column(
            "bien_gioi",
            "Khu vực biên giới",
            BOOL,
            tristate=True,
            note="có/không; để trống: có nếu một xã đã ghi là xã biên giới",
        ),
        Column(
            "ma_vien_tro",
            "Mã khoản viện trợ",
            REF,
            ref="VienTro",
            max_length=40,
            note="khoản viện trợ liên quan",
        ),
        Column("trang_thai", "Trạng thái", CODE, required=True, choices=DELEGATION_STATUSES),
        # Fields of the registry beyond the spec's columns.
        Column("ben_cu_doan", "Bên cử đoàn, nơi đến", TEXT, max_length=300, extra=True),
        Column("don_vi", "Đơn vị đón tiếp, cử đi", TEXT, max_length=200, extra=True),
        Column("kinh_phi", "Nguồn kinh phí", CODE, choices=Funding.labels(), extra=True),
        Column("so_van_ban", "Số văn bản phê duyệt", TEXT, max_length=60, extra=True),
        Column("ngay_duyet", "Ngày phê duyệt đoàn", DATE, extra=True),
        Column("nguoi_duyet", "Người ký phê duyệt", TEXT, max_length=200, extra=True),
        Column("lien_he", "Người liên hệ", TEXT, max_length=300, extra=True),
        Column("ghi_chu", "Ghi chú", TEXT, extra=True),
        Column(
            "lich_trinh",
            "Lịch trình",
            TEXT,
            extra=True,
            note="mỗi dòng: ngày | mã xã | địa điểm | nội dung; khi có, thay cho cột Địa bàn",
        ),
    ),
)

THANH_VIEN = Sheet(
    key="ThanhVien",
    name="Thành viên đoàn",
    columns=(
        Column(
            "ma_doan",
            "Mã đoàn",
            REF,
            required=True,
            ref="Doan",
            max_length=40,
            note="đoàn trong tệp hoặc trong sổ đăng ký",
        ),
        Column("ho_ten", "Họ và tên", TEXT, required=True, max_length=200),
        Column("gioi_tinh", "Giới tính", CODE, choices=GENDERS),
        Column("ngay_sinh", "Ngày sinh", DATE, note="ngày trong quá khứ"),
        Column("quoc_tich", "Quốc tịch", COUNTRY, required=True),
        Column(
            "so_ho_chieu",
            "Số hộ chiếu",
            TEXT,
            max_length=30,
            normalize=_checked_passport,
            note="bắt buộc với thành viên người nước ngoài của đoàn vào; "
            "không trùng trong một đoàn",
        ),
        Column("loai_ho_chieu", "Loại hộ chiếu", CODE, choices=PASSPORT_TYPES),
        Column("han_ho_chieu", "Hạn hộ chiếu", DATE),
        Column("chuc_vu", "Chức vụ", TEXT, max_length=200),
        Column("co_quan", "Cơ quan, tổ chức", TEXT, max_length=300),
        Column("truong_doan", "Trưởng đoàn", BOOL, note="có/không"),
    ),
)

SHEETS: dict[str, Sheet] = {
    s.key: s for s in (TO_CHUC, VIEN_TRO, GIAI_NGAN, DOAN, THANH_VIEN, *DIPLOMACY_SHEETS)
}
