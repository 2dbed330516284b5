"""The home page's counts and the aid inbox's follow-up alerts kept by the revisions of the
tables they read (issue 15, app/core/revision_cache.py): a disbursement added through the
ORM, in raw SQL or by another connection shows at once (never stale), an unchanged view
reads the revisions instead of summing every item's disbursements, the home page and the
inboxes ask a number of statements that does not grow with the rows, and the kept figures
equal those computed without the cache."""

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.aid.models import AidItem, AidReport, Disbursement, ReportKind
from app.aid.services import money, queries, watch
from app.aid.states import AidStatus
from app.core import revision_cache
from app.core.dates import today_vn
from app.extensions import db as _db
from tests.test_page_queries import make_items
from tests.test_stats_web import selects

OVER_LABEL = "Viện trợ giải ngân vượt giá trị phê duyệt"


@pytest.fixture
def running(make_item):
    """An item running since 2025, approved for 100 000 USD, nothing disbursed."""
    return make_item("HOME-1", status=AidStatus.DANG_THUC_HIEN)


def over_count(user) -> int:
    """The home page's over-disbursed count for this user."""
    return next(count for label, count, *_ in watch.inbox_counts(user) if label == OVER_LABEL)


def over_alert() -> list[str]:
    return [item.code for item in watch.alerts(today_vn())["over_disbursed"]]


def uncached_over() -> tuple[int, list[str]]:
    """The live over-disbursed items computed afresh (no cache)."""
    codes = list(
        _db.session.scalars(
            sa.select(AidItem.code)
            .where(AidItem.archived_at.is_(None), money.over_disbursed_condition())
            .order_by(AidItem.id)
        )
    )
    return len(codes), codes


def pay(item_id: int, amount: int) -> Disbursement:
    return Disbursement(
        aid_item_id=item_id,
        disbursed_on=date(2025, 5, 1),
        amount=Decimal(amount),
        currency="USD",
        rate_vnd=Decimal(25000),
        value_vnd=amount * 25000,
    )


RAW_INSERT = (
    "INSERT INTO disbursement (aid_item_id, disbursed_on, amount, currency, rate_vnd, "
    "value_vnd, verified, over_approved, is_correction, created_at, updated_at, version) "
    "VALUES (:item, :on, :amount, 'USD', 25000, :vnd, :no, :no, :no, :at, :at, 1)"
)


def raw_pay(connection, item_id: int, amount: int) -> None:
    connection.execute(
        sa.text(RAW_INSERT),
        {
            "item": item_id,
            "on": date(2025, 5, 2),
            "amount": amount,
            "vnd": amount * 25000,
            "no": False,
            "at": datetime(2025, 5, 2, 8, 0),
        },
    )


def statements_of(db, func) -> list[str]:
    return selects(db, func)


# --- Never stale ------------------------------------------------------------------------------


def test_a_disbursement_through_the_orm_shows_at_once(app_ctx, db, running, user):
    planner = user("planning.officer")
    assert over_count(planner) == 0 and over_alert() == []
    # unchanged: kept, the disbursements are not summed again
    kept = statements_of(db, lambda: (over_count(planner), over_alert()))
    assert not any("FROM disbursement" in s for s in kept)
    db.session.add(pay(running.id, 150_000))
    db.session.commit()
    assert over_count(planner) == 1 and over_alert() == ["HOME-1"]
    assert (over_count(planner), over_alert()) == uncached_over()


def test_a_fix_in_raw_sql_shows_at_once(app_ctx, db, running, user):
    planner = user("planning.officer")
    db.session.add(pay(running.id, 50_000))
    db.session.commit()
    assert over_count(planner) == 0 and over_alert() == []
    db.session.execute(
        sa.text("UPDATE disbursement SET amount = 120000 WHERE aid_item_id = :id"),
        {"id": running.id},
    )
    db.session.commit()
    assert over_count(planner) == 1 and over_alert() == ["HOME-1"]
    raw_pay(db.session.connection(), running.id, 10)
    db.session.commit()
    assert over_count(planner) == 1
    db.session.execute(
        sa.text("DELETE FROM disbursement WHERE aid_item_id = :id"), {"id": running.id}
    )
    db.session.commit()
    assert over_count(planner) == 0 and over_alert() == []
    # the item's value raised in raw SQL: no longer over after a new payment of 150 000
    db.session.add(pay(running.id, 150_000))
    db.session.commit()
    assert over_alert() == ["HOME-1"]
    db.session.execute(
        sa.text("UPDATE aid_item SET value = 200000 WHERE id = :id"), {"id": running.id}
    )
    db.session.commit()
    assert over_count(planner) == 0 and over_alert() == []


def test_a_payment_committed_by_another_connection_is_seen_at_once(app):
    """Another worker, the CLI or psql: committed on its own connection (no test
    transaction around it, so the rows are removed at the end)."""
    code = f"HOME-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        item = AidItem(
            code=code,
            name="Khoản kiểm tra",
            modality="phi_du_an",
            value=Decimal(100_000),
            currency="USD",
            rate_vnd=Decimal(25000),
            value_vnd=2_500_000_000,
            status=AidStatus.DANG_THUC_HIEN,
            search_text=code.lower(),
        )
        _db.session.add(item)
        _db.session.commit()
        item_id = item.id
        try:
            assert code not in over_alert()
            before = len(uncached_over()[1])
            _db.session.rollback()  # each request is a transaction of its own
            with _db.engine.begin() as other:
                raw_pay(other, item_id, 250_000)
            assert code in over_alert() and len(uncached_over()[1]) == before + 1
            _db.session.rollback()
            with _db.engine.begin() as other:
                other.execute(
                    sa.text("DELETE FROM disbursement WHERE aid_item_id = :id"), {"id": item_id}
                )
            assert code not in over_alert()
        finally:
            _db.session.rollback()
            with _db.engine.begin() as other:
                other.execute(
                    sa.text("DELETE FROM disbursement WHERE aid_item_id = :id"), {"id": item_id}
                )
                other.execute(sa.text("DELETE FROM aid_item WHERE id = :id"), {"id": item_id})
            _db.session.remove()


def test_a_rolled_back_payment_is_never_served(app_ctx, db, running, user):
    planner = user("planning.officer")
    assert over_count(planner) == 0
    db.session.add(pay(running.id, 150_000))
    db.session.flush()
    assert over_count(planner) == 1  # the transaction's own write, kept under its revisions
    db.session.rollback()
    assert over_count(planner) == 0 and over_alert() == []


def closing() -> list[str]:
    return [item.code for item in watch.alerts(today_vn())["closing_overdue"]]


def test_a_closing_report_clears_the_closing_alert_at_once(app_ctx, db, running):
    """The candidates are kept with the items' revisions; the reports (no trigger) are
    read on every view."""
    db.session.execute(
        sa.text("UPDATE aid_item SET end_on = :on WHERE id = :id"),
        {"on": date(2020, 1, 31), "id": running.id},
    )
    db.session.commit()
    assert closing() == ["HOME-1"]
    report = AidReport(
        aid_item_id=running.id, kind=ReportKind.KET_THUC, received_on=date(2025, 6, 1)
    )
    db.session.add(report)
    db.session.commit()
    assert closing() == []
    db.session.execute(
        sa.text("UPDATE aid_report SET archived_at = :at WHERE id = :id"),
        {"at": datetime(2025, 6, 2), "id": report.id},
    )
    db.session.commit()
    assert closing() == ["HOME-1"]


# --- Equal to the uncached computation --------------------------------------------------------


def test_kept_figures_equal_the_uncached_computation(app_ctx, db, make_item, user):
    make_items(make_item, "HE", 8)
    items = db.session.scalars(sa.select(AidItem).where(AidItem.code.like("HE-%"))).all()
    for n, item in enumerate(i for i in items if i.status == AidStatus.DANG_THUC_HIEN):
        db.session.add(pay(item.id, 150_000 if n % 2 == 0 else 90_000))
    db.session.commit()
    planner = user("planning.officer")
    today = today_vn()
    revision_cache.clear()
    first = (watch.inbox_counts(planner), watch.alerts(today))
    again = (watch.inbox_counts(planner), watch.alerts(today))  # from the cache
    assert first[0] == again[0]
    assert {k: [i.id for i in v] for k, v in first[1].items() if k != "certificates"} == {
        k: [i.id for i in v] for k, v in again[1].items() if k != "certificates"
    }
    counts = {label: count for label, count, *_ in again[0]}
    assert counts["Hồ sơ viện trợ đang xử lý"] == queries.dossiers_in_procedure()
    assert (counts[OVER_LABEL], [i.code for i in again[1]["over_disbursed"]]) == uncached_over()
    assert counts[OVER_LABEL] == 1  # one of the two running items paid over its value
    # the kept alert lists are those the conditions give
    not_started = db.session.scalars(
        sa.select(AidItem.id)
        .where(
            AidItem.archived_at.is_(None),
            AidItem.status == AidStatus.DA_PHE_DUYET,
        )
        .order_by(AidItem.decision_date)
    ).all()
    assert set(i.id for i in again[1]["not_started"]) <= set(not_started)
    delayed = db.session.scalars(
        sa.select(AidItem.id)
        .where(AidItem.archived_at.is_(None), queries.delayed_condition(today))
        .where(AidItem.status.in_(("da_phe_duyet", "dang_thuc_hien", "tam_dung")))
    ).all()
    assert sorted(i.id for i in again[1]["delayed"]) == sorted(delayed)


def test_the_cache_refuses_tables_without_revisions(app_ctx):
    with pytest.raises(ValueError):
        revision_cache.cached(("x",), ("opinion",), lambda: 1)
    with pytest.raises(ValueError):  # no trigger moves a counted series of this table
        revision_cache.cached(("x",), ("disbursement:counted",), lambda: 1)
    assert revision_cache.cached(("x",), ("aid_item:counted", "disbursement"), lambda: 1) == 1


# --- Bounded work -----------------------------------------------------------------------------


def warm_and_count(db, web, url: str) -> list[str]:
    assert web.get(url).status_code == 200  # computes what the new rows changed
    return statements_of(db, lambda: web.get(url))


@pytest.mark.parametrize(
    "username, url",
    [
        ("planning.officer", "/"),
        ("planning.officer", "/vien-tro/viec-can-xu-ly"),
        ("foreign_affairs.officer", "/"),
        ("foreign_affairs.officer", "/doan/viec-can-xu-ly"),
        ("police.officer", "/doan/viec-can-xu-ly"),
    ],
)
def test_home_and_inboxes_ask_a_bounded_number_of_statements(login, db, make_item, username, url):
    make_items(make_item, "HB", 4)
    web = login(username)
    few = warm_and_count(db, web, url)
    make_items(make_item, "HC", 12)
    many = warm_and_count(db, web, url)
    assert len(few) == len(many)
    if username == "planning.officer":
        # kept: the disbursements are not summed again on an unchanged view
        assert not any("FROM disbursement" in s for s in many)


# --- The dossiers box --------------------------------------------------------------------------


def dossier_pages(app, url: str):
    """(kept page, uncached page) of the dossiers box for the planning officer's view."""
    from app.aid.services import boxes
    from app.core.inbox import InboxArgs, box_page, filtered

    with app.test_request_context(url):
        args = InboxArgs()
        select = filtered(boxes._dossiers(today_vn()), args)
        kept = boxes._dossiers_page(select, args, today_vn())
        fresh = box_page(select, "ho_so")
        return (kept.total, kept.page, [i.id for i in kept.items]), (
            fresh.total,
            fresh.page,
            [i.id for i in fresh.items],
        )


def test_the_dossiers_box_is_kept_equal_and_never_stale(app, app_ctx, db, make_item):
    app.config["PAGE_SIZE"], size = 3, app.config["PAGE_SIZE"]
    try:
        make_items(make_item, "HD", 16)  # 8 in the procedure
        for url in ("/", "/?trang_ho_so=2", "/?trang_ho_so=9"):  # 9: past the end, the last
            kept, fresh = dossier_pages(app, url)
            assert kept == fresh and kept[0] == 8
            assert dossier_pages(app, url)[0] == fresh  # from the cache
        # an item put back into the procedure in raw SQL: counted at once
        db.session.execute(sa.text("UPDATE aid_item SET status = 'tiep_nhan' WHERE code = 'HD-2'"))
        db.session.commit()
        kept, fresh = dossier_pages(app, "/?trang_ho_so=3")
        assert kept == fresh and kept[0] == 9 and kept[1] == 3
    finally:
        app.config["PAGE_SIZE"] = size
