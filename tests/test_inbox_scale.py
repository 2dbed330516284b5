"""The inboxes at national scale (issue 15): the delegations inbox counts every box in one
statement and reads a page of row columns per box (not whole delegations with their
organisation, agencies, reviews and permits), each box's default sort is served by its
index, and the "reopened" mark computed in SQL agrees with the model's; the aid inbox's
alerts are rows whose badges say when a list was cut ("50+"), and export as before."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.aid import services as aid_services
from app.aid.services.watch import alerts
from app.aid.states import AidStatus
from app.auth.models import Agency
from app.core import revision_cache
from app.core.dates import today_vn
from app.core.inbox import InboxArgs, filtered
from app.core.models import utcnow
from app.delegations.models import BorderPermit, Delegation, Review
from app.delegations.services import boxes
from tests.fixtures.delegations import insert_delegations
from tests.test_inbox_sorting import codes, csv_rows
from tests.test_page_queries import make_items, tables
from tests.test_stats_web import selects

INBOX = "/doan/viec-can-xu-ly"


def fill_four_boxes(db, make_delegation, n: int, prefix: str = "Q"):
    """n delegations in each of foreign affairs' four boxes."""
    insert_delegations(db, n, prefix=f"{prefix}R")  # sent: to receive
    insert_delegations(db, n, prefix=f"{prefix}V", status="dang_xem_xet")  # to review
    late = today_vn() - timedelta(days=3)
    insert_delegations(db, n, prefix=f"{prefix}L", status="da_duyet", report_due_on=late)
    db.session.commit()
    for i in range(n):
        make_delegation(f"{prefix}K-{i}", stage="reviewed")  # ready to approve


def test_one_statement_counts_every_box_and_each_box_reads_its_rows(login, db, make_delegation):
    fill_four_boxes(db, make_delegation, 2)
    web = login("foreign_affairs.officer")
    page = web.get(INBOX).get_data(as_text=True)
    for title in (
        "cần tiếp nhận (2)",
        "cần cho ý kiến (2)",
        "phê duyệt (2)",
        "báo cáo kết quả (2)",
    ):
        assert title in page
    host = db.session.get(Agency, 1).name
    assert host in page.split('data-code="QR0000"')[1].split("</tr>")[0]  # the host's name
    few = selects(db, lambda: web.get(INBOX))
    fill_four_boxes(db, make_delegation, 3, prefix="M")
    many = selects(db, lambda: web.get(INBOX))
    assert len(few) == len(many)
    counting = [s for s in many if s.count("count(*)") == 4]
    assert len(counting) == 1  # the four boxes counted in one statement
    # the user; the boxes' counts; a page of each box; the listed delegations' passports;
    # the three alerts; the notifications badge; the agencies' former names
    assert len(many) == 1 + 1 + 4 + 1 + 3 + 1 + 1
    # rows of columns: no organisation joined, no reviews or permits loaded after the rows
    read = tables(many)
    assert "organization" not in read
    assert not [
        s for s in many if s.lstrip().startswith(("SELECT delegation_review", "SELECT border"))
    ]


def test_the_counts_follow_the_filters_and_a_page_past_the_end_is_the_last(
    login, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    insert_delegations(db, 5, prefix="PG", status="dang_xem_xet")
    db.session.commit()
    web = login("police.officer")
    page = web.get(INBOX).get_data(as_text=True)
    assert "cần cho ý kiến (5)" in page and "trang_to_review=3" in page
    last = web.get(f"{INBOX}?trang_to_review=99").get_data(as_text=True)
    assert codes(last, "to-review") == ["PG0004"] and "cần cho ý kiến (5)" in last
    found = web.get(f"{INBOX}?q=pg3").get_data(as_text=True)
    assert codes(found, "to-review") == ["PG0003"] and "cần cho ý kiến (1)" in found
    none = web.get(f"{INBOX}?q=khongco").get_data(as_text=True)
    assert "cần cho ý kiến (0)" in none and 'data-testid="box-empty-to_review"' in none


def test_reopened_in_sql_agrees_with_the_model(app_ctx, db, user):
    insert_delegations(db, 5, prefix="RO", status="dang_xem_xet", revision=2)
    found = dict(
        db.session.execute(
            sa.select(Delegation.code, Delegation.id).where(Delegation.code.like("RO%"))
        ).all()
    )
    police = user("police.officer")
    today = today_vn()

    def review(code, kind, revision):
        db.session.add(
            Review(
                delegation_id=found[code],
                reviewer_kind=kind,
                agency_id=police.agency_id,
                verdict="dong_y",
                text="Đồng ý",
                reviewed_on=today,
                given_on_revision=revision,
            )
        )

    def permit(code, revision, **extra):
        db.session.add(
            BorderPermit(
                delegation_id=found[code],
                number=f"GP-{code}",
                issued_on=today,
                valid_from=today,
                valid_to=today + timedelta(days=30),
                given_on_revision=revision,
                **extra,
            )
        )

    review("RO0001", "police", 2)  # on the current revision
    review("RO0002", "police", 2)
    review("RO0002", "foreign_affairs", 1)  # on an earlier one
    permit("RO0003", 1)  # a live permit on an earlier revision
    permit("RO0004", 1, archived_at=utcnow())  # archived: no longer counts
    db.session.flush()
    in_sql = {
        code: bool(reopened)
        for code, reopened in db.session.execute(
            sa.select(Delegation.code, boxes.reopened_condition()).where(
                Delegation.id.in_(found.values())
            )
        )
    }
    db.session.expire_all()
    model = {
        d.code: d.reopened
        for d in db.session.scalars(sa.select(Delegation).where(Delegation.id.in_(found.values())))
    }
    expected = {"RO0000": False, "RO0001": False, "RO0002": True, "RO0003": True, "RO0004": False}
    assert in_sql == model == expected


PG_DISCOURAGED = ("enable_seqscan", "enable_bitmapscan", "enable_sort")


def explain(db, select) -> str:
    """The plan of a select. PostgreSQL picks by the statistics of the few rows a test has,
    so sequential and bitmap scans and sorts are discouraged (not forbidden): the plan then
    sorts only if no index gives the order."""
    connection = db.session.connection()
    compiled = select.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    if connection.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
        return "\n".join(row[3] for row in rows)
    for setting in PG_DISCOURAGED:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    try:
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        return "\n".join(row[0] for row in rows)
    finally:
        for setting in PG_DISCOURAGED:
            connection.exec_driver_sql(f"RESET {setting}")


@pytest.mark.parametrize(
    ("username", "box", "index"),
    [
        ("foreign_affairs.officer", "to_receive", "ix_delegation_inbox_start"),
        ("foreign_affairs.officer", "to_review", "ix_delegation_inbox_start"),
        ("foreign_affairs.officer", "to_approve", "ix_delegation_inbox_start"),
        ("foreign_affairs.officer", "reports_overdue", "ix_delegation_inbox_report"),
        ("police.officer", "permits_needed", "ix_delegation_inbox_border"),
    ],
)
def test_each_box_default_page_is_read_in_its_index_order(app_ctx, db, user, username, box, index):
    query = boxes.box_queries(user(username), today_vn())[box]
    plan = explain(db, filtered(query, InboxArgs()).limit(25))
    assert index in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan and "Sort" not in plan, plan


def test_the_home_page_counts_each_delegation_box_from_its_index(app_ctx, db, user):
    """The home page's delegation counts: a count per box, equal to the box's rows; on SQLite
    served by the box's index, not a sum of CASEs over every delegation (28 ms at national
    scale). PostgreSQL picks among equal-cost indexes on a test's few rows, so its plan is
    not asserted."""
    from app.delegations.services import queries

    planning = user("planning.officer")
    late = today_vn() - timedelta(days=3)
    mine, other = planning.agency_id, user("police.officer").agency_id
    for prefix, count, agency in (("HL", 3, mine), ("HO", 2, other)):
        insert_delegations(
            db, count, prefix=prefix, status="da_duyet", report_due_on=late, author_agency_id=agency
        )
    db.session.commit()
    seen = []

    def before(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    engine = db.session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        counts = queries.inbox_counts_by_box(user=planning)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert counts == {"reports_overdue": 3}
    assert len(queries.inbox(user=planning).reports_overdue) == 3
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        statement, parameters = seen[-1]
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plan = "\n".join(row[3] for row in rows)
        assert "SCAN delegation" not in plan and "ix_delegation_inbox_report" in plan, plan


# --- The aid inbox: alerts as rows, badges that say when a list is cut ---------------------

AID_INBOX = "/vien-tro/viec-can-xu-ly"


def badge(page: str, key: str) -> str:
    card = page.split(f'data-testid="alert-{key}"')[1]
    return card.split('<span class="badge')[1].split(">", 1)[1].split("</span>")[0]


def test_aid_alert_badges_say_when_a_list_is_cut(app, login, make_item, monkeypatch):
    make_items(make_item, "AB", 8)  # two approved not started, two running without reports
    web = login("planning.officer")
    page = web.get(AID_INBOX).get_data(as_text=True)
    assert badge(page, "not_started") == "2" and badge(page, "reports_overdue") == "2"
    for limit, shown in ((2, "2"), (1, "1+")):  # at the limit it is whole; past it, cut
        monkeypatch.setattr(aid_services, "alerts", lambda today, n=limit: alerts(today, n))
        page = web.get(AID_INBOX).get_data(as_text=True)
        assert badge(page, "not_started") == badge(page, "reports_overdue") == shown
        assert badge(page, "delayed") == "0"
    with app.app_context():
        cut = alerts(today_vn(), 1)
        assert cut["not_started"].more and len(cut["not_started"]) == 1
        assert not alerts(today_vn(), 2)["not_started"].more


def test_aid_alerts_export_rows_name_the_donor_and_status(login, make_item):
    make_items(make_item, "AX", 4)
    rows = csv_rows(login("planning.officer").get(f"{AID_INBOX}/xuat.csv"))
    header = rows[0]
    alerts_rows = [r for r in rows[1:] if r[0] == "Cảnh báo"]
    found = {r[header.index("Mã khoản viện trợ")]: r for r in alerts_rows}
    assert set(found) == {"AX-2", "AX-3"}  # approved not started; running without reports
    line = found["AX-2"]
    assert line[1].startswith("Đã phê duyệt quá 6 tháng chưa triển khai")
    assert "Organisation D-AX-2" in line and AidStatus.DA_PHE_DUYET.label in line


def test_aid_alert_lists_are_ordered_to_the_id(app, db, make_item):
    """Among items of the same date the id decides, so a list cut at its limit always
    keeps the same rows (and says "+" about the same others)."""
    make_items(make_item, "AO", 4)
    revision_cache.clear()
    with app.app_context():
        statements = selects(db, lambda: alerts(today_vn()))
    kept = [s for s in statements if s.lstrip().startswith("SELECT aid_item.id \nFROM aid_item")]
    assert len(kept) == 4  # not started, delayed, over-disbursed, closing candidates
    for statement in kept:
        order = " ".join(statement.split("ORDER BY")[1].split())
        assert re.match(r".*aid_item\.id( LIMIT .*)?$", order), order
