"""Aid mobilisation pages through HTTP: real logins and CSRF; who may write (403), invalid
forms (422, nothing written), stale forms (409), lists with filters and search, exports
with labels and text as text, the donor's history, the item link's warning, the funnel."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid.states import AidStatus
from app.mobilisation import services
from app.mobilisation.models import MobilisationContact, MobilisationProposal

BASE = "/van-dong-vien-tro"


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def contact_form(**changes) -> dict:
    data = {
        "occurred_on": "10/02/2025",
        "kind": "hoi_nghi",
        "donor_code": "SCF-W",
        "participants": "Bà Trần Thị B",
        "topic": "Hội thảo nước sạch Đắk Tô",
        "notes": "",
    }
    return data | changes


def proposal_form(**changes) -> dict:
    data = {
        "code": "DX-W1",
        "title": "Cấp nước sạch Đăk Tô",
        "donor_code": "SCF-W",
        "contact_id": "",
        "sent_on": "01/03/2025",
        "sector": "nuoc_ve_sinh",
        "requested_value": "40.000",
        "currency": "USD",
        "rate_vnd": "25.000",
        "notes": "",
    }
    return data | changes


@pytest.fixture
def donor(make_org):
    return make_org("SCF-W", "GB", "Save the Children W")


@pytest.fixture
def fa_web(login, donor):
    return login("foreign_affairs.officer")


@pytest.fixture
def recorded(app, db, user, donor):
    """A contact and a proposal from it, recorded by the foreign-affairs officer."""
    fa = user("foreign_affairs.officer")
    with app.app_context():
        contact = services.create_contact(
            {"occurred_on": date(2025, 2, 10), "kind": "gap_go", "donor_code": "SCF-W",
             "participants": "=cmd|' /C calc'!A0", "topic": "Gặp gỡ Đắk Tô"},
            user=fa,
        )  # fmt: skip
        proposal = services.create_proposal(
            {"code": "DX-R1", "title": "+Trường học Mô Rai", "donor_code": "SCF-W",
             "contact_id": str(contact.id), "sent_on": date(2025, 3, 1), "sector": "giao_duc",
             "communes": ["23200"], "requested_value": Decimal("1000"), "currency": "VND"},
            user=fa,
        )  # fmt: skip
        db.session.commit()
    return contact, proposal


def test_a_foreign_affairs_officer_records_a_contact(fa_web, db):
    page = fa_web.get(f"{BASE}/tiep-xuc/moi")
    assert page.status_code == 200 and 'list="donor-codes"' in page.get_data(as_text=True)
    response = fa_web.post(f"{BASE}/tiep-xuc/moi", contact_form(donor_code="scf-w"))
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(MobilisationContact))
    assert contact.kind == "hoi_nghi" and contact.organization.code == "SCF-W"
    shown = fa_web.get(response.location).get_data(as_text=True)
    assert "Hội thảo nước sạch Đắk Tô" in shown and "Lịch sử vận động với SCF-W" in shown


@pytest.mark.parametrize("username", ["planning.officer", "leadership.viewer", "police.officer"])
def test_other_users_read_but_may_not_write(login, db, donor, recorded, username):
    web = login(username)
    contact, proposal = recorded
    assert web.get(f"{BASE}/").status_code == 200
    assert web.get(f"{BASE}/de-xuat/{proposal.id}").status_code == 200
    assert web.get(f"{BASE}/pheu?year=2025").status_code == 200
    assert web.post(f"{BASE}/tiep-xuc/moi", contact_form()).status_code == 403
    assert web.get(f"{BASE}/de-xuat/moi").status_code == 403
    outcome = {"outcome": "khong_tai_tro", "outcome_on": "05/03/2025", "version": "1"}
    assert web.post(f"{BASE}/de-xuat/{proposal.id}/ket-qua", outcome).status_code == 403
    archive = {"reason": "x", "version": "1"}
    assert web.post(f"{BASE}/tiep-xuc/{contact.id}/luu-tru", archive).status_code == 403
    assert count(db, MobilisationContact) == 1
    page = web.get(f"{BASE}/").get_data(as_text=True)
    assert "Ghi nhận tiếp xúc" not in page and "Vận động viện trợ" in page  # the menu


def test_anonymous_users_are_sent_to_the_login(web):
    assert web.get(f"{BASE}/").status_code == 302


def test_an_invalid_form_is_422_and_writes_nothing(fa_web, db):
    bad = contact_form(donor_code="NOPE", occurred_on="31/02/2025", topic="")
    response = fa_web.post(f"{BASE}/tiep-xuc/moi", bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Không có nhà tài trợ mã" in text or "Ngày" in text
    assert "Vui lòng nhập nội dung trao đổi." in text
    response = fa_web.post(f"{BASE}/de-xuat/moi", proposal_form(rate_vnd="", communes="99999"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Vui lòng nhập tỷ giá" in text and "99999" in text
    assert count(db, MobilisationContact) == 0 and count(db, MobilisationProposal) == 0


def test_a_stale_edit_is_409(fa_web, db, recorded):
    contact, proposal = recorded
    edit = fa_web.get(f"{BASE}/tiep-xuc/{contact.id}/sua").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in edit
    first = fa_web.post(f"{BASE}/tiep-xuc/{contact.id}/sua", contact_form(version="1"))
    assert first.status_code == 302
    stale = fa_web.post(f"{BASE}/tiep-xuc/{contact.id}/sua", contact_form(topic="X", version="1"))
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(MobilisationContact, contact.id).topic == "Hội thảo nước sạch Đắk Tô"
    data = proposal_form(code="DX-R1", version="0")
    assert fa_web.post(f"{BASE}/de-xuat/{proposal.id}/sua", data).status_code == 409
    outcome = {"outcome": "khong_tai_tro", "outcome_on": "05/03/2025", "version": "0"}
    assert fa_web.post(f"{BASE}/de-xuat/{proposal.id}/ket-qua", outcome).status_code == 409


def test_a_proposal_from_a_contact_then_its_pledge_and_item(fa_web, db, recorded, make_item, donor):
    contact, _ = recorded
    form = fa_web.get(f"{BASE}/de-xuat/moi?contact={contact.id}").get_data(as_text=True)
    assert 'value="SCF-W"' in form and f'<option selected value="{contact.id}">' in form
    data = proposal_form(contact_id=str(contact.id), communes=["23200"])
    response = fa_web.post(f"{BASE}/de-xuat/moi", data)
    assert response.status_code == 302
    proposal = db.session.scalar(
        sa.select(MobilisationProposal).where(MobilisationProposal.code == "DX-W1")
    )
    assert proposal.requested_vnd == 1_000_000_000 and proposal.contact_id == contact.id
    item = make_item("VT-W1", status=AidStatus.DA_PHE_DUYET, donor=donor)
    outcome = {"outcome": "cam_ket", "outcome_on": "20/03/2025", "pledged_value": "30.000",
               "aid_item_code": "vt-w1", "version": str(proposal.version)}  # fmt: skip
    saved = fa_web.post(f"{BASE}/de-xuat/{proposal.id}/ket-qua", outcome)
    assert saved.status_code == 302
    page = fa_web.get(saved.location).get_data(as_text=True)
    assert f"/vien-tro/{item.id}" in page and "Nhà tài trợ cam kết" in page
    assert 'data-testid="link-warning"' not in page
    contact_page = fa_web.get(f"{BASE}/tiep-xuc/{contact.id}").get_data(as_text=True)
    assert "DX-W1" in contact_page  # the donor's history and the contact's proposals


def test_linking_an_item_of_another_donor_warns_and_an_unknown_item_is_422(
    fa_web, db, recorded, make_item
):
    _, proposal = recorded
    make_item("VT-ELSE", status=AidStatus.DA_PHE_DUYET)
    unknown = {"outcome": "cam_ket", "outcome_on": "20/03/2025", "pledged_value": "500",
               "aid_item_code": "VT-NONE", "version": "1"}  # fmt: skip
    response = fa_web.post(f"{BASE}/de-xuat/{proposal.id}/ket-qua", unknown)
    assert response.status_code == 422 and "VT-NONE" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MobilisationProposal, proposal.id).outcome == "cho_phan_hoi"
    saved = fa_web.post(
        f"{BASE}/de-xuat/{proposal.id}/ket-qua", unknown | {"aid_item_code": "VT-ELSE"}
    )
    assert saved.status_code == 302
    page = fa_web.get(saved.location).get_data(as_text=True)
    assert 'data-testid="link-warning"' in page and "không ghi nhà tài trợ SCF-W" in page


def test_lists_filter_and_search_without_diacritics(fa_web, db, recorded, make_org):
    make_org("JICA-W", "JP", "Japan W")
    fa_web.post(f"{BASE}/tiep-xuc/moi", contact_form(donor_code="JICA-W", topic="Học bổng"))
    rows = lambda url: fa_web.get(url).get_data(as_text=True).count('data-testid="contact-row"')  # noqa: E731
    assert rows(f"{BASE}/") == 2
    assert rows(f"{BASE}/?q=dak+to") == 1
    assert rows(f"{BASE}/?q=japan") == 1
    assert rows(f"{BASE}/?country=JP") == 1
    assert rows(f"{BASE}/?kind=gap_go&year=2025") == 1
    assert rows(f"{BASE}/?year=2024") == 0
    assert rows(f"{BASE}/?year=abc&kind=zzz&page=999") == 2  # bad filters are dropped
    make_org("GIZ-W", "DE", "GIZ W")
    fa_web.post(f"{BASE}/tiep-xuc/moi", contact_form(donor_code="GIZ-W", topic="Y tế"))
    page = fa_web.get(f"{BASE}/").get_data(as_text=True)
    # The country filter lists the donors' countries by Vietnamese name, diacritics folded.
    assert page.index(">Đức<") < page.index(">Nhật Bản<") < page.index(">Vương quốc Anh<")
    assert rows(f"{BASE}/") == 3
    prows = lambda url: fa_web.get(url).get_data(as_text=True).count('data-testid="proposal-row"')  # noqa: E731
    assert prows(f"{BASE}/de-xuat/?sector=giao_duc&outcome=cho_phan_hoi&country=GB") == 1
    assert prows(f"{BASE}/de-xuat/?sector=y_te") == 0
    assert prows(f"{BASE}/de-xuat/?q=truong+hoc+mo+rai") == 1


def test_exports_write_labels_and_text_as_text(fa_web, recorded):
    response = fa_web.get(f"{BASE}/tiep-xuc/xuat.xlsx?kind=gap_go")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "TiepXucVanDong"
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert row["Hình thức"].value == "Gặp gỡ, làm việc"  # the label, not the code
    assert row["Quốc gia nhà tài trợ"].value == "Vương quốc Anh"
    cell = row["Thành phần tham gia"]
    assert cell.data_type == "s" and cell.value.startswith("=") and cell.quotePrefix
    assert row["Ngày"].value.date() == date(2025, 2, 10)
    assert row["Mã tiếp xúc"].value.startswith("TX-") and row["Mã tổ chức"].value == "SCF-W"
    response = fa_web.get(f"{BASE}/de-xuat/xuat.csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0]["Tên đề xuất"] == "'+Trường học Mô Rai"
    assert lines[0]["Lĩnh vực"] == "Giáo dục, đào tạo" and lines[0]["Kết quả"] == "Chờ phản hồi"
    assert lines[0]["Ngày gửi"] == "01/03/2025" and lines[0]["Địa bàn (xã, phường)"]
    assert lines[0]["Mã tiếp xúc"].startswith("TX-") and lines[0]["Mã cơ quan ghi nhận"] == "SNgV"
    empty = fa_web.get(f"{BASE}/de-xuat/xuat.xlsx?year=2020")
    assert load_workbook(io.BytesIO(empty.data)).active.max_row == 1


def test_archive_with_a_reason(fa_web, db, recorded):
    contact, proposal = recorded
    missing = fa_web.post(f"{BASE}/de-xuat/{proposal.id}/luu-tru", {"reason": "", "version": "1"})
    assert missing.status_code == 303
    done = fa_web.post(f"{BASE}/de-xuat/{proposal.id}/luu-tru", {"reason": "Trùng", "version": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(MobilisationProposal, proposal.id).archive_reason == "Trùng"
    rows = fa_web.get(f"{BASE}/de-xuat/").get_data(as_text=True)
    assert 'data-testid="proposal-row"' not in rows
    assert "DX-R1" in fa_web.get(f"{BASE}/de-xuat/?archived=1").get_data(as_text=True)
    archive = {"reason": "Nhập nhầm", "version": "1"}
    assert fa_web.post(f"{BASE}/tiep-xuc/{contact.id}/luu-tru", archive).status_code == 302
    page = fa_web.get(f"{BASE}/tiep-xuc/{contact.id}").get_data(as_text=True)
    assert 'data-testid="archived"' in page and "Nhập nhầm" in page
    assert fa_web.get(f"{BASE}/tiep-xuc/{contact.id}/sua").status_code == 200
    assert (
        fa_web.post(f"{BASE}/tiep-xuc/{contact.id}/sua", contact_form(version="2")).status_code
        == 409
    )


def test_the_funnel_page_counts_the_year_by_country(fa_web, db, recorded, make_item, donor):
    _, proposal = recorded
    item = make_item("VT-F1", status=AidStatus.DA_PHE_DUYET, donor=donor)
    outcome = {"outcome": "cam_ket", "outcome_on": "20/03/2025", "pledged_value": "900",
               "aid_item_code": item.code, "version": "1"}  # fmt: skip
    assert fa_web.post(f"{BASE}/de-xuat/{proposal.id}/ket-qua", outcome).status_code == 302
    page = fa_web.get(f"{BASE}/pheu?year=2025").get_data(as_text=True)
    assert page.count('data-testid="funnel-row"') == 1 and "Vương quốc Anh" in page
    assert 'data-testid="total-approved_items">1<' in page
    assert 'data-testid="total-pledges">1<' in page
    empty = fa_web.get(f"{BASE}/pheu?year=2019").get_data(as_text=True)
    assert "Chưa có số liệu vận động trong năm 2019" in empty
    assert fa_web.get(f"{BASE}/pheu?year=zzz").status_code == 200


def test_list_pages_ask_a_bounded_number_of_queries(app, db, user, fa_web, make_item, donor):
    """The lists, a record page and the funnel read as often with 2 rows as with 10."""
    from tests.test_stats_web import selects

    fa = user("foreign_affairs.officer")
    item = make_item("VT-Q", status=AidStatus.DA_PHE_DUYET, donor=donor)

    def add(n: int):
        with app.app_context():
            for i in range(n):
                contact = services.create_contact(
                    {"occurred_on": date(2025, 2, 1 + i), "kind": "thu", "donor_code": "SCF-W",
                     "participants": "A", "topic": f"Thư {i}"},
                    user=fa,
                )  # fmt: skip
                proposal = services.create_proposal(
                    {"code": f"DX-Q{contact.id}", "title": "T", "donor_code": "SCF-W",
                     "contact_id": str(contact.id), "sent_on": date(2025, 3, 1),
                     "sector": "y_te", "communes": ["23200"], "requested_value": Decimal("9"),
                     "currency": "VND"},
                    user=fa,
                )  # fmt: skip
                services.record_outcome(
                    proposal,
                    {"outcome": "cam_ket", "outcome_on": date(2025, 4, 1),
                     "pledged_value": Decimal("9"), "aid_item_code": item.code},
                    user=fa, version=proposal.version,
                )  # fmt: skip
            db.session.commit()
        return proposal

    first = add(2)
    urls = [f"{BASE}/", f"{BASE}/de-xuat/", f"{BASE}/pheu?year=2025",
            f"{BASE}/de-xuat/{first.id}", f"{BASE}/de-xuat/xuat.xlsx"]  # fmt: skip
    few = [len(selects(db, lambda url=url: fa_web.get(url))) for url in urls]
    add(8)
    many = [len(selects(db, lambda url=url: fa_web.get(url))) for url in urls]
    assert few == many
    page = fa_web.get(f"{BASE}/pheu?year=2025").get_data(as_text=True)
    assert 'data-testid="total-pledges">10<' in page
