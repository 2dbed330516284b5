"""Notifications (issue 14): made from the audited events of the domains (one per agency
concerned), read/unread per user, the daily deadline pass (idempotent) and the e-mail
digest with mail off and on (a fake SMTP server)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.aid import services as aid
from app.aid.states import AidStatus
from app.auth.models import Agency
from app.core import audit
from app.core.dates import add_working_days, today_vn
from app.core.models import AuditEntry
from app.delegations import services as delegations
from app.notifications import services
from app.notifications.deadlines import run_deadlines
from app.notifications.digest import send_digests
from app.notifications.models import Notification, NotificationRead
from app.notifications.states import NotificationKind as K
from app.transfer.importer import import_workbook
from tests.fixtures.aid import agency_ids
from tests.fixtures.delegations import member
from tests.test_transfer_import import small_file

S = AidStatus


def code_of(db, agency_id) -> str:
    return db.session.get(Agency, agency_id).code


def made(db, kind=None, **where) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind.value)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return db.session.scalars(query).all()


def by_agency(db, kind, **where) -> dict[str, int]:
    """{agency code: how many notifications of this kind}."""
    found: dict[str, int] = {}
    for n in made(db, kind, **where):
        code = code_of(db, n.agency_id)
        found[code] = found.get(code, 0) + 1
    return found


# --- From the audited events -------------------------------------------------------------


def test_opinion_requested_notifies_each_agency_asked_once(app_ctx, db, make_item, user):
    item = make_item("VT-T1")
    planner = user("planning.officer")
    police = db.session.scalar(sa.select(Agency.id).where(Agency.code == "CAT"))
    aid.request_opinions(item, [police], user=planner)
    assert by_agency(db, K.OPINION_REQUESTED) == {"CAT": 1}
    notification = made(db, K.OPINION_REQUESTED)[0]
    assert notification.link == f"/vien-tro/{item.id}" and notification.record_type == "opinion"
    assert "VT-T1" in notification.title and notification.user_id is None
    # Returned, completed and asked again: a new request, a new notification.
    aid.return_dossier(item, "Thiếu bản dịch", user=planner)
    aid.resubmit(item, user=planner)
    aid.request_opinions(item, [police, *agency_ids(db, "finance")], user=planner)
    assert by_agency(db, K.OPINION_REQUESTED) == {"CAT": 2, "STC-NS": 1}


def test_dossier_returned_notifies_the_agency_that_logged_it(app_ctx, db, make_item, user):
    item = make_item("VT-T2")
    aid.return_dossier(item, "Thiếu bản dịch", user=user("planning.officer"))
    assert by_agency(db, K.DOSSIER_RETURNED) == {"STC-VT": 1}
    notification = made(db, K.DOSSIER_RETURNED)[0]
    assert "Thiếu bản dịch" in notification.title and "VT-T2" in notification.title
    # The officer who returned it has it read; a colleague of the agency does not.
    assert notification not in unread(db, user("planning.officer"))
    assert notification in unread(db, user("planning.viewer"))


def test_delegation_submitted_notifies_each_reviewing_agency_once(
    app_ctx, db, make_delegation, user
):
    delegation = make_delegation("DV-T1")
    delegations.submit_delegation(delegation, user=user("other.officer"))
    # Foreign affairs, the police and the single-focal agency holding foreign affairs.
    assert by_agency(db, K.DELEGATION_SUBMITTED) == {"SNgV": 1, "CAT": 1, "NV-VT": 1}
    assert made(db, K.DELEGATION_SUBMITTED)[0].link == f"/doan/{delegation.id}"


def test_delegation_changed_after_review_notifies_the_reviewers(app_ctx, db, make_delegation, user):
    delegation = make_delegation("DV-T2", stage="reviewed")
    before = len(made(db))
    delegations.add_member(
        delegation, member("Lee Ji-eun", passport="M7654321"), user=user("other.officer")
    )
    assert by_agency(db, K.DELEGATION_CHANGED) == {"SNgV": 1, "CAT": 1}
    assert len(made(db)) == before + 2
    # A change before any review notifies nobody.
    fresh = make_delegation("DV-T3", stage="under_review")
    delegations.add_member(fresh, member("Park", passport="M1111111"), user=user("other.officer"))
    assert len(made(db, K.DELEGATION_CHANGED)) == 2


def test_job_finished_notifies_the_user_who_started_it(app_ctx, db, user):
    admin = user("admin")
    report = import_workbook(small_file(), "so-lieu.xlsx", admin)
    assert report.ok
    jobs = made(db, K.JOB_FINISHED)
    assert len(jobs) == 1 and jobs[0].user_id == admin.id
    assert jobs[0].agency_id == admin.agency_id and "so-lieu.xlsx" in jobs[0].title
    # Only that user sees it, not the rest of the agency.
    assert jobs[0] in unread(db, admin)
    assert jobs[0] not in unread(db, user("planning.officer"))


def test_a_rolled_back_change_notifies_nobody(app, db, make_item, user):
    item = make_item("VT-T3")
    with app.app_context():
        aid.return_dossier(item, "Thiếu", user=user("planning.officer"))
        db.session.rollback()
    assert made(db, K.DOSSIER_RETURNED) == []


def test_the_listener_does_not_change_what_the_audit_log_records(app_ctx, db, make_item, user):
    item = make_item("VT-T4")
    aid.return_dossier(item, "Thiếu bản dịch", user=user("planning.officer"))
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "aid.return")
    ).all()[-1]
    assert entry.object_id == str(item.id) and "Thiếu bản dịch" in entry.summary


def test_audit_listeners_run_once_for_their_action_only(app_ctx, db):
    heard = []
    audit.listen("test.heard", heard.append)
    audit.listen("test.heard", heard.append)  # registered once
    try:
        audit.record("test.other", object_type="x", object_id=1)
        entry = audit.record("test.heard", object_type="x", object_id=2)
        audit.record_many([audit.entry_row("test.heard", "x", 3, "bulk")])
    finally:
        audit.LISTENERS.pop("test.heard")
    assert heard[0] is entry and len(heard) == 2 and heard[1].object_id == "3"


# --- Read / unread per user ----------------------------------------------------------------


def unread(db, user) -> list[Notification]:
    return db.session.scalars(
        services.notifications_query(services.NotificationFilters(unread=True), user=user)
    ).all()


def test_read_is_per_user(app_ctx, db, user):
    police, colleague = user("police.officer"), user("police.viewer")
    n = services.notify(police.agency_id, K.OPINION_REQUESTED, "Xin ý kiến VT-X")
    assert services.unread_count(police) == services.unread_count(colleague) == 1
    assert services.mark_read(n, user=police) is True
    assert services.mark_read(n, user=police) is False  # once
    assert services.unread_count(police) == 0
    assert services.unread_count(colleague) == 1 and unread(db, colleague) == [n]
    # Another agency never sees it.
    assert services.get_visible(n.id, user("foreign_affairs.officer")) is None
    assert services.unread_count(user("foreign_affairs.officer")) == 0


def test_mark_all_read_marks_only_what_the_user_sees(app_ctx, db, user):
    police, fa = user("police.officer"), user("foreign_affairs.officer")
    for i in range(3):
        services.notify(police.agency_id, K.OVERDUE, f"Quá hạn {i}")
    other = services.notify(fa.agency_id, K.OVERDUE, "Ngoại vụ")
    assert services.mark_all_read(user=police) == 3
    assert services.unread_count(police) == 0 and services.unread_count(fa) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(NotificationRead.notification_id == other.id)
        )
        == 0
    )


# --- The deadline pass ---------------------------------------------------------------------


def test_deadlines_notify_due_soon_and_overdue_once_a_day(app_ctx, db, make_item, user):
    """Opinions asked on 03/03/2025 are due 10 working days later: two working days before,
    the agencies asked hear it is due soon; after the day, overdue. Running the pass again
    (same day or later) adds nothing for the same deadline."""
    item = make_item("VT-T5", status=S.XIN_Y_KIEN)
    due = item.opinions[0].due_on
    two_before = add_working_days(due, -2)
    run_deadlines(add_working_days(two_before, -1))  # three working days before: nothing
    assert made(db, K.DUE_SOON, record_type="opinion") == []
    run_deadlines(two_before)
    assert by_agency(db, K.DUE_SOON, record_type="opinion") == {"STC-NS": 1, "CAT": 1}
    assert run_deadlines(two_before) == 0  # idempotent
    run_deadlines(add_working_days(due, -1))
    assert len(made(db, K.DUE_SOON, record_type="opinion")) == 2
    after = due + timedelta(days=1)
    run_deadlines(after)
    run_deadlines(after + timedelta(days=3))
    assert by_agency(db, K.OVERDUE, record_type="opinion") == {"STC-NS": 1, "CAT": 1}
    assert "VT-T5" in made(db, K.OVERDUE, record_type="opinion")[0].title


def test_deadlines_of_the_appraisal_reach_the_aid_focal_agencies(app_ctx, db, make_item):
    item = make_item("VT-T6")
    assert item.appraisal_due_on is not None
    run_deadlines(item.appraisal_due_on + timedelta(days=1))
    assert by_agency(db, K.OVERDUE, record_type="aid_item") == {"STC-VT": 1, "NV-VT": 1}
    run_deadlines(item.appraisal_due_on + timedelta(days=2))
    assert len(made(db, K.OVERDUE, record_type="aid_item")) == 2


def test_deadlines_skip_a_returned_dossier(app_ctx, db, make_item):
    item = make_item("VT-T7", status=S.TRA_LAI)
    run_deadlines(item.appraisal_due_on + timedelta(days=5))
    assert made(db, K.OVERDUE, record_type="aid_item") == []


def test_deadlines_of_notices_and_visit_reports(app_ctx, db, make_item, make_delegation):
    make_item("VT-T8", status=S.DA_PHE_DUYET)  # approved 25/03/2025: notices due in 2025
    run_deadlines(today_vn())
    assert by_agency(db, K.OVERDUE, record_type="aid_notice") == {"STC-VT": 3, "NV-VT": 3}
    delegation = make_delegation("DV-T4", stage="approved")
    delegation.report_due_on = today_vn() - timedelta(days=1)
    db.session.flush()
    run_deadlines(today_vn())
    assert by_agency(db, K.OVERDUE, record_type="delegation") == {"UBND Đăk Tô": 1}


def test_the_command_runs_the_pass(app, db, make_item, monkeypatch):
    item = make_item("VT-T9")
    day = (item.appraisal_due_on + timedelta(days=1)).strftime("%d/%m/%Y")
    result = app.test_cli_runner().invoke(args=["notify", "deadlines", "--date", day])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 2 thông báo" in result.output
    result = app.test_cli_runner().invoke(args=["notify", "deadlines", "--date", day])
    assert "Đã tạo 0 thông báo" in result.output


# --- The e-mail digest ---------------------------------------------------------------------


class FakeSMTP:
    """Stands in for smtplib.SMTP: records the connection and the messages."""

    sent: list = []
    connections: list = []

    def __init__(self, host, port, timeout=None):
        FakeSMTP.connections.append((host, port))
        self.logged_in = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        FakeSMTP.connections.append("starttls")

    def login(self, username, password):
        FakeSMTP.connections.append(("login", username, password))

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.sent, FakeSMTP.connections = [], []
    monkeypatch.setattr("app.notifications.digest.smtplib.SMTP", FakeSMTP)
    return FakeSMTP


def with_mail(db, user):
    police = user("police.officer")
    police.email = "canbo.ca@example.vn"
    viewer = user("police.viewer")
    viewer.email = "xem.ca@example.vn"
    services.notify(
        police.agency_id, K.OPINION_REQUESTED, "Xin ý kiến về khoản VT-M1", link="/vien-tro/1"
    )
    services.notify(user("foreign_affairs.officer").agency_id, K.OVERDUE, "Ngoại vụ")
    db.session.flush()
    return police, viewer


def test_digest_with_mail_off_prints_and_sends_nothing(app, db, user, fake_smtp):
    with app.app_context():
        _police, viewer = with_mail(db, user)
        services.mark_read(made(db, K.OPINION_REQUESTED)[0], user=viewer)
        printed = []
        count, sent = send_digests(echo=printed.append)
    assert (count, sent) == (1, False) and fake_smtp.connections == []
    text = "\n".join(printed)
    assert "canbo.ca@example.vn" in text and "Xin ý kiến về khoản VT-M1" in text
    assert "xem.ca@example.vn" not in text  # read it already


def test_digest_with_mail_on_sends_one_mail_per_user(app, db, user, fake_smtp):
    app.config.update(
        MAIL_ENABLED=True,
        MAIL_SERVER="smtp.tinh.vn",
        MAIL_PORT=587,
        MAIL_STARTTLS=True,
        MAIL_USERNAME="vientro",
        MAIL_PASSWORD="mat-khau",
        MAIL_BASE_URL="https://vientro.tinh.vn",
    )
    try:
        with app.app_context():
            with_mail(db, user)
            count, sent = send_digests()
    finally:
        app.config.update(MAIL_ENABLED=False, MAIL_STARTTLS=False, MAIL_USERNAME=None)
    assert (count, sent) == (2, True)
    assert fake_smtp.connections == [
        ("smtp.tinh.vn", 587),
        "starttls",
        ("login", "vientro", "mat-khau"),
    ]
    recipients = sorted(m["To"] for m in fake_smtp.sent)
    assert recipients == ["canbo.ca@example.vn", "xem.ca@example.vn"]
    body = fake_smtp.sent[0].get_content()
    assert "Xin ý kiến về khoản VT-M1" in body and "https://vientro.tinh.vn/vien-tro/1" in body
    assert "Ngoại vụ" not in body


def test_digest_leaves_out_older_notifications(app, db, user, fake_smtp):
    with app.app_context():
        _police, _viewer = with_mail(db, user)
        later = made(db, K.OPINION_REQUESTED)[0].created_at + timedelta(days=2)
        printed = []
        count, _sent = send_digests(now=later, echo=printed.append)
    assert count == 0 and printed == []


def test_digest_command_runs_the_deadlines_and_exits_0_with_mail_off(app, db, user, fake_smtp):
    with app.app_context():
        with_mail(db, user)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    assert "thông báo về thời hạn" in result.output
    assert "MAIL_ENABLED=0" in result.output and "canbo.ca@example.vn" in result.output
    assert fake_smtp.sent == []


def test_mail_is_off_by_default(monkeypatch):
    from app.config import load_config

    monkeypatch.delenv("MAIL_ENABLED", raising=False)
    assert load_config()["MAIL_ENABLED"] is False
    monkeypatch.setenv("MAIL_ENABLED", "1")
    assert load_config()["MAIL_ENABLED"] is True


# --- The migration -------------------------------------------------------------------------


def test_migration_creates_the_tables_and_their_indexes_and_downgrades(tmp_root):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_notifymig")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="a0c2e4f6b8d1")
        inspector = sa.inspect(_db.engine)
        assert {"notification", "notification_read"} <= set(inspector.get_table_names())
        indexes = {ix["name"] for ix in inspector.get_indexes("notification")}
        assert {"ix_notification_agency_id", "ix_notification_created_at"} <= indexes
        assert "ix_notification_agency_created" in indexes
        unique = inspector.get_unique_constraints("notification_read")
        assert [u["column_names"] for u in unique] == [["notification_id", "user_id"]]
        _db.session.remove()
        downgrade(revision="f9b1d3e5a7c0")
        tables = set(sa.inspect(_db.engine).get_table_names())
        assert not {"notification", "notification_read"} & tables
        upgrade(revision="a0c2e4f6b8d1")
        assert "notification" in sa.inspect(_db.engine).get_table_names()
        _db.session.remove()
        _db.engine.dispose()
    reset_database(url)


def test_merging_an_agency_moves_its_notifications(app_ctx, db):
    from app.auth.services import merge_agencies

    source = db.session.scalar(sa.select(Agency).where(Agency.code == "UBND Bờ Y"))
    target = db.session.scalar(sa.select(Agency).where(Agency.code == "UBND Mô Rai"))
    n = services.notify(source.id, K.OVERDUE, "Quá hạn: báo cáo kết quả đoàn DV-M")
    merge_agencies(source, target)
    db.session.refresh(n)
    assert n.agency_id == target.id
