"""The people-to-people diplomacy sheets of the registry workbook (issue 13): round trip,
re-import, updates audited, the multi-cell rules refused before anything is written."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.associations.models import Association, AssociationActivity, AssociationMemberCount
from app.associations.states import AssociationAudit
from app.budget.models import BudgetLine, BudgetSpending
from app.core.models import AuditEntry
from app.demo_records import build_workbook
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.training.models import TrainingAttendance, TrainingCourse
from app.transfer.exporter import export_workbook
from app.transfer.importer import import_workbook
from app.transfer.schema_diplomacy import DIPLOMACY_SHEETS
from tests.test_transfer_import import contents, workbook

NEW_SHEETS = [sheet.key for sheet in DIPLOMACY_SHEETS]
TODAY = date(2026, 12, 3)


@pytest.fixture
def admin(user):
    return user("admin")


@pytest.fixture
def demo_book():
    return build_workbook(organizations=8, items=20, disbursements=30, delegations=10, today=TODAY)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_round_trip_covers_every_new_sheet(app_ctx, db, admin, demo_book):
    report = import_workbook(demo_book, "demo.xlsx", admin)
    assert report.ok, [str(e) for e in report.errors[:5]]
    first = export_workbook()
    sheets = contents(first)
    for key in NEW_SHEETS:
        assert len(sheets[key]) > 1, f"{key} exported no row"
    # the demo has records of each kind in each of the last two full years
    years = {row[2].year for row in sheets["HoatDongHoi"][1:]}
    assert years == {2024, 2025}
    assert {row[0] for row in sheets["NganSach"][1:]} == {2024, 2025}
    db.session.rollback()  # an empty registry again
    assert count(db, Association) == 0
    again = import_workbook(first, "export.xlsx", admin)
    assert again.ok, [str(e) for e in again.errors[:5]]
    assert contents(export_workbook()) == sheets


def test_reimport_changes_nothing(app_ctx, db, admin, demo_book):
    assert import_workbook(demo_book, "demo.xlsx", admin).ok
    entries = count(db, AuditEntry)
    again = import_workbook(demo_book, "demo.xlsx", admin)
    assert again.ok
    for key in NEW_SHEETS:
        counts = again.counts[key]
        assert (counts.created, counts.updated, counts.replaced) == (0, 0, 0), key
    assert count(db, AuditEntry) == entries + 1  # only the import's own entry


def test_counts_written(app_ctx, db, admin, demo_book):
    assert import_workbook(demo_book, "demo.xlsx", admin).ok
    assert count(db, Association) == 4
    assert count(db, AssociationMemberCount) == 8
    assert count(db, AssociationActivity) == 12
    assert count(db, TrainingCourse) == 6 and count(db, TrainingAttendance) == 18
    assert count(db, BudgetLine) == 8 and count(db, BudgetSpending) == 24
    assert count(db, MobilisationContact) == 10 and count(db, MobilisationProposal) == 8
    proposal = db.session.scalar(
        sa.select(MobilisationProposal).where(MobilisationProposal.code == "DX-2024-01")
    )
    assert proposal.contact.code == "TX-2024-01"
    assert proposal.requested_vnd == int(proposal.requested_value * 25_000)


ASSOC = ["ma", "ten", "tinh_trang", "nuoc_doi_tac"]
ACTIVITY = ["ma", "ma_hoi", "ngay", "loai", "noi_dung", "quoc_gia", "kinh_phi"]


def test_an_update_is_audited_with_the_forms_action(app_ctx, db, admin):
    first = workbook(
        HoiHuuNghi=[ASSOC, ["H1", "Hội hữu nghị Việt Nam – Lào", "hoat_dong", "LA"]],
        HoatDongHoi=[ACTIVITY, ["A1", "H1", "02/03/2025", "giao_luu", "Giao lưu", "LA", 1000]],
    )
    assert import_workbook(first, "a.xlsx", admin).ok
    changed = workbook(
        HoiHuuNghi=[ASSOC, ["H1", "Hội hữu nghị Việt Nam – Lào", "hoat_dong", "LA; KH"]],
        HoatDongHoi=[ACTIVITY, ["A1", "H1", "02/03/2025", "giao_luu", "Giao lưu", "LA", 2000]],
    )
    report = import_workbook(changed, "b.xlsx", admin)
    assert report.ok and report.counts["HoatDongHoi"].updated == 1
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == AssociationAudit.ACTIVITY_UPDATE)
        .order_by(AuditEntry.id)
    ).all()[-1]
    assert entry.changes["funds_vnd"] == ["1000", "2000"]  # as the log writes Decimals
    association = db.session.scalar(sa.select(Association).where(Association.code == "H1"))
    assert association.countries == ["LA", "KH"]


LINE = ["nam", "co_quan", "ma_hoi", "trang_thai", "de_xuat", "phan_bo"]
SPEND = ["nam", "co_quan", "ngay", "so_tien", "chung_tu", "noi_dung", "ma_khoa", "ma_doan"]


@pytest.mark.parametrize(
    "sheets, column, text",
    [
        (
            {"NganSach": [LINE, [2025, "SNgV", "H9", "de_xuat", 100, None]]},
            "Mã cơ quan",
            "một trong hai",
        ),
        (
            {"NganSach": [LINE, [2025, "SNgV", None, "da_phan_bo", 100, None]]},
            "Kinh phí được phân bổ (VNĐ)",
            "Thiếu kinh phí được phân bổ",
        ),
        (
            {
                "NganSach": [LINE, [2025, "SNgV", None, "de_xuat", 100, None]],
                "ChiNganSach": [SPEND, [2025, "SNgV", "05/01/2024", 10, "C1", "Chi", None, None]],
            },
            "Ngày chi",
            "trong năm 2025",
        ),
        (
            {"ChiNganSach": [SPEND, [2025, "SNgV", "05/01/2025", 10, "C1", "Chi", None, None]]},
            "Năm",
            "Chưa có dòng ngân sách năm 2025",
        ),
        (
            {"HocVien": [["ma_khoa", "co_quan", "so_hoc_vien"], ["DT1", "KHONG-CO", 2]]},
            "Mã cơ quan",
            "không có trong danh sách cơ quan",
        ),
        (
            {
                "HoiHuuNghi": [ASSOC, ["H1", "Hội A", "hoat_dong", "LA"]],
                "HoiVienHoi": [
                    ["ma_hoi", "nam", "so_hoi_vien"],
                    ["H1", 2025, 10],
                    ["H1", 2025, 12],
                ],
            },
            "Năm",
            "trùng với dòng 2",
        ),
        (
            {"HoiVienHoi": [["ma_hoi", "nam", "so_hoi_vien"], ["H1", "2025,5", 10]]},
            "Năm",
            "số nguyên",
        ),
    ],
)
def test_bad_rows_are_refused_and_nothing_written(app_ctx, db, admin, sheets, column, text):
    entries = count(db, AuditEntry)
    report = import_workbook(workbook(**sheets), "bad.xlsx", admin)
    assert not report.ok
    messages = [(e.column, e.message) for e in report.errors]
    assert any(c == column and text in m for c, m in messages), messages
    assert count(db, BudgetLine) == 0 and count(db, Association) == 0
    assert count(db, AuditEntry) == entries


def test_records_made_in_the_forms_get_a_code_the_workbook_carries(app_ctx, db, admin):
    association = Association(code="H2", name="Hội B", status="hoat_dong")
    db.session.add(association)
    db.session.flush()
    activity = AssociationActivity(
        association_id=association.id, held_on=date(2025, 4, 1), kind="su_kien", title="Lễ"
    )
    db.session.add(activity)
    db.session.flush()
    assert activity.code.startswith("HD-")
    rows = contents(export_workbook())["HoatDongHoi"]
    assert rows[1][0] == activity.code and rows[1][1] == "H2"


COURSE = ["ma", "ten", "tu_ngay", "den_ngay"]
TRAINEES = ["ma_khoa", "co_quan", "so_hoc_vien"]


def test_trainees_replaced_per_course_and_a_removed_agency_comes_back(app_ctx, db, admin):
    course = [COURSE, ["DT1", "Lễ tân", "01/03/2025", "02/03/2025"]]
    both = workbook(KhoaDaoTao=course, HocVien=[TRAINEES, ["DT1", "SNgV", 3], ["DT1", "CAT", 2]])
    assert import_workbook(both, "a.xlsx", admin).ok
    one = workbook(KhoaDaoTao=course, HocVien=[TRAINEES, ["DT1", "SNgV", 4]])
    report = import_workbook(one, "b.xlsx", admin)
    assert report.ok
    counts = report.counts["HocVien"]
    assert (counts.updated, counts.replaced, counts.created) == (1, 1, 0)
    again = import_workbook(both, "c.xlsx", admin)
    assert again.ok and again.counts["HocVien"].created == 1
    rows = db.session.scalars(sa.select(TrainingAttendance).order_by(TrainingAttendance.id)).all()
    live = {(r.agency.code, r.trainee_count) for r in rows if r.archived_at is None}
    assert live == {("SNgV", 3), ("CAT", 2)}
    assert len(rows) == 3  # the removed row stays as history
