"""The annual report end to end: data made through the real services and models, the CLI,
the year page, its downloads, and the figures agreeing across page, workbook and JSON."""

import csv
import io
import json
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template
from openpyxl import load_workbook

from app.aid import services as aid_services
from app.core.dates import today_vn
from app.core.money import format_number, format_usd, format_vnd
from app.delegations import services as delegation_services
from app.delegations.models import Delegation, DelegationMember
from app.stats import exports, services
from tests.aid_helpers import agency_ids, item_input, make_org
from tests.delegation_helpers import delegation_input, member

Y = 2025

EXPECTED = {
    "year": Y,
    "aid": {
        "approved": {
            "count": 2,
            "value_vnd": 2_800_000_001,
            "value_usd": 100_000.0,
            "usd_missing": 1,
            "counterpart_vnd": 70_000_000,
        },
        "disbursed": {
            "count": 2,
            "value_vnd": 1_014_000_000,
            "value_usd": 40_000.0,
            "usd_missing": 1,
        },
        "active_count": 1,
        "by_sector": [
            {"sector": "nuoc_ve_sinh", "count": 1, "value_vnd": 1_500_000_000},
            {"sector": "y_te", "count": 2, "value_vnd": 1_150_000_001},
            {"sector": "giao_duc", "count": 1, "value_vnd": 150_000_001},
        ],
        "by_country": [
            {
                "country": "US",
                "count": 1,
                "value_vnd": 2_500_000_000,
                "disbursed_vnd": 1_014_000_000,
            },
            {"country": "KR", "count": 1, "value_vnd": 300_000_001, "disbursed_vnd": 0},
        ],
        "by_donor": [
            {
                "donor": "T-USAID",
                "name": "Test USAID",
                "count": 1,
                "value_vnd": 2_500_000_000,
                "disbursed_vnd": 1_014_000_000,
            },
            {
                "donor": "T-KOICA",
                "name": "Test KOICA",
                "count": 1,
                "value_vnd": 300_000_001,
                "disbursed_vnd": 0,
            },
        ],
        "by_modality": [{"modality": "du_an", "count": 2, "value_vnd": 2_800_000_001}],
    },
    "delegations": {
        "incoming": {"count": 2, "members": 5, "unique_visitors": 3, "border_area": 1},
        "outgoing": {"count": 1, "members": 2},
        "by_country": [
            {"country": "JP", "incoming": 0, "outgoing": 1, "members": 2},
            {"country": "KR", "incoming": 1, "outgoing": 0, "members": 3},
            {"country": "LA", "incoming": 1, "outgoing": 0, "members": 2},
        ],
        "by_purpose": [
            {"purpose": "hoi_nghi", "incoming": 0, "outgoing": 1},
            {"purpose": "hop_tac", "incoming": 1, "outgoing": 0},
            {"purpose": "khao_sat", "incoming": 1, "outgoing": 0},
        ],
        "by_month": [
            {
                "month": m,
                "incoming": 1 if m in (5, 11) else 0,
                "outgoing": 1 if m == 8 else 0,
            }
            for m in range(1, 13)
        ],
    },
}


def without_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "generated_at"}


SPEC_KEYS = ("year", "generated_at", "aid", "delegations")
# The people-to-people diplomacy sections that follow them (issue 13, part 6:
# docs/spec/annual-report-people-diplomacy.md).
PEOPLE_KEYS = ("associations", "training", "budget", "mobilisation")


def spec_part(report: dict) -> dict:
    """The report's keys of spec/annual-report.md (unchanged by the sections after them)."""
    return {k: report[k] for k in SPEC_KEYS}


def approve_item(item, planner, db, user, signed_on=date(Y, 3, 25)):
    aid_services.request_opinions(
        item, agency_ids(db, "finance", "police"), "Xin ý kiến", user=planner
    )
    for opinion in item.opinions:
        officer = user(f"{opinion.agency.kind}.officer")
        aid_services.answer_opinion(opinion, "dong_y", "Đồng ý", "12/STC", None, user=officer)
    aid_services.appraise(item, "lay_y_kien", date(Y, 3, 20), "Đủ điều kiện", user=planner)
    aid_services.approve(
        item, f"{item.id}/QĐ-UBND", signed_on, "Chủ tịch UBND tỉnh", None, user=planner
    )


def make_delegation(db, agency_id, code, direction, status, start, country, purpose, people, **kw):
    delegation = Delegation(
        code=code,
        direction=direction,
        title=f"Đoàn {code}",
        purpose=purpose,
        status=status,
        country=country,
        start_on=start,
        end_on=start,
        author_agency_id=agency_id,
        is_border_area=kw.pop("border", False),
        **kw,
    )
    db.session.add(delegation)
    db.session.flush()
    for index, person in enumerate(people):  # "passport/nationality", passport may be empty
        passport, nationality = person.split("/")
        db.session.add(
            DelegationMember(
                delegation_id=delegation.id,
                full_name=f"Thành viên {code} {index}",
                nationality=nationality,
                passport_number=passport or None,
            )
        )
    return delegation


def build_dataset(app, db, user):
    """The year's records: every figure of EXPECTED is worked out from them."""
    with app.app_context():
        planner = user("planning.officer")
        usaid = make_org(db, "T-USAID", "US", "Test USAID")
        koica = make_org(db, "T-KOICA", "KR", "Test KOICA")

        # A: 100 000 USD x 25 000 = 2 500 000 000 đ (100 000 USD), 60 % water, 40 % health.
        a = aid_services.create_item(item_input([usaid.id], code="ST-A"), user=planner)
        approve_item(a, planner, db, user)
        aid_services.start(a, date(Y, 4, 1), None, user=planner)
        # 40 000 USD x 25 100 = 1 004 000 000 đ (40 000 USD); 10 000 000 đ without a USD rate.
        aid_services.add_disbursement(
            a,
            date(Y, 4, 10),
            Decimal(40_000),
            "USD",
            Decimal(25_100),
            None,
            None,
            True,
            user=planner,
        )
        aid_services.add_disbursement(
            a, date(Y, 5, 1), Decimal(10_000_000), "VND", None, None, None, False, user=planner
        )
        # B: 300 000 001 đ split equally (150 000 000.5 each), no USD rate; revoked later.
        b = aid_services.create_item(
            item_input(
                [koica.id],
                code="ST-B",
                value=Decimal(300_000_001),
                currency="VND",
                rate_vnd=None,
                counterpart_vnd=20_000_000,
                sectors=[("giao_duc", None), ("y_te", None)],
            ),
            user=planner,
        )
        approve_item(b, planner, db, user)
        aid_services.revoke(
            b, "45/QĐ-UBND", date(Y, 6, 1), "Chủ tịch", "Không triển khai", user=planner
        )
        # C: approved, then archived (deleted for the users); D: a dossier only.
        c = aid_services.create_item(
            item_input([usaid.id], code="ST-C", value=Decimal(280_000)), user=planner
        )
        approve_item(c, planner, db, user)
        aid_services.archive_item(c, "Nhập trùng", user=planner, version=c.version)
        aid_services.create_item(item_input([koica.id], code="ST-D"), user=planner)

        # Delegations: one through the whole review, the others as rows.
        host, fa, police = (
            user("other.officer"),
            user("foreign_affairs.officer"),
            user("police.officer"),
        )
        laos = delegation_services.create_delegation(
            delegation_input(
                "ST-D1",
                "vao",
                start=date(Y, 5, 10),
                end=date(Y, 5, 13),
                country="LA",
                sending_party="Lao",
            ),
            user=host,
        )
        delegation_services.add_member(laos, member("Souk", "LA", "P1"), user=host)
        delegation_services.add_member(laos, member("Noy", "LA", "P2"), user=host)
        delegation_services.submit_delegation(laos, user=host)
        delegation_services.receive_delegation(laos, user=fa)
        delegation_services.record_review(laos, "foreign_affairs", "dong_y", "Ok", user=fa)
        delegation_services.record_review(laos, "police", "dong_y", "Ok", user=police)
        delegation_services.approve_delegation(laos, "12/UBND-NgV", today_vn(), "Chủ tịch", user=fa)
        rows = [
            # code, direction, status, start, country, purpose, members (passport, nationality)
            (
                "ST-D2",
                "vao",
                "hoan_thanh",
                date(Y, 11, 2),
                "KR",
                "hop_tac",
                ["P1/LA", "K1/KR", "/VN"],
            ),
            ("ST-D3", "ra", "da_duyet", date(Y, 8, 1), "JP", "hoi_nghi", ["/VN", "/VN"]),
            ("ST-D4", "vao", "tu_choi", date(Y, 6, 1), "LA", "khac", []),  # refused
            ("ST-D5", "vao", "da_duyet", date(Y, 6, 1), "LA", "khac", ["X/LA"]),  # archived
            ("ST-D6", "vao", "da_duyet", date(Y - 1, 12, 30), "TH", "khac", ["Y/TH"]),  # Y - 1
        ]
        for row in rows:
            extra = {"border": row[0] == "ST-D2"}
            if row[0] == "ST-D5":
                extra["archived_at"] = datetime(Y, 7, 1, tzinfo=UTC)
            make_delegation(db, host.agency_id, *row, **extra)
        db.session.commit()


@pytest.fixture
def dataset(app, db, user):
    build_dataset(app, db, user)


def cli_report(app, *args):
    result = app.test_cli_runner().invoke(args=["report", "annual", "--year", str(Y), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_cli_json_from_data_made_through_the_services(app, dataset):
    result = cli_report(app)
    data = json.loads(result.stdout)  # standard output is the JSON and nothing else
    assert without_time(spec_part(data)) == without_time(EXPECTED)
    assert list(data) == [*SPEC_KEYS, *PEOPLE_KEYS]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", data["generated_at"])
    assert result.stderr == ""


def test_cli_writes_xlsx_and_csv_folder(app, dataset, tmp_path):
    workbook_path = tmp_path / "bao-cao.xlsx"
    result = cli_report(app, "--format", "xlsx", "--output", str(workbook_path))
    assert result.stdout == "" and "bao-cao.xlsx" in result.stderr
    book = load_workbook(workbook_path)
    assert book.sheetnames[0] == "Thông tin"
    assert "Dòng lệnh" in str(book["Thông tin"]["B5"].value)

    folder = tmp_path / "csv"
    result = cli_report(app, "--format", "csv", "--output", str(folder))
    assert result.stdout == ""
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"thong-ke-{Y}-{key}.csv" for key in exports.TABLE_KEYS)
    rows = list(
        csv.reader(
            io.StringIO((folder / f"thong-ke-{Y}-vien_tro_linh_vuc.csv").read_text("utf-8-sig"))
        )
    )
    assert rows == [
        ["Mã lĩnh vực", "Lĩnh vực", "Số khoản", "Giá trị (VNĐ)"],
        ["nuoc_ve_sinh", "Nước sạch và vệ sinh môi trường", "1", "1500000000"],
        ["y_te", "Y tế", "2", "1150000001"],
        ["giao_duc", "Giáo dục, đào tạo", "1", "150000001"],
    ]


def test_cli_json_to_a_file_and_bad_arguments(app, db, tmp_path):
    target = tmp_path / "r.json"
    result = cli_report(app, "--output", str(target))
    assert result.stdout == ""
    assert json.loads(target.read_text("utf-8"))["year"] == Y
    bad = app.test_cli_runner().invoke(args=["report", "annual", "--year", "99999"])
    assert bad.exit_code == 2 and "năm phải từ 1990" in bad.output
    missing = app.test_cli_runner().invoke(
        args=["report", "annual", "--year", str(Y), "--format", "xlsx"]
    )
    assert missing.exit_code == 2 and "--output" in missing.output


def table_rows(html: str, key: str) -> list[list[str]]:
    """The body cells of one report table of the page, as text."""
    section = html.split(f'data-testid="table-{key}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def shown(value, kind):
    if value is None:
        return "–"
    if kind == "month":
        return f"Tháng {value}"
    return {"vnd": format_vnd, "usd": format_usd, "count": format_number}.get(kind, str)(value)


def test_page_workbook_and_json_agree(login, dataset):
    web = login("leadership.viewer")
    page = web.get(f"/thong-ke/{Y}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = web.get(f"/thong-ke/{Y}/bao-cao.json").get_json()
    assert without_time(spec_part(data)) == without_time(EXPECTED)
    book = load_workbook(io.BytesIO(web.get(f"/thong-ke/{Y}/bao-cao.xlsx").data))

    tables = exports.tables(data)
    assert [t.key for t in tables] == list(exports.TABLE_KEYS)
    # One sheet per table of the spec, then one per people-to-people diplomacy domain
    # (tests/test_stats_people_diplomacy.py checks those).
    spec_tables = exports.spec_tables(data)
    assert book.sheetnames == [
        "Thông tin",
        *[t.sheet for t in spec_tables],
        "Hội hữu nghị",
        "Đào tạo, bồi dưỡng",
        "Kinh phí ĐNND",
        "Vận động viện trợ",
    ]
    for table in spec_tables:
        sheet = book[table.sheet]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == table.headers
        expected = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in table.rows]
        assert values[1:] == expected, table.key
        columns, rows = table.page_cells()  # the page leaves the codes to the files
        assert table_rows(html, table.key) == [
            [shown(v, c.kind) for v, c in zip(row, columns, strict=True)] for row in rows
        ], table.key

    # The headline figures are the JSON's.
    approved = data["aid"]["approved"]
    assert f'data-testid="headline-approved-count">{approved["count"]}<' in html
    assert format_vnd(approved["value_vnd"]) == "2.800.000.001 ₫"
    assert f'data-testid="headline-approved-vnd">{format_vnd(approved["value_vnd"])}<' in html
    assert "100.000,00 USD" in html and "(chưa tính 1 khoản không có tỷ giá USD)" in html
    assert f'data-testid="headline-disbursed-vnd">{format_vnd(1_014_000_000)}<' in html
    # Labels are Vietnamese; the revoked item is counted; the archived one is not.
    assert "Nước sạch và vệ sinh môi trường" in html and "Hàn Quốc" in html
    assert "Làm việc, hợp tác" in html and "Hội nghị, tập huấn" in html
    # Number formats in the workbook.
    sheet = book["Tổng hợp viện trợ"]
    assert sheet["C2"].number_format == "#,##0" and sheet["D2"].number_format == "#,##0.00"
    assert sheet["D2"].value == 100_000.0


def test_workbook_first_sheet_says_year_time_user_and_rules(login, db):
    web = login("leadership.viewer")
    response = web.get(f"/thong-ke/{Y}/bao-cao.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="thong-ke-{Y}.xlsx"' in response.headers["Content-Disposition"]
    info = load_workbook(io.BytesIO(response.data))["Thông tin"]
    cells = {row[0]: row[1] for row in info.iter_rows(values_only=True) if row and row[0]}
    assert cells["Năm thống kê"] == Y
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells["Thời điểm lập (giờ Việt Nam)"])
    assert cells["Người lập"].endswith("(leadership.viewer)")
    rules_text = " ".join(str(v) for k, v in cells.items() if re.fullmatch(r"\d+\.", str(k)))
    assert "bất kể trạng thái" in rules_text and "1/n" in rules_text
    assert "hộ chiếu" in rules_text and "làm tròn" in rules_text


def test_csv_downloads_zip_and_single_table(login, dataset):
    web = login("leadership.viewer")
    response = web.get(f"/thong-ke/{Y}/bao-cao.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(
        f"thong-ke-{Y}-{key}.csv" for key in exports.TABLE_KEYS
    )
    months = archive.read(f"thong-ke-{Y}-doan_thang.csv")
    assert months.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(months.decode("utf-8-sig"))))
    assert rows[0] == ["Tháng", "Đoàn vào", "Đoàn ra"] and len(rows) == 13
    assert rows[5] == ["5", "1", "0"] and rows[8] == ["8", "0", "1"]

    one = web.get(f"/thong-ke/{Y}/bang/vien_tro_quoc_gia.csv")
    assert one.status_code == 200 and one.mimetype == "text/csv"
    assert f'filename="thong-ke-{Y}-vien_tro_quoc_gia.csv"' in one.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(one.data.decode("utf-8-sig"))))
    assert rows[1] == ["US", "Hoa Kỳ", "1", "2500000000", "1014000000"]
    assert web.get(f"/thong-ke/{Y}/bang/khong-co.csv").status_code == 404
    assert web.get(f"/thong-ke/{Y}/bao-cao.pdf").status_code == 404


def test_year_picker_and_redirects(login, db):
    web = login("leadership.viewer")
    current = today_vn().year
    assert web.get("/thong-ke/").headers["Location"].endswith(f"/thong-ke/{current}")
    assert web.get("/thong-ke/?nam=2019").headers["Location"].endswith("/thong-ke/2019")
    assert web.get("/thong-ke/?nam=99999").headers["Location"].endswith(f"/thong-ke/{current}")
    assert web.get("/thong-ke/?nam=abc").headers["Location"].endswith(f"/thong-ke/{current}")
    html = web.get("/thong-ke/2019").get_data(as_text=True)
    assert 'data-testid="year-picker"' in html and 'name="nam"' in html
    assert '<option value="2019" selected>' in html
    assert 'href="/thong-ke/2018"' in html and 'href="/thong-ke/2020"' in html
    # The comparison covers the five years before.
    comparison = html.split('data-testid="comparison"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'href="/thong-ke/(\d{4})"', comparison) == [
        str(y) for y in range(2014, 2020)
    ]


@pytest.mark.parametrize("url", ["/thong-ke/99999", "/thong-ke/0", "/thong-ke/1989"])
def test_bad_year_is_a_vietnamese_404(login, db, url):
    web = login("leadership.viewer")
    for suffix in ("", "/bao-cao.xlsx", "/bao-cao.json", "/bang/doan_thang.csv"):
        response = web.get(url + suffix)
        assert response.status_code == 404
        text = response.get_data(as_text=True)
        assert "Năm thống kê không hợp lệ" in text and "chọn một năm từ 1990 đến" in text
    assert web.get("/thong-ke/abc").status_code == 404
    assert "Không tìm thấy trang" in web.get("/thong-ke/abc").get_data(as_text=True)


def test_pages_need_a_login(web, db):
    for url in ("/thong-ke/", f"/thong-ke/{Y}", f"/thong-ke/{Y}/bao-cao.json"):
        response = web.get(url)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_chart_js_is_served_locally_with_its_licence(login, db):
    web = login("leadership.viewer")
    html = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/chartjs/chart.umd.min.js" in scripts
    assert all(src.startswith("/") for src in scripts)  # nothing from a CDN
    assert 'data-testid="chart-aid"' in html and 'data-testid="chart-delegations"' in html
    for chart in ("chart-sectors", "chart-countries", "chart-months"):  # issue 14
        assert f'data-testid="{chart}"' in html
    script = web.get("/static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js v4" in script.data[:200]
    script.close()
    licence = web.get("/static/vendor/chartjs/LICENSE.md")
    assert licence.status_code == 200 and b"MIT License" in licence.data
    licence.close()


def count_queries(db, func):
    statements = []
    engine = db.session.get_bind().engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return statements


def selects(db, func):
    """Every statement but the test harness's savepoints (catalog queries count too)."""
    harness = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")
    return [s for s in count_queries(db, func) if not s.lstrip().upper().startswith(harness)]


def test_one_query_per_source_table(app, db, dataset):
    with app.app_context():
        statements = selects(db, lambda: services.annual_report(Y))
        # the spec's 7 (the disbursements added up twice: per rate, per donor), then the
        # people-to-people diplomacy domains' 11 (below)
        assert len(statements) == 7 + 11
        # report, comparison, notes (over-disbursed items, corrections), between two reads
        # of the input revisions (app.stats.cache); then nothing changed: the revisions only
        assert len(selects(db, lambda: services.year_page(Y))) == 1 + 7 + 11 + 3 + 2 + 1
        assert len(selects(db, lambda: services.year_page(Y))) == 1
        assert len(selects(db, lambda: services.key_figures(Y))) == 1 + 3 + 1
        assert len(selects(db, lambda: services.key_figures(Y))) == 1
    tables = [
        "aid_item",
        "disbursement",
        "disbursement",
        "aid_sector",
        "organization",
        "delegation",
        "delegation_member",
        # training (courses, topics, trainees), budget (lines, spending), mobilisation
        # (contacts, proposals, linked items, their disbursements), associations
        # (activities with their countries, member counts)
        "training_course",
        "training_course_topic",
        "training_attendance",
        "budget_line",
        "budget_spending",
        "mobilisation_contact",
        "mobilisation_proposal",
        "aid_item",
        "disbursement",
        "association_activity",
        "association_member_count",
    ]
    for table, statement in zip(tables, statements, strict=True):
        assert re.search(rf"FROM {table}\b", statement), (table, statement)


def test_page_query_count_does_not_grow_with_rows(login, app, db, user, dataset):
    web = login("leadership.viewer")
    few = selects(db, lambda: web.get(f"/thong-ke/{Y}"))
    with app.app_context():
        agency = user("other.officer").agency_id
        for i in range(20):
            start = date(Y, 1 + i % 12, 1)
            people = [f"X{i}/TH", f"Z{i}/TH"]
            make_delegation(db, agency, f"ST-X{i}", "vao", "da_duyet", start, "TH", "khac", people)
        db.session.commit()
    many = selects(db, lambda: web.get(f"/thong-ke/{Y}"))
    # the user, the input revisions (twice), the report's 7 and its people-to-people
    # diplomacy sections' 11, the comparison's 3, the notes' 2, the notifications badge,
    # the year's documents; after the new delegations only the report's delegation part
    # (2) and the comparison's delegation totals are loaded again: the report's aid part
    # (5) and people part (11), the approved and disbursed totals (2) and the notes (2)
    # read no delegation table, whose revisions alone moved
    assert len(few) == 28 and len(many) == 28 - 5 - 11 - 2 - 2


def test_comparison_from_daily_totals_equals_the_reports(app, db, dataset):
    with app.app_context():
        table = services.comparison(Y).set_index("year")
        assert list(table.index) == list(range(Y - 5, Y + 1))
        for year in (Y - 1, Y):
            data = services.annual_report(year)
            assert table.loc[year].to_dict() == {
                "approved_count": data["aid"]["approved"]["count"],
                "approved_vnd": data["aid"]["approved"]["value_vnd"],
                "disbursed_vnd": data["aid"]["disbursed"]["value_vnd"],
                "incoming": data["delegations"]["incoming"]["count"],
                "outgoing": data["delegations"]["outgoing"]["count"],
            }
    assert table.loc[Y - 1, "incoming"] == 1  # ST-D6, on 30/12 of the year before
    assert table.loc[Y, "disbursed_vnd"] == 1_014_000_000


def test_key_figures_and_home_partial(app, db, dataset):
    with app.app_context():
        figures = services.key_figures(Y)
        report = services.annual_report(Y)
    assert figures == {
        "year": Y,
        "approved_count": report["aid"]["approved"]["count"],
        "approved_vnd": report["aid"]["approved"]["value_vnd"],
        "disbursed_vnd": report["aid"]["disbursed"]["value_vnd"],
        "incoming": report["delegations"]["incoming"]["count"],
        "outgoing": report["delegations"]["outgoing"]["count"],
    }
    assert figures["approved_vnd"] == 2_800_000_001
    with app.test_request_context("/"):
        html = render_template("stats/_key_figures.html", figures=figures)
    assert f"Số liệu năm {Y}" in html
    assert 'data-testid="key-approved-vnd">2.800.000.001 ₫<' in html
    assert 'data-testid="key-incoming">2<' in html and 'data-testid="key-outgoing">1<' in html


def test_empty_year_page_and_downloads(login, db):
    web = login("leadership.viewer")
    html = web.get("/thong-ke/1995").get_data(as_text=True)
    assert "Thống kê năm 1995" in html and "Không có số liệu trong năm." in html
    data = web.get("/thong-ke/1995/bao-cao.json").get_json()
    assert data["aid"]["approved"]["count"] == 0 and len(data["delegations"]["by_month"]) == 12
    assert web.get("/thong-ke/1995/bao-cao.xlsx").status_code == 200


def test_home_dashboard_shows_this_years_figures(login, db):
    from app.core.dates import today_vn

    page = login("leadership.viewer").get("/").get_data(as_text=True)
    assert f"Số liệu năm {today_vn().year}" in page and 'data-testid="key-figures"' in page
    assert 'href="/thong-ke/"' in page  # the navigation's statistics link


def test_year_charts_carry_the_reports_figures_with_vietnamese_labels(login, db):
    import json

    from app.aid.models import Sector

    web = login("leadership.viewer")
    html = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    block = re.search(r'id="stats-chart-data">(.*?)</script>', html, re.S).group(1)
    chart = json.loads(block)
    report = web.get(f"/thong-ke/{Y}/bao-cao.json").get_json()
    by_sector = report["aid"]["by_sector"]
    assert chart["sectors"] == [Sector(row["sector"]).label for row in by_sector]
    assert chart["sector_vnd"] == [row["value_vnd"] for row in by_sector]
    assert len(chart["countries"]) == len(report["aid"]["by_country"])
    assert not any(len(name) == 2 and name.isupper() for name in chart["countries"])
    assert chart["months"] == [f"Th{m}" for m in range(1, 13)]
    assert sum(chart["month_incoming"]) == report["delegations"]["incoming"]["count"]
