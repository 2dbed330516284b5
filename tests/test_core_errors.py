"""Database errors that a race between two users can cause after the services' checks:
a 409 page in Vietnamese, rolled back, never a 500 (issue 10, items 7 and 9)."""

from contextlib import contextmanager

import sqlalchemy as sa

from app.auth.models import Agency, AgencyKind
from app.core import permissions
from app.core.errors import CONFLICT_MESSAGE, StaleObjectError

NEW_AGENCY = "Cơ quan thử nghiệm không được lưu"


@contextmanager
def view_of_home(app, view):
    """The home page's endpoint answered by `view` for the duration (a test-only route)."""
    view.permission_rule = permissions.signed_in
    app.view_functions["core.home"], original = view, app.view_functions["core.home"]
    try:
        yield
    finally:
        app.view_functions["core.home"] = original


def agency_named(db, name):
    return db.session.scalar(sa.select(Agency).where(Agency.name == name))


def page_text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_stale_data_error_is_the_stale_409_page_and_rolls_back(app, login, db, user):
    """An UPDATE whose version check finds the row changed (a concurrent save that slipped
    between the form's version check and the flush) answers like a stale form."""
    web = login("admin")
    agency_id = user("police.officer").agency_id
    version = db.session.get(Agency, agency_id).version
    old_name = db.session.get(Agency, agency_id).name

    def racing_view():
        db.session.add(Agency(name=NEW_AGENCY, kind=AgencyKind.OTHER))
        db.session.flush()
        agency = db.session.get(Agency, agency_id)
        # Another request saves the same row in the meantime (bumps its version).
        table = Agency.__table__  # Core: the loaded object keeps its old version
        db.session.execute(
            sa.update(table).where(table.c.id == agency_id).values(version=table.c.version + 1)
        )
        agency.name = "Tên mới không được lưu"
        db.session.flush()  # UPDATE ... WHERE version = <old>: no row, StaleDataError
        return "saved"

    with view_of_home(app, racing_view):
        response = web.get("/")

    assert response.status_code == 409
    text = page_text(response)
    assert StaleObjectError.title in text
    assert "Bản ghi đã được người khác thay đổi sau khi bạn mở biểu mẫu." in text
    db.session.expire_all()
    assert agency_named(db, NEW_AGENCY) is None
    agency = db.session.get(Agency, agency_id)
    assert (agency.name, agency.version) == (old_name, version)


def test_integrity_error_is_a_409_in_vietnamese_and_rolls_back(app, login, db, user):
    """A unique constraint hit by a concurrent insert (the service's check passed before the
    other request committed) gives a clear 409, nothing of the request written."""
    web = login("admin")
    taken = db.session.get(Agency, user("police.officer").agency_id).name

    def racing_view():
        db.session.add(Agency(name=NEW_AGENCY, kind=AgencyKind.OTHER))
        db.session.flush()
        db.session.add(Agency(name=taken, kind=AgencyKind.OTHER))
        db.session.commit()  # the duplicate name fails at the commit's flush
        return "saved"

    with view_of_home(app, racing_view):
        response = web.get("/")

    assert response.status_code == 409
    text = page_text(response)
    assert "Không lưu được dữ liệu" in text
    assert " ".join(CONFLICT_MESSAGE.split()) in text
    assert "Không có thay đổi nào được lưu." in text
    db.session.expire_all()
    assert agency_named(db, NEW_AGENCY) is None
    count = db.session.scalar(sa.select(sa.func.count()).where(Agency.name == taken))
    assert count == 1
    # The session is usable again after the handler's rollback.
    assert web.get("/to-chuc/").status_code == 200


def test_record_url_of_a_step(app):
    from app.core.errors import record_url

    with app.test_request_context():
        assert record_url("/vien-tro/12/ghi-nhan/giai-ngan") == "/vien-tro/12"
        assert record_url("/doan/5/thanh-vien") == "/doan/5"
        assert record_url("/vien-tro/12") is None  # the record's own page
        assert record_url("/vien-tro/moi") is None
        assert record_url("/khong-co/3/x") is None  # no such page
