"""What waits for a user about delegations: counted in SQL over every row (the lists are
cut, the counts are not), the same rule as the approval guard."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.dates import today_vn
from app.core.models import utcnow
from app.delegations import services, workflow
from app.delegations.models import BorderPermit, Delegation
from tests.fixtures.delegations import border_commune, future, insert_delegations


def test_counts_are_not_cut_at_100_and_to_approve_is_filtered_before(
    make_delegation, login, db, user
):
    insert_delegations(db, 130, prefix="R")  # sent, waiting to be received
    # 105 under review without opinions, arriving before the ones ready to approve.
    insert_delegations(db, 105, prefix="U", status="dang_xem_xet", start_on=future(3))
    for i in range(3):
        make_delegation(f"OK-{i}", stage="reviewed", start=future(40))
    fa = user("foreign_affairs.officer")
    assert services.inbox_counts_by_box(user=fa) == {
        "to_receive": 130,
        "to_review": 105,
        "to_approve": 3,
        "reports_overdue": 0,
    }
    box = services.inbox(user=fa)
    assert len(box.to_receive) == 100 and box.counts["to_receive"] == 130
    assert sorted(d.code for d in box.to_approve) == ["OK-0", "OK-1", "OK-2"]

    web = login("foreign_affairs.officer")
    home = web.get("/").get_data(as_text=True)
    assert re.search(r"Hồ sơ đoàn cần tiếp nhận</a>: <strong>130</strong>", home)
    assert re.search(r"Hồ sơ đoàn đủ điều kiện phê duyệt</a>: <strong>3</strong>", home)
    inbox = web.get("/doan/viec-can-xu-ly").get_data(as_text=True)
    assert "Hồ sơ đoàn cần tiếp nhận (130)" in inbox and "OK-2" in inbox
    # The box pages on its own (PAGE_SIZE rows a page): every row reachable by a link.
    pages = -(-130 // web.client.application.config["PAGE_SIZE"])
    assert f"trang_to_receive={pages}" in inbox and f"trang_to_receive={pages + 1}" not in inbox
    last = web.get(f"/doan/viec-can-xu-ly?trang_to_receive={pages}").get_data(as_text=True)
    assert "Hồ sơ đoàn cần tiếp nhận (130)" in last


def test_police_and_host_boxes(make_delegation, db, user):
    insert_delegations(db, 101, prefix="P", status="dang_xem_xet")
    police = user("police.officer")
    assert services.inbox_counts_by_box(user=police) == {"to_review": 101, "permits_needed": 0}
    overdue = {"status": "da_duyet", "report_due_on": today_vn() - timedelta(days=1)}
    host_agency = user("other.officer").agency_id
    insert_delegations(db, 2, prefix="O", author_agency_id=host_agency, **overdue)
    insert_delegations(db, 1, prefix="N", **overdue)  # another agency's
    assert services.inbox_counts_by_box(user=user("other.officer")) == {"reports_overdue": 2}
    # the leadership reads what waits for a decision (none of these is ready for approval)
    assert services.inbox_counts_by_box(user=user("leadership.viewer")) == {"to_approve": 0}


def test_ready_to_approve_in_sql_agrees_with_the_guard(make_delegation, app, db, user):
    """Every case of the approval guard, answered the same by SQL (lists, counts) and by
    the workflow (the button)."""
    host, fa, police = (
        user("other.officer"),
        user("foreign_affairs.officer"),
        user("police.officer"),
    )
    commune = border_commune(db)
    db.session.commit()
    border = {
        "stops": [{"day": None, "commune_code": commune.code, "place": None, "activity": None}]
    }
    cases = {
        "none": make_delegation("C-NONE", stage="under_review"),
        "both": make_delegation("C-BOTH", stage="reviewed"),
        "border-bare": make_delegation("C-BB", stage="reviewed", start=future(20), **border),
        "border-permit": make_delegation("C-BP", stage="reviewed", start=future(20), **border),
        "border-all": make_delegation("C-BA", stage="reviewed", start=future(20), **border),
        "police-no": make_delegation("C-NO", stage="under_review"),
        "only-fa": make_delegation("C-FA", stage="under_review"),
        "sent": make_delegation("C-SENT", stage="submitted"),
    }

    def ready():
        with app.app_context():
            by_guard = {d.code for d in cases.values() if workflow.may(d, "approve", fa)}
        query = sa.select(Delegation.code).where(workflow.ready_to_approve_condition())
        return by_guard, set(db.session.scalars(query))

    with app.app_context():
        for key in ("border-permit", "border-all"):
            d = cases[key]
            services.record_border_permit(
                d, f"GP-{key}", today_vn(), d.start_on, d.end_on, user=police
            )
        services.record_border_notice(cases["border-all"], today_vn(), user=host)
        services.record_review(cases["police-no"], "foreign_affairs", "dong_y", "Ok", user=fa)
        services.record_review(cases["police-no"], "police", "khong_dong_y", "Không", user=police)
        services.record_review(cases["only-fa"], "foreign_affairs", "dong_y", "Ok", user=fa)
        db.session.commit()
    assert ready() == ({"C-BOTH", "C-BA"}, {"C-BOTH", "C-BA"})
    # An archived permit no longer counts, for either.
    permit = db.session.scalar(
        sa.select(BorderPermit).where(BorderPermit.number == "GP-border-all")
    )
    permit.archived_at = utcnow()
    db.session.commit()
    assert ready() == ({"C-BOTH"}, {"C-BOTH"})
