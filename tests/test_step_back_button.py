"""The browser's Back after a step (issue 14): every step form posted successfully lands on
its record; a GET of a step the record's state no longer allows (Back to a step already
done) goes to the record with a message instead of a stale form or an error page, while a
POST of it still answers 409; the forms are not kept in the browser's cache."""

import sqlalchemy as sa

from app.aid.models import Opinion
from app.aid.states import AidStatus
from app.core.dates import format_date, today_vn
from app.core.web import STALE_STEP
from tests.fixtures.aid import agency_ids
from tests.fixtures.delegations import future, member

S = AidStatus
TODAY = format_date(today_vn())


def lands_on(response, url: str) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(url), response.headers["Location"]


def back_to_record(web, step_url: str, record_url: str) -> None:
    """GET of a stale step: to the record, which shows the message once."""
    stale = web.get(step_url)
    lands_on(stale, record_url)
    page = web.get(record_url)
    assert page.status_code == 200 and STALE_STEP in page.get_data(as_text=True)
    assert STALE_STEP not in web.get(record_url).get_data(as_text=True)  # flashed once


def test_aid_step_posts_land_on_the_item_and_back_redirects(login, make_item, db):
    item = make_item("VT-BK1", status=S.THAM_DINH)
    planner = login("planning.officer")
    record = f"/vien-tro/{item.id}"
    form = planner.get(f"{record}/buoc/approve")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    decision = {"number": "77/QĐ-UBND", "signed_on": TODAY, "signer": "Chủ tịch UBND tỉnh"}
    lands_on(planner.post(f"{record}/buoc/approve", decision), record)
    # Back to the approval form: the item is approved now
    back_to_record(planner, f"{record}/buoc/approve", record)
    again = planner.post(f"{record}/buoc/approve", {**decision, "number": "78/QĐ-UBND"})
    assert again.status_code == 409 and f'href="{record}">Về hồ sơ' in again.get_data(as_text=True)
    # the next steps and records land on the item too
    lands_on(planner.post(f"{record}/buoc/start", {"started_on": TODAY}), record)
    back_to_record(planner, f"{record}/buoc/start", record)
    paid = {"disbursed_on": TODAY, "amount": "1.000", "currency": "USD", "rate_vnd": "25.000"}
    lands_on(planner.post(f"{record}/ghi-nhan/giai-ngan", paid), record)
    lands_on(planner.post(f"{record}/buoc/suspend", {"comment": "Chờ vốn"}), record)
    back_to_record(planner, f"{record}/buoc/suspend", record)
    # the dossier form once decided
    back_to_record(planner, f"{record}/sua", record)


def test_aid_record_not_possible_yet_redirects_on_get(login, make_item):
    item = make_item("VT-BK2")  # received: no disbursement before the approval
    planner = login("planning.officer")
    back_to_record(planner, f"/vien-tro/{item.id}/ghi-nhan/giai-ngan", f"/vien-tro/{item.id}")
    assert planner.get(f"/vien-tro/{item.id}/buoc/khong-co").status_code == 404


def test_who_may_not_act_still_gets_403(login, make_item, make_delegation):
    item = make_item("VT-BK3", status=S.THAM_DINH)
    assert login("planning.viewer").get(f"/vien-tro/{item.id}/buoc/approve").status_code == 403
    delegation = make_delegation("DV-BK0", stage="under_review")
    finance = login("finance.officer")
    assert finance.get(f"/doan/{delegation.id}/buoc/approve").status_code == 403


def test_opinion_answer_lands_on_the_item_and_back_redirects(login, make_item, db):
    item = make_item("VT-BK4")
    login("planning.officer").post(
        f"/vien-tro/{item.id}/buoc/request_opinions", {"agency_ids": agency_ids(db, "police")}
    )
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.aid_item_id == item.id))
    police = login("police.officer")
    url = f"/vien-tro/y-kien/{opinion.id}"
    form = police.get(url)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    answer = {"verdict": "dong_y", "answer": "Đồng ý", "version": opinion.version}
    lands_on(police.post(url, answer), f"/vien-tro/{item.id}")
    back_to_record(police, url, f"/vien-tro/{item.id}")
    assert police.post(url, {**answer, "version": opinion.version + 1}).status_code == 409
    db.session.refresh(opinion)
    assert opinion.answer == "Đồng ý"


def test_delegation_steps_reviews_members_land_on_the_record(login, make_delegation, db):
    delegation = make_delegation("DV-BK1", members=[member()])
    record = f"/doan/{delegation.id}"
    host = login("other.officer")
    added = host.post(
        f"{record}/thanh-vien/moi",
        {
            "full_name": "Lee Ji-eun",
            "sex": "nu",
            "birth_date": "02/03/1985",
            "nationality": "KR",
            "passport_number": "M7654321",
            "passport_type": "pho_thong",
            "passport_expiry": format_date(future(400)),
        },
    )
    lands_on(added, record)
    lands_on(host.post(f"{record}/buoc/submit", {"comment": ""}), record)
    back_to_record(host, f"{record}/buoc/submit", record)
    fa = login("foreign_affairs.officer")
    lands_on(fa.post(f"{record}/buoc/receive", {"comment": ""}), record)
    review = {"verdict": "dong_y", "text": "Phù hợp", "reviewed_on": TODAY}
    form = fa.get(f"{record}/ghi-nhan/y-kien-ngoai-vu")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    lands_on(fa.post(f"{record}/ghi-nhan/y-kien-ngoai-vu", review), record)
    police = login("police.officer")
    lands_on(police.post(f"{record}/ghi-nhan/y-kien-cong-an", review), record)
    approval = {"number": "5/UBND-NgV", "approved_on": TODAY, "approved_by": "Chủ tịch"}
    lands_on(fa.post(f"{record}/buoc/approve", approval), record)
    # Back to the review and approval forms, and to the member forms, once approved
    back_to_record(fa, f"{record}/ghi-nhan/y-kien-ngoai-vu", record)
    back_to_record(fa, f"{record}/buoc/approve", record)
    back_to_record(host, f"{record}/thanh-vien/moi", record)
    back_to_record(host, f"{record}/sua", record)
    stale = fa.post(f"{record}/buoc/approve", approval)
    assert stale.status_code == 409 and "Về hồ sơ" in stale.get_data(as_text=True)
