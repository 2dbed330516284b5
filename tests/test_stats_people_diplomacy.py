"""The annual report's people-to-people diplomacy sections (issue 13, part 6): a year with
records of each new kind gives the new top-level keys with the right figures, the spec's
keys are unchanged, the page, workbook and CSV files show them, and the page's cache is
never stale when one of the new tables changes."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationMemberCount,
)
from app.budget.models import BudgetLine, BudgetSpending
from app.extensions import db as _db
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.stats import cache, loaders, report, services
from app.stats.people_diplomacy import SECTION_KEYS
from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic
from tests.fixtures.orgs import new_org

Y = 2025
SPEC_KEYS = ["year", "generated_at", "aid", "delegations"]


def add_activity(db, association, held_on, participants, funds, countries, kind="giao_luu"):
    activity = AssociationActivity(
        association_id=association.id,
        held_on=held_on,
        kind=kind,
        title=f"Hoạt động {held_on}",
        participants=participants,
        funds_vnd=funds,
    )
    db.session.add(activity)
    db.session.flush()
    for code in countries:
        db.session.add(AssociationActivityCountry(activity_id=activity.id, country=code))
    db.session.flush()
    return activity


def build(db, user):
    """A year with one record (or two) of each new kind, and some outside the year."""
    police, other = user("police.officer").agency_id, user("other.officer").agency_id
    fa = user("foreign_affairs.officer")
    association = Association(
        code="HHN-LA", name="Hội hữu nghị Việt Nam – Lào", status="hoat_dong", union_member=True
    )
    db.session.add(association)
    db.session.flush()
    add_activity(db, association, date(Y, 5, 10), 40, Decimal("15000000"), ["LA", "KH"])
    add_activity(db, association, date(Y, 9, 2), None, None, [], kind="su_kien")
    add_activity(db, association, date(Y - 1, 12, 31), 99, Decimal("1"), ["LA"])  # not Y
    db.session.add(AssociationMemberCount(association_id=association.id, year=Y, count=120))

    course = TrainingCourse(
        code="DT-1",
        title="Bồi dưỡng nghiệp vụ đối ngoại nhân dân",
        start_on=date(Y, 4, 1),
        end_on=date(Y, 4, 3),
        cost_vnd=Decimal("20000000"),
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(TrainingCourseTopic(course_id=course.id, topic="doi_ngoai_nhan_dan"))
    db.session.add(TrainingAttendance(course_id=course.id, agency_id=police, trainee_count=3))
    db.session.add(TrainingAttendance(course_id=course.id, agency_id=other, trainee_count=2))

    line = BudgetLine(
        year=Y,
        agency_id=fa.agency_id,
        status="da_phan_bo",
        proposed_vnd=100_000_000,
        allocated_vnd=80_000_000,
    )
    db.session.add(line)
    db.session.flush()
    db.session.add(
        BudgetSpending(
            line_id=line.id,
            spent_on=date(Y, 3, 1),
            amount_vnd=30_000_000,
            document_number="PC-01",
            description="Đón đoàn",
        )
    )

    donor = new_org(db, "MOB-US", country="US")
    db.session.add(
        MobilisationContact(
            occurred_on=date(Y, 2, 1),
            kind="gap_go",
            organization_id=donor.id,
            participants="Sở Ngoại vụ",
            topic="Vận động dự án nước sạch",
        )
    )
    db.session.add(
        MobilisationProposal(
            code="DX-1",
            title="Dự án nước sạch",
            organization_id=donor.id,
            sent_on=date(Y, 2, 15),
            sector="nuoc_ve_sinh",
            requested_value=Decimal("500000000"),
            requested_vnd=500_000_000,
            outcome="cam_ket",
            outcome_on=date(Y, 6, 1),
            pledged_value=Decimal("300000000"),
            pledged_vnd=300_000_000,
        )
    )
    db.session.commit()
    return association


@pytest.fixture
def people(app, db, user):
    with app.app_context():
        return build(db, user)


def test_the_json_has_the_new_sections_with_the_right_figures(app, db, people):
    with app.app_context():
        data = services.annual_report(Y)
        frames = loaders.load_frames(_db.session.connection(), Y)
        spec_only = report.annual_report(frames, Y)
    # The spec's keys first and unchanged (the same as without the new sections).
    assert list(data) == [*SPEC_KEYS, *SECTION_KEYS]
    assert {k: data[k] for k in SPEC_KEYS[2:]} == {k: spec_only[k] for k in SPEC_KEYS[2:]}
    assert list(spec_only) == SPEC_KEYS

    associations = data["associations"]
    assert associations["activities"] == 2
    assert associations["participants"] == 40 and associations["participants_missing"] == 1
    assert associations["funds_vnd"] == 15_000_000 and associations["funds_missing"] == 1
    assert associations["without_country"] == 1
    assert {r["country"]: r["count"] for r in associations["by_country"]} == {"KH": 1, "LA": 1}
    kinds = {r["kind"]: r["count"] for r in associations["by_kind"]}
    assert kinds["giao_luu"] == 1 and kinds["su_kien"] == 1
    assert associations["member_counts"]["members"] == 120

    training = data["training"]
    assert (training["courses"], training["trainees"], training["cost_vnd"]) == (
        1,
        5,
        20_000_000,
    )
    assert [r["trainees"] for r in training["by_agency"]] == [3, 2]

    totals = data["budget"]["totals"]
    assert totals["lines"] == 1 and totals["proposed_vnd"] == 100_000_000
    assert totals["allocated_vnd"] == 80_000_000 and totals["spent_vnd"] == 30_000_000

    funnel = data["mobilisation"]["total"]
    assert (funnel["contacts"], funnel["proposals"], funnel["pledges"]) == (1, 1, 1)
    assert (funnel["requested_vnd"], funnel["pledged_vnd"]) == (500_000_000, 300_000_000)
    assert [r["country"] for r in data["mobilisation"]["by_country"]] == ["US"]


def test_an_empty_year_has_every_section_with_zeros(app, db):
    with app.app_context():
        data = services.annual_report(1995)
    assert data["associations"]["activities"] == 0 and data["associations"]["by_country"] == []
    assert data["training"]["courses"] == 0 and data["training"]["by_agency"] == []
    assert data["budget"]["totals"]["lines"] == 0 and data["budget"]["by_owner"] == []
    assert data["mobilisation"]["total"]["contacts"] == 0
    assert data["mobilisation"]["by_country"] == []


def test_page_workbook_csv_and_json_show_the_sections(login, people):
    web = login("leadership.viewer")
    html = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    for key, heading in (
        ("associations", "Hoạt động của các hội hữu nghị"),
        ("training", "Đào tạo, bồi dưỡng cán bộ làm công tác đối ngoại nhân dân"),
        ("budget", "Kinh phí đối ngoại nhân dân"),
        ("mobilisation", "Vận động viện trợ"),
    ):
        assert f'data-testid="section-{key}">{heading}<' in html
    assert "Hội hữu nghị Việt Nam – Lào" in html and "Giao lưu" in html
    assert "37,5 %" in html  # 30 of 80 million used

    data = web.get(f"/thong-ke/{Y}/bao-cao.json").get_json()
    assert data["training"]["trainees"] == 5

    book = load_workbook(io.BytesIO(web.get(f"/thong-ke/{Y}/bao-cao.xlsx").data))
    assert book.sheetnames[-4:] == [
        "Hội hữu nghị",
        "Đào tạo, bồi dưỡng",
        "Kinh phí ĐNND",
        "Vận động viện trợ",
    ]
    rows = [list(r) for r in book["Hội hữu nghị"].iter_rows(values_only=True)]
    assert rows[0][0] == "Hoạt động của các hội hữu nghị – tổng hợp"
    assert rows[1] == ["Chỉ tiêu", "Số lượng", "Kinh phí (VNĐ)", None, None]
    assert rows[2] == ["Hoạt động trong năm", 2, 15_000_000, None, None]
    assert ["Hoạt động theo loại", None, None, None, None] in rows
    mobilised = [list(r) for r in book["Vận động viện trợ"].iter_rows(values_only=True)]
    assert mobilised[0][:3] == ["Mã quốc gia", "Quốc gia", "Lượt tiếp xúc"]
    assert mobilised[1][:5] == ["US", "Hoa Kỳ", 1, 1, 500_000_000]
    assert mobilised[2][:3] == [None, "Tổng cộng", 1]
    info = " ".join(str(c) for r in book["Thông tin"].iter_rows(values_only=True) for c in r)
    assert "docs/spec/training.md" in info

    archive = zipfile.ZipFile(io.BytesIO(web.get(f"/thong-ke/{Y}/bao-cao.zip").data))
    assert f"thong-ke-{Y}-dao_tao_co_quan.csv" in archive.namelist()
    one = web.get(f"/thong-ke/{Y}/bang/kinh_phi_don_vi.csv")
    lines = list(csv.reader(io.StringIO(one.data.decode("utf-8-sig"))))
    assert lines[0][0] == "Cơ quan, hội" and lines[1][3:8] == [
        "100000000",
        "80000000",
        "30000000",
        "30000000",
        "37.5",
    ]


def test_the_page_is_never_stale_when_a_new_table_changes(app, db, login, people):
    cache.figures.clear()
    web = login("leadership.viewer")
    web.get(f"/thong-ke/{Y}")
    with app.app_context():
        first = services.cached_annual_report(Y)
        assert cache.figures.hits >= 1  # the page's figures were reused
        add_activity(db, people, date(Y, 11, 1), 10, Decimal("5000000"), ["TH"])
        db.session.commit()
        second = services.cached_annual_report(Y)
    assert first["associations"]["activities"] == 2
    assert second["associations"]["activities"] == 3
    assert second["associations"]["funds_vnd"] == 20_000_000
    html = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    assert "Thái Lan" in html
