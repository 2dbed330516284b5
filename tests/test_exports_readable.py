"""Exports people can read (issue 14, part 4): every list, member, inbox and audit-log
export shows labels, names and formatted values, never the registry's internal codes
(statuses, sectors, modalities, passport kinds, bare commune codes), and writes text as
text."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid import services as aid
from app.aid.models import Sector
from app.aid.states import AidStatus
from app.core.dates import today_vn
from app.core.models import AuditEntry, Commune
from app.delegations.models import PassportType, Purpose
from app.delegations.states import DelegationAudit, DelegationStatus
from app.orgs.models import CertificateStatus, CertificateType, OrgKind
from tests.fixtures.delegations import member
from tests.fixtures.orgs import new_org

# Every coded key whose label must be shown instead.
KEYS = {
    *AidStatus.labels(),
    *Sector.labels(),
    *DelegationStatus.labels(),
    *Purpose.labels(),
    *PassportType.labels(),
    *OrgKind.labels(),
    *CertificateType.labels(),
    *CertificateStatus.labels(),
    "du_an",
    "nd313_2025",
    "dong_y",
}
# Keys of one word ("huy", "nam") are also Vietnamese words: those with "_" are codes.
CODED = sorted((k for k in KEYS if "_" in k), key=len, reverse=True)
KEY_RE = re.compile(r"(?<![\w.-])(" + "|".join(CODED) + r")(?![\w.-])")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
FORMULA = '=HYPERLINK("http://x")'


def cells(response, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def assert_readable(rows: list[list], commune_codes=()) -> None:
    for row in rows:
        for value in row:
            if not isinstance(value, str):
                continue
            assert not KEY_RE.search(value), (value, row)
            assert not ISO_DATE.match(value), (value, row)
            for code in commune_codes:
                assert not re.search(rf"(?<!\d){code}(?!\d)", value), (value, row)


@pytest.fixture
def dataset(app, db, user, make_item, make_delegation):
    """An approved item in a commune with its donor named by a formula-like text; a
    delegation with a member whose passport is a service one; an open notice; an opinion
    to give; delegations waiting in the inboxes."""
    code = db.session.scalar(
        sa.select(Commune.code).where(Commune.province_code == 51).order_by(Commune.code)
    )
    donor = new_org(db, "RD1", name=FORMULA, kind="ngo", certificate_type="hoat_dong",
                    certificate_status="active")  # fmt: skip
    item = make_item("RD-1", status=AidStatus.DA_PHE_DUYET, donor=donor, communes=[code])
    make_item("RD-2", status=AidStatus.XIN_Y_KIEN, name=FORMULA)  # opinions to give
    make_item("RD-3", status=AidStatus.TIEP_NHAN)
    start = today_vn() + timedelta(days=20)
    d = make_delegation(
        "RD-D1",
        stage="submitted",
        title=FORMULA,
        start=start,
        members=[member(passport_type="cong_vu", position=FORMULA)],
        stops=[{"day": start, "commune_code": code, "place": "Xã", "activity": "Làm việc"}],
    )
    make_delegation("RD-D2", stage="under_review", start=start)
    with app.app_context():
        aid.add_disbursement(
            item, date(2025, 4, 2), Decimal("10"), "USD", Decimal("25000"),
            user=user("planning.officer"),
        )  # fmt: skip
        db.session.commit()
    return {"item": item, "delegation": d, "commune": code}


EXPORTS = [
    ("planning.officer", "/vien-tro/xuat"),
    ("planning.officer", "/doan/xuat"),
    ("foreign_affairs.officer", "/doan/{delegation}/thanh-vien"),
    ("planning.officer", "/doan/{delegation}/thanh-vien"),  # masked
    ("planning.officer", "/to-chuc/xuat"),
    ("planning.officer", "/vien-tro/viec-can-xu-ly/xuat"),
    ("finance.officer", "/vien-tro/viec-can-xu-ly/xuat"),  # opinions to give
    ("foreign_affairs.officer", "/doan/viec-can-xu-ly/xuat"),
    ("admin", "/quan-tri/nhat-ky/xuat"),
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("username", "url"), EXPORTS)
def test_exports_show_labels_names_and_dates(login, dataset, username, url, fmt):
    web = login(username)
    response = web.get(url.format(delegation=dataset["delegation"].id) + f".{fmt}")
    assert response.status_code == 200
    rows = cells(response, fmt)
    assert len(rows) > 1, rows  # a header and at least one row
    assert_readable(rows, [dataset["commune"]])
    if fmt == "xlsx":
        assert_inert_xlsx_payload(response.data)
    else:
        assert_inert_csv_payload(response.data)


def assert_inert_xlsx_payload(body: bytes) -> None:
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == FORMULA:
                    assert cell.data_type == "s" and cell.quotePrefix


def assert_inert_csv_payload(body: bytes) -> None:
    text = body.decode("utf-8-sig")
    assert f",{FORMULA}" not in text and f"\n{FORMULA}" not in text


def test_member_export_names_the_passport_kind(login, dataset):
    rows = cells(login("foreign_affairs.officer").get(
        f"/doan/{dataset['delegation'].id}/thanh-vien.csv"), "csv")  # fmt: skip
    header, first = rows[0], rows[1]
    assert first[header.index("Loại hộ chiếu")] == PassportType.CONG_VU.label
    assert first[header.index("Giới tính")] == "Nam"
    assert first[header.index("Quốc tịch")] == "Hàn Quốc"
    masked = cells(login("planning.officer").get(
        f"/doan/{dataset['delegation'].id}/thanh-vien.csv"), "csv")  # fmt: skip
    assert "Số hộ chiếu" not in masked[0] and "Ngày sinh" not in masked[0]


def test_aid_list_export_names_donors_sectors_and_communes(login, dataset, db):
    rows = cells(login("planning.officer").get("/vien-tro/xuat.csv?q=RD-1"), "csv")
    header, first = rows[0], rows[1]
    name = db.session.scalar(sa.select(Commune.name).where(Commune.code == dataset["commune"]))
    assert first[header.index("Địa bàn")] == name
    assert first[header.index("Trạng thái")] == AidStatus.DA_PHE_DUYET.label
    assert "Nước sạch và vệ sinh môi trường" in first[header.index("Lĩnh vực")]
    assert first[header.index("Nhà tài trợ")] == "'" + FORMULA


def test_inbox_exports_list_what_waits(login, dataset):
    planner = cells(login("planning.officer").get("/vien-tro/viec-can-xu-ly/xuat.csv"), "csv")
    text = "\n".join(",".join(r) for r in planner)
    assert "RD-3" in text and "RD-2" in text  # dossiers in the procedure
    assert "Gửi quyết định phê duyệt cho nhà tài trợ" in text and "RD-1" in text  # notices
    finance = cells(login("finance.officer").get("/vien-tro/viec-can-xu-ly/xuat.csv"), "csv")
    assert any("RD-2" in r and "Ý kiến cần góp ý" in r for r in finance)
    fa = cells(login("foreign_affairs.officer").get("/doan/viec-can-xu-ly/xuat.csv"), "csv")
    boxes = {r[0] for r in fa[1:]}
    assert "Hồ sơ đoàn cần tiếp nhận" in boxes and "Hồ sơ đoàn cần cho ý kiến" in boxes
    assert any("RD-D1" in r for r in fa) and any("RD-D2" in r for r in fa)
    # The inbox pages link to their exports.
    assert "/vien-tro/viec-can-xu-ly/xuat.xlsx" in login("planning.officer").get(
        "/vien-tro/viec-can-xu-ly").get_data(as_text=True)  # fmt: skip
    assert "/doan/viec-can-xu-ly/xuat.xlsx" in login("foreign_affairs.officer").get(
        "/doan/viec-can-xu-ly").get_data(as_text=True)  # fmt: skip


def test_delegation_inbox_export_respects_drafts(login, make_delegation):
    make_delegation("RD-DRAFT")  # a draft: its agency's only
    other = cells(login("other.officer").get("/doan/viec-can-xu-ly/xuat.csv"), "csv")
    fa = cells(login("foreign_affairs.officer").get("/doan/viec-can-xu-ly/xuat.csv"), "csv")
    assert not any("RD-DRAFT" in r for r in fa)
    assert other[0][0] == "Việc cần làm"


def test_audit_log_export_masks_personal_data(login, db, dataset):
    web = login("admin")
    rows = cells(web.get("/quan-tri/nhat-ky/xuat.csv?object_type=delegation"), "csv")
    text = "\n".join(",".join(r) for r in rows)
    assert "M1234567" not in text and "Thêm thành viên" in text
    assert any(r[4] == "Lập hồ sơ đoàn" for r in rows[1:])
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == DelegationAudit.CREATE).limit(1)
    )
    assert entry is not None


def test_organisation_export_names_the_certificate_scope(login, db):
    from app.orgs.models import OrganizationField, OrganizationProvince

    org = new_org(db, "RD-SCOPE", name="Scope Org")
    db.session.add_all(
        [
            OrganizationProvince(organization_id=org.id, province_code=51),
            OrganizationField(organization_id=org.id, sector="y_te"),
        ]
    )
    db.session.commit()
    rows = cells(login("planning.officer").get("/to-chuc/xuat.csv?q=RD-SCOPE"), "csv")
    header, first = rows[0], rows[1]
    assert first[header.index("Tỉnh, thành phố được phép hoạt động")] == "Quảng Ngãi"
    assert first[header.index("Lĩnh vực được phép hoạt động")] == "Y tế"
