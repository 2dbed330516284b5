"""Which registry field each column of the people-to-people diplomacy sheets fills (import
and export alike); docs/spec/interchange-people-diplomacy.md."""

from app.associations.models import Association, AssociationActivity, AssociationMemberCount
from app.budget.models import BudgetLine, BudgetSpending
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.training.models import TrainingAttendance, TrainingCourse
from app.transfer.schema_diplomacy import AGENCIES

# column -> model field, for the plain columns of each sheet ("ma" -> code where keyed)
ASSOCIATION_FIELDS = {
    "ma": "code",
    "ten": "name",
    "ten_khac": "name_vi",
    "tinh_trang": "status",
    "so_qd_thanh_lap": "founding_decision_number",
    "ngay_qd_thanh_lap": "founding_decision_date",
    "lanh_dao": "leaders",
    "dia_chi": "address",
    "dien_thoai": "phone",
    "email": "email",
    "lien_hiep": "union_member",
    "ngay_gia_nhap": "union_joined_on",
    "ghi_chu": "notes",
}
ACTIVITY_FIELDS = {
    "ma": "code",
    "ngay": "held_on",
    "loai": "kind",
    "noi_dung": "title",
    "doi_tac": "partners",
    "so_nguoi": "participants",
    "kinh_phi": "funds_vnd",
    "ghi_chu": "notes",
}
COURSE_FIELDS = {
    "ma": "code",
    "ten": "title",
    "tu_ngay": "start_on",
    "den_ngay": "end_on",
    "don_vi_to_chuc": "organiser_text",
    "dia_diem": "place",
    "kinh_phi": "cost_vnd",
    "nguon_kinh_phi": "funding_source",
    "ghi_chu": "notes",
}
LINE_FIELDS = {
    "trang_thai": "status",
    "de_xuat": "proposed_vnd",
    "ghi_chu_de_xuat": "proposal_note",
    "phan_bo": "allocated_vnd",
    "so_qd_phan_bo": "allocation_number",
    "ngay_qd_phan_bo": "allocation_date",
    "ket_luan": "verdict",
    "nhan_xet": "finance_remarks",
}
SPENDING_FIELDS = {
    "ngay": "spent_on",
    "so_tien": "amount_vnd",
    "chung_tu": "document_number",
    "noi_dung": "description",
    "vuot_phan_bo": "over_allocation",
}
CONTACT_FIELDS = {
    "ma": "code",
    "ngay": "occurred_on",
    "hinh_thuc": "kind",
    "thanh_phan": "participants",
    "noi_dung": "topic",
    "ghi_chu": "notes",
}
PROPOSAL_FIELDS = {
    "ma": "code",
    "ten": "title",
    "ngay_gui": "sent_on",
    "linh_vuc": "sector",
    "gia_tri": "requested_value",
    "tien_te": "currency",
    "ty_gia": "rate_vnd",
    "ket_qua": "outcome",
    "ngay_ket_qua": "outcome_on",
    "gia_tri_cam_ket": "pledged_value",
    "ghi_chu": "notes",
}
# sheet -> reference column -> (model field holding the id, the sheet or registry it names)
REF_FIELDS = {
    "HoiHuuNghi": {},
    "HoiVienHoi": {"ma_hoi": ("association_id", "HoiHuuNghi")},
    "HoatDongHoi": {
        "ma_hoi": ("association_id", "HoiHuuNghi"),
        "ma_doan": ("delegation_id", "Doan"),
        "ma_vien_tro": ("aid_item_id", "VienTro"),
    },
    "KhoaDaoTao": {"co_quan_to_chuc": ("organiser_agency_id", AGENCIES)},
    "HocVien": {"ma_khoa": ("course_id", "KhoaDaoTao"), "co_quan": ("agency_id", AGENCIES)},
    "NganSach": {"co_quan": ("agency_id", AGENCIES), "ma_hoi": ("association_id", "HoiHuuNghi")},
    "ChiNganSach": {
        "co_quan": ("line_id", AGENCIES),  # with nam: which line (see line_key)
        "ma_hoi": ("line_id", "HoiHuuNghi"),
        "ma_hoat_dong": ("association_activity_id", "HoatDongHoi"),
        "ma_khoa": ("training_course_id", "KhoaDaoTao"),
        "ma_doan": ("delegation_id", "Doan"),
    },
    "TiepXucVanDong": {
        "ma_to_chuc": ("organization_id", "ToChuc"),
        "co_quan": ("agency_id", AGENCIES),
    },
    "DeXuatVanDong": {
        "ma_to_chuc": ("organization_id", "ToChuc"),
        "ma_tiep_xuc": ("contact_id", "TiepXucVanDong"),
        "ma_vien_tro": ("aid_item_id", "VienTro"),
        "co_quan": ("agency_id", AGENCIES),
    },
}
MEMBER_COUNT_FIELDS = {"nam": "year", "so_hoi_vien": "count"}
ATTENDANCE_FIELDS = {"so_hoc_vien": "trainee_count", "ho_ten": "names"}

# sheet key -> (model, {column key: field}), for the tables' own constraints
# (app.transfer.constraints).
DIPLOMACY_TARGETS = {
    "HoiHuuNghi": (Association, ASSOCIATION_FIELDS),
    "HoiVienHoi": (AssociationMemberCount, MEMBER_COUNT_FIELDS),
    "HoatDongHoi": (AssociationActivity, ACTIVITY_FIELDS),
    "KhoaDaoTao": (TrainingCourse, COURSE_FIELDS),
    "HocVien": (TrainingAttendance, ATTENDANCE_FIELDS),
    "NganSach": (BudgetLine, LINE_FIELDS),
    "ChiNganSach": (BudgetSpending, SPENDING_FIELDS),
    "TiepXucVanDong": (MobilisationContact, CONTACT_FIELDS),
    "DeXuatVanDong": (MobilisationProposal, PROPOSAL_FIELDS),
}
