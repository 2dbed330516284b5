"""Records, decisions and exports show the name an agency had on the record's date
(issue 11, item 2): the former names kept at a rename (AgencyName) against the day of the
visit, the review or the opinion."""

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from app.aid.states import AidStatus
from app.auth.models import AgencyName
from app.core.dates import today_vn
from app.delegations.models import Delegation
from tests.fixtures.delegations import future

OLD_HOST, OLD_POLICE, OLD_FINANCE = "Phòng Văn hoá (tên cũ)", "Công an tỉnh (tên cũ)", "Sở TC cũ"


def renamed(db, user, username: str, old_name: str, until) -> None:
    """The agency of `username` was called `old_name` until `until` (exclusive)."""
    db.session.add(AgencyName(agency_id=user(username).agency_id, name=old_name, used_until=until))
    db.session.commit()


def test_delegations_show_the_names_of_the_visit_and_review_days(login, db, user, make_delegation):
    early = make_delegation("DV-CU", stage="reviewed", start=future(5))
    late = make_delegation("DV-MOI", stage="submitted", start=future(40))
    rename_day = future(20)  # between the two visits; the review was given today, before it
    renamed(db, user, "other.officer", OLD_HOST, rename_day)
    renamed(db, user, "police.officer", OLD_POLICE, rename_day)
    host_now = user("other.officer").agency.name

    fa = login("foreign_affairs.officer")
    listing = fa.get("/doan/").get_data(as_text=True)
    assert OLD_HOST in listing and host_now in listing
    detail = fa.get(f"/doan/{early.id}").get_data(as_text=True)
    assert OLD_HOST in detail and OLD_POLICE in detail
    # the later visit is hosted under today's name; it was lodged (today) under the old one
    late_page = fa.get(f"/doan/{late.id}").get_data(as_text=True)
    assert f'col-sm-8">{host_now}</dd>' in late_page and f'col-sm-8">{OLD_HOST}</dd>' in late_page

    sheet = load_workbook(io.BytesIO(fa.get("/doan/xuat.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    hosts = {
        row[header.index("Mã đoàn")]: row[header.index("Đơn vị đón tiếp / cử đi")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert hosts == {"DV-CU": OLD_HOST, "DV-MOI": host_now}
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 2


def test_an_opinion_shows_the_name_of_the_day_it_was_given(login, db, user, make_item):
    item = make_item("VT-TEN", status=AidStatus.THAM_DINH)
    renamed(db, user, "finance.officer", OLD_FINANCE, today_vn() + timedelta(days=1))
    page = login("planning.officer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert OLD_FINANCE in page
    db.session.execute(sa.delete(AgencyName))  # a rename before the opinion: today's name
    renamed(db, user, "finance.officer", OLD_FINANCE, today_vn() - timedelta(days=1))
    page = login("planning.officer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert OLD_FINANCE not in page and user("finance.officer").agency.name in page
