"""The registry workbook carries what the decision says and the central competence
(issue 12, points 10 and 11) as the registry's extra columns of VienTro: imported, checked
like the approval form (the two managed parts add up to the value), and exported back."""

import sqlalchemy as sa

from app.aid.models import AidItem
from app.transfer.exporter import export_workbook
from tests.test_transfer_import import ORG, contents, workbook

EXTRA = [
    "phan_ben_tai_tro",
    "phan_ben_tiep_nhan",
    "phuong_thuc_quan_ly",
    "co_che_tai_chinh",
    "tham_quyen_tw",
    "ngay_trinh_tw",
    "so_van_ban_trinh",
    "trinh_den",
    "cap_quyet_dinh",
]
HEADER = ["ma", "ten", "hinh_thuc", "nha_tai_tro", "linh_vuc", "trang_thai", "so_quyet_dinh",
          "ngay_phe_duyet", "gia_tri", "tien_te", "ty_gia", *EXTRA]  # fmt: skip


def row(donor_part="40.000", recipient_part="60.000"):
    return ["VT-TW", "Hỗ trợ cơ sở tôn giáo", "du_an", "K", "xa_hoi", "da_phe_duyet",
            "45/QĐ-TTg", "10/04/2025", "100.000", "USD", "25.000", donor_part, recipient_part,
            "phoi_hop", "khong_thuoc_nsnn", "ton_giao", "22/03/2025", "15/TTr-UBND",
            "Thủ tướng Chính phủ", "Thủ tướng Chính phủ"]  # fmt: skip


def test_extra_columns_import_and_export(app_ctx, db, user):
    from app.transfer.importer import import_workbook

    data = workbook(ToChuc=[ORG, ["K", "K", "ngo", "US"]], VienTro=[HEADER, row()])
    report = import_workbook(data, "tw.xlsx", user("admin"))
    assert report.ok, [str(e) for e in report.errors]
    item = db.session.scalar(sa.select(AidItem).where(AidItem.code == "VT-TW"))
    assert item.is_central and item.central_reason_label == "Liên quan đến tôn giáo"
    assert str(item.donor_managed_value) == "40000.00"
    assert item.financial_mechanism == "khong_thuoc_nsnn"
    assert item.submitted_up_number == "15/TTr-UBND"
    assert item.decision_authority == "Thủ tướng Chính phủ"

    sheet = contents(export_workbook())["VienTro"]
    header = list(sheet[0])
    exported = dict(zip(header, sheet[[r[0] for r in sheet].index("VT-TW")], strict=True))
    labels = {"Thẩm quyền trung ương (lý do)": "ton_giao", "Cấp quyết định": "Thủ tướng Chính phủ",
              "Số văn bản trình": "15/TTr-UBND"}  # fmt: skip
    for label, value in labels.items():
        assert exported[label] == value


def test_managed_parts_must_add_up_to_the_value(app_ctx, db, user):
    from app.transfer.importer import import_workbook

    bad = workbook(ToChuc=[ORG, ["K", "K", "ngo", "US"]], VienTro=[HEADER, row("40.000", "50.000")])
    report = import_workbook(bad, "tw.xlsx", user("admin"))
    assert not report.ok
    assert "cộng lại phải bằng giá trị viện trợ" in " ".join(str(e) for e in report.errors)
    assert db.session.scalar(sa.select(AidItem.id).where(AidItem.code == "VT-TW")) is None
    half = workbook(ToChuc=[ORG, ["K", "K", "ngo", "US"]], VienTro=[HEADER, row("40.000", None)])
    assert not import_workbook(half, "tw.xlsx", user("admin")).ok
