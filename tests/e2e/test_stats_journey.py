"""Browser journey: the leadership opens the statistics, picks a year, sees the figures and
the charts, and downloads the workbook."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app.aid.models import AidItem
from app.auth.models import Agency
from app.delegations.models import Delegation
from app.extensions import db
from app.orgs.models import Organization

pytestmark = pytest.mark.e2e

YEAR = 2023  # no other journey records anything dated in 2023


@pytest.fixture
def year_data(live_app):
    with live_app.app_context():
        if db.session.scalar(db.select(AidItem.id).where(AidItem.code == "E2E-ST-1")):
            return
        donor = Organization(code="E2E-ST", name="Stats Donor E2E", kind="ngo", country="AU")
        db.session.add(donor)
        db.session.flush()
        db.session.add(
            AidItem(
                code="E2E-ST-1",
                name="Trường mẫu giáo thôn Kon Klor",
                modality="du_an",
                value=1_234_567_890,
                currency="VND",
                value_vnd=1_234_567_890,
                status="dang_thuc_hien",
                decision_date=date(YEAR, 6, 1),
                main_donor_id=donor.id,
            )
        )
        agency_id = db.session.scalar(db.select(Agency.id).limit(1))
        db.session.add(
            Delegation(
                code="E2E-ST-D",
                direction="vao",
                title="Đoàn khảo sát thống kê",
                purpose="khao_sat",
                status="hoan_thanh",
                country="AU",
                start_on=date(YEAR, 7, 1),
                end_on=date(YEAR, 7, 3),
                author_agency_id=agency_id,
            )
        )
        db.session.commit()


def test_leadership_reads_the_year_and_downloads_the_workbook(page, base_url, year_data):
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base_url}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("leadership.viewer")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()

    page.goto(f"{base_url}/thong-ke/")
    expect(page.get_by_role("heading", name="Thống kê năm")).to_be_visible()
    page.get_by_label("Năm thống kê").select_option(str(YEAR))
    page.get_by_test_id("year-picker").get_by_role("button", name="Xem thống kê").click()
    expect(page).to_have_url(f"{base_url}/thong-ke/{YEAR}")
    expect(page.get_by_role("heading", name=f"Thống kê năm {YEAR}")).to_be_visible()

    expect(page.get_by_test_id("headline-approved-count")).to_have_text("1")
    expect(page.get_by_test_id("headline-approved-vnd")).to_have_text("1.234.567.890 ₫")
    expect(page.get_by_test_id("headline-incoming")).to_have_text("1")
    donors = page.get_by_test_id("table-vien_tro_nha_tai_tro")
    expect(donors.get_by_role("cell", name="Stats Donor E2E")).to_be_visible()
    expect(page.get_by_test_id("table-vien_tro_quoc_gia")).to_contain_text("Úc")

    for chart in (
        "chart-aid",
        "chart-delegations",
        "chart-sectors",
        "chart-countries",
        "chart-months",
    ):
        canvas = page.get_by_test_id(chart)
        canvas.scroll_into_view_if_needed()
        expect(canvas).to_be_visible()
        # Chart.js (served by the app) drew on it.
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{chart}'))")
    # The charts' script is a static file: the Content-Security-Policy refused nothing.
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải bảng tính Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == f"thong-ke-{YEAR}.xlsx"
    with open(download.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames[0] == "Thông tin"
    summary = book["Tổng hợp viện trợ"]
    assert summary["B2"].value == 1 and summary["C2"].value == 1_234_567_890
