"""The budget pages through the Flask client, with real logins and CSRF: who sees which
line, finance's allocation and check, refusals (403, 404, 409, 422 with nothing written),
the flags on the list and the export (issue 13, part 3)."""

import io
import re
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import BudgetStatus

S = BudgetStatus
YEAR = 2025


def _propose(client, amount="100.000.000", year=YEAR, note="Đón đoàn Nhật Bản") -> BudgetLine:
    response = client.post(
        "/ngan-sach/moi", data={"year": year, "proposed_vnd": amount, "proposal_note": note}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    line_id = int(re.search(r"/ngan-sach/(\d+)", response.headers["Location"]).group(1))
    return line_id


def _line(db, line_id) -> BudgetLine:
    db.session.expire_all()
    return db.session.get(BudgetLine, line_id)


def _allocate(client, line_id, amount="80.000.000", version=1):
    return client.post(
        f"/ngan-sach/{line_id}/buoc/allocate",
        data={
            "allocated_vnd": amount,
            "allocation_number": "15/QĐ-UBND",
            "allocation_date": f"10/02/{YEAR}",
            "version": version,
        },
    )


def _spend(client, line_id, amount, day=f"15/03/{YEAR}", **extra):
    return client.post(
        f"/ngan-sach/{line_id}/chi",
        data={
            "spent_on": day,
            "amount_vnd": amount,
            "document_number": "PC-001",
            "description": "Tiếp đoàn hữu nghị",
            **extra,
        },
    )


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_agency_sees_only_its_own_lines(login, db):
    host, police = login("other.officer"), login("police.officer")
    own, theirs = _propose(host), _propose(police)
    listing = host.get(f"/ngan-sach/?year={YEAR}").get_data(as_text=True)
    assert listing.count('data-testid="budget-row"') == 1
    assert "UBND xã Đăk Tô" in listing and "Công an tỉnh" not in listing
    assert host.get(f"/ngan-sach/{own}").status_code == 200
    assert host.get(f"/ngan-sach/{theirs}").status_code == 404
    assert host.post(f"/ngan-sach/{theirs}/chi", data={}).status_code == 404
    assert host.get("/ngan-sach/999999").status_code == 404
    assert "Ngân sách đối ngoại nhân dân" in host.get("/").get_data(as_text=True)


def test_finance_and_leadership_see_all(login, db):
    _propose(login("other.officer"))
    _propose(login("police.officer"))
    for reader in ("finance.officer", "leadership.viewer", "admin"):
        page = login(reader).get(f"/ngan-sach/?year={YEAR}").get_data(as_text=True)
        assert page.count('data-testid="budget-row"') == 2, reader


def test_finance_allocates_and_checks(login, db):
    host, finance = login("other.officer"), login("finance.officer")
    line_id = _propose(host)
    assert finance.get(f"/ngan-sach/{line_id}").status_code == 200
    assert "Phân bổ kinh phí" in finance.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    response = _allocate(finance, line_id)
    assert response.status_code == 302
    line = _line(db, line_id)
    assert (line.status, line.allocated_vnd, line.allocation_number) == (
        S.DA_PHAN_BO,
        80_000_000,
        "15/QĐ-UBND",
    )
    assert line.allocation_date == date(YEAR, 2, 10)
    response = finance.post(
        f"/ngan-sach/{line_id}/buoc/check",
        data={
            "verdict": "can_giai_trinh",
            "finance_remarks": "Thiếu hóa đơn PC-001",
            "version": line.version,
        },
    )
    assert response.status_code == 302
    page = host.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    assert "Chưa đúng mục đích – yêu cầu giải trình" in page and "Thiếu hóa đơn PC-001" in page


def test_non_finance_cannot_allocate(login, db):
    host = login("other.officer")
    line_id = _propose(host)
    assert host.get(f"/ngan-sach/{line_id}/buoc/allocate").status_code == 403
    assert _allocate(host, line_id).status_code == 403
    assert "Phân bổ kinh phí" not in host.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    assert _line(db, line_id).allocated_vnd is None
    # nor may finance record the agency's spending
    assert _spend(login("finance.officer"), line_id, "1.000").status_code == 403


def test_bad_input_is_422_and_writes_nothing(login, db):
    host = login("other.officer")
    line_id = _propose(host)
    before = _count(db, BudgetSpending)
    outside = _spend(host, line_id, "1.000.000", day=f"31/12/{YEAR - 1}")
    assert outside.status_code == 422
    assert f"Ngày chi phải trong năm {YEAR}" in outside.get_data(as_text=True)
    negative = _spend(host, line_id, "-5.000")
    assert negative.status_code == 422
    assert "Số tiền phải lớn hơn 0." in negative.get_data(as_text=True)
    assert _spend(host, line_id, "12,34,5").status_code == 422
    assert _count(db, BudgetSpending) == before
    bad_proposal = host.post("/ngan-sach/moi", data={"year": YEAR + 1, "proposed_vnd": "-1"})
    assert bad_proposal.status_code == 422
    assert _count(db, BudgetLine) == 1


def test_stale_version_is_409(login, db):
    host = login("other.officer")
    line_id = _propose(host)
    data = {"year": YEAR, "proposed_vnd": "120.000.000", "version": 1}
    assert host.post(f"/ngan-sach/{line_id}/sua", data=data).status_code == 302
    stale = host.post(f"/ngan-sach/{line_id}/sua", data={**data, "proposed_vnd": "1.000"})
    assert stale.status_code == 409
    assert _line(db, line_id).proposed_vnd == 120_000_000
    finance = login("finance.officer")
    assert _allocate(finance, line_id, version=1).status_code == 409
    assert _line(db, line_id).status == S.DE_XUAT


def test_spending_over_allocation_is_confirmed_then_flagged(login, db):
    host, finance = login("other.officer"), login("finance.officer")
    line_id = _propose(host)
    _allocate(finance, line_id, amount="10.000.000")
    first = _spend(host, line_id, "12.000.000")
    assert first.status_code == 422 and "vượt số được phân bổ" in first.get_data(as_text=True)
    assert _count(db, BudgetSpending) == 0
    assert _spend(host, line_id, "12.000.000", confirm_over="y").status_code == 302
    page = host.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    assert 'data-testid="flag-vuot_phan_bo"' in page
    listing = host.get(f"/ngan-sach/?flag=vuot_phan_bo&year={YEAR}").get_data(as_text=True)
    assert listing.count('data-testid="budget-row"') == 1
    assert 'data-testid="flag-vuot_phan_bo"' in listing
    low = host.get(f"/ngan-sach/?flag=chua_phan_bo&year={YEAR}").get_data(as_text=True)
    assert low.count('data-testid="budget-row"') == 0


def test_spending_without_allocation_and_low_use_are_flagged(login, db):
    host = login("other.officer")
    line_id = _propose(host)
    assert _spend(host, line_id, "1.000").status_code == 302
    page = host.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    assert 'data-testid="flag-chua_phan_bo"' in page
    _allocate(login("finance.officer"), line_id, amount="10.000.000")
    # 30/09/2025 has passed: 1.000 of 10.000.000 is under 50 %
    page = host.get(f"/ngan-sach/{line_id}").get_data(as_text=True)
    assert 'data-testid="flag-su_dung_thap"' in page
    assert 'data-testid="flag-chua_phan_bo"' not in page


def test_cancel_spending_needs_a_reason(login, db):
    host = login("other.officer")
    line_id = _propose(host)
    _spend(host, line_id, "5.000")
    spending = db.session.scalar(sa.select(BudgetSpending))
    url = f"/ngan-sach/{line_id}/chi/{spending.id}/huy"
    assert host.post(url, data={"reason": "", "version": 1}).status_code == 303
    assert host.post(url, data={"reason": "Nhập nhầm", "version": 1}).status_code == 302
    db.session.expire_all()
    assert db.session.get(BudgetSpending, spending.id).archive_reason == "Nhập nhầm"


def test_export_is_the_filtered_list_with_text_as_text(login, db):
    host = login("other.officer")
    _propose(host, note="=HYPERLINK(1)")
    _propose(login("police.officer"))
    response = login("finance.officer").get(f"/ngan-sach/xuat.xlsx?year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Năm", "Đơn vị", "Loại đơn vị", "Trạng thái")
    assert len(rows) == 3
    by_owner = {row[1]: row for row in rows[1:]}
    assert by_owner["UBND xã Đăk Tô"][4] == 100_000_000
    assert by_owner["UBND xã Đăk Tô"][5] == "=HYPERLINK(1)"
    cell = next(c for c in sheet["F"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"
    own = load_workbook(io.BytesIO(host.get("/ngan-sach/xuat.xlsx").data)).active
    assert own.max_row == 2  # an agency exports only its own line


def test_settings_page_shows_the_share_setting(login, db):
    page = login("admin").get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "BUDGET_MIN_SHARE_BY_SEPT" in page and "50%" in page


def test_list_and_line_page_ask_a_bounded_number_of_queries(app, login, db, user):
    from app.budget import services
    from tests.test_stats_web import selects

    def make(owners, spending=3):
        with app.app_context():
            for name in owners:
                owner = user(name)
                line = services.propose({"year": YEAR, "proposed_vnd": 1_000}, user=owner)
                for day in range(1, spending + 1):
                    services.add_spending(line, date(YEAR, 3, day), 10, "C", "x", user=owner)
            db.session.commit()

    def measured(url):
        db.session.expire_all()  # the test's session is the requests' (no head start)
        return len(selects(db, lambda: finance.get(url)))

    finance = login("finance.officer")
    make(["other.officer", "police.officer"])
    line_id = db.session.scalar(sa.select(sa.func.min(BudgetLine.id)))
    urls = (f"/ngan-sach/?year={YEAR}", f"/ngan-sach/{line_id}")
    few = [measured(url) for url in urls]
    make(["planning.officer", "foreign_affairs.officer", "border_guard.officer", "dual.officer"], 9)
    with app.app_context():  # more entries on the measured line's page too
        line = db.session.get(BudgetLine, line_id)
        for day in range(10, 16):
            services.add_spending(
                line, date(YEAR, 4, day), 10, "C", "x", user=user("other.officer")
            )
        db.session.commit()
    assert finance.get(urls[0]).get_data(as_text=True).count('data-testid="budget-row"') == 6
    assert finance.get(urls[1]).get_data(as_text=True).count('data-testid="spending-row"') == 9
    assert [measured(url) for url in urls] == few
