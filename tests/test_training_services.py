"""Training courses and their trainees: the services' rules, permissions, versions, audit."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.core.errors import DomainError, FieldError, PermissionDenied, StaleObjectError
from app.core.models import AuditEntry
from app.training import queries, services
from app.training.models import TrainingAttendance, TrainingCourse
from app.training.states import TrainingAudit
from tests.training_helpers import agency, course_data, internal_affairs_officer


@pytest.fixture
def manager(user):
    return user("foreign_affairs.officer")


def audit_actions(db, course):
    rows = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "training_course", AuditEntry.object_id == str(course.id))
        .order_by(AuditEntry.id)
    ).all()
    return list(rows)


def course_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(TrainingCourse.id)))


def test_create_course_cleans_and_audits(app_ctx, db, manager):
    course = services.create_course(
        course_data(topics=["doi_ngoai_nhan_dan", "le_tan"]), user=manager
    )
    db.session.commit()
    assert course.code == "DT-2026-01"
    assert course.topics == ["le_tan", "doi_ngoai_nhan_dan"]  # vocabulary order
    assert course.cost_vnd == 25_000_000
    assert course.search_text.startswith("dt-2026-01 boi duong")
    assert audit_actions(db, course) == [TrainingAudit.CREATE]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == TrainingAudit.CREATE)
    )
    assert entry.changes["topics"] == [[], ["le_tan", "doi_ngoai_nhan_dan"]]


def test_internal_affairs_officer_and_admin_may_manage(app_ctx, db, user):
    officer = internal_affairs_officer(db)
    services.create_course(course_data(code="A1"), user=officer)
    services.create_course(course_data(code="A2"), user=user("admin"))
    assert course_count(db) == 2


@pytest.mark.parametrize(
    "username",
    ["police.officer", "planning.officer", "foreign_affairs.viewer", "leadership.officer"],
)
def test_others_may_not_manage(app_ctx, db, user, username):
    with pytest.raises(PermissionDenied):
        services.create_course(course_data(), user=user(username))
    assert course_count(db) == 0


def test_every_broken_rule_is_reported_at_once(app_ctx, db, manager):
    data = course_data(
        code="",
        title=" ",
        end_on=date(2026, 3, 1),
        organiser_text="",
        topics=[],
        cost_vnd=-5,
    )
    with pytest.raises(FieldError) as caught:
        services.create_course(data, user=manager)
    errors = caught.value.errors
    assert set(errors) == {"code", "title", "end_on", "organiser_agency_id", "topics", "cost_vnd"}
    assert errors["end_on"] == "Ngày kết thúc không được trước ngày bắt đầu."
    assert course_count(db) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"topics": ["le_tan", "bogus"]}, "topics", "Chủ đề không hợp lệ: bogus."),
        ({"cost_vnd": 1.5}, "cost_vnd", "Kinh phí tính bằng đồng, không có phần lẻ."),
        ({"organiser_agency_id": 999_999}, "organiser_agency_id", "Cơ quan tổ chức không có"),
        ({"code": "DT 01"}, "code", "Chỉ dùng chữ cái không dấu"),
        ({"place": "x" * 301}, "place", "Không được dài quá 300 ký tự."),
    ],
)
def test_field_rules(app_ctx, db, manager, changes, field, message):
    with pytest.raises(FieldError) as caught:
        services.create_course(course_data(**changes), user=manager)
    assert caught.value.errors[field].startswith(message)


def test_organiser_agency_alone_is_enough(app_ctx, db, manager):
    snv = agency(db, "SNV")
    course = services.create_course(
        course_data(organiser_agency_id=snv.id, organiser_text=""), user=manager
    )
    assert course.organiser_display == snv.name


def test_duplicate_code_is_refused(app_ctx, db, manager):
    services.create_course(course_data(), user=manager)
    with pytest.raises(FieldError) as caught:
        services.create_course(course_data(code=" DT-2026-01 "), user=manager)
    assert caught.value.field == "code"


def test_update_needs_the_current_version_and_audits_the_diff(app_ctx, db, manager):
    course = services.create_course(course_data(), user=manager)
    db.session.commit()
    version = course.version
    with pytest.raises(StaleObjectError):
        services.update_course(course, course_data(title="Khác"), user=manager, version=version - 1)
    with pytest.raises(StaleObjectError):
        services.update_course(course, course_data(title="Khác"), user=manager, version=None)
    services.update_course(
        course, course_data(topics=["ngoai_ngu"], cost_vnd=None), user=manager, version=version
    )
    db.session.commit()
    assert course.topics == ["ngoai_ngu"]
    assert course.cost_vnd is None
    assert course.version == version + 1
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == TrainingAudit.UPDATE)
    ).one()
    assert entry.changes["topics"] == [["le_tan", "doi_ngoai_nhan_dan"], ["ngoai_ngu"]]
    assert entry.changes["cost_vnd"] == ["25000000", None]


def test_a_topics_only_change_bumps_the_version(app_ctx, db, manager):
    course = services.create_course(course_data(), user=manager)
    db.session.commit()
    services.update_course(
        course, course_data(topics=["khac"]), user=manager, version=course.version
    )
    db.session.commit()
    assert course.version == 2


def test_archive_needs_a_reason_and_blocks_edits_until_restored(app_ctx, db, manager):
    course = services.create_course(course_data(), user=manager)
    db.session.commit()
    with pytest.raises(FieldError):
        services.archive_course(course, " ", user=manager)
    services.archive_course(course, "Nhập trùng", user=manager, version=course.version)
    db.session.commit()
    assert course.is_archived and course.archive_reason == "Nhập trùng"
    with pytest.raises(DomainError):
        services.update_course(course, course_data(), user=manager, version=course.version)
    with pytest.raises(DomainError):
        services.add_attendance(
            course, {"agency_id": agency(db, "CAT").id, "trainee_count": 2}, user=manager
        )
    services.restore_course(course, user=manager, version=course.version)
    assert not course.is_archived
    assert audit_actions(db, course) == [
        TrainingAudit.CREATE,
        TrainingAudit.ARCHIVE,
        TrainingAudit.RESTORE,
    ]


# --- Trainees by agency ----------------------------------------------------------------


@pytest.fixture
def course(app_ctx, db, manager):
    course = services.create_course(course_data(), user=manager)
    db.session.commit()
    return course


def test_add_attendance_counts_and_names(db, course, manager):
    cat = agency(db, "CAT")
    row = services.add_attendance(
        course,
        {"agency_id": cat.id, "trainee_count": 3, "names": " Nguyễn Văn A \n\n Trần Thị B "},
        user=manager,
    )
    db.session.commit()
    assert row.names == "Nguyễn Văn A\nTrần Thị B"
    assert row.name_list == ["Nguyễn Văn A", "Trần Thị B"]
    assert services.trainees_total(course.id) == 3
    assert audit_actions(db, course)[-1] == TrainingAudit.ATTENDANCE_ADD


def test_more_names_than_trainees_is_refused_in_vietnamese(db, course, manager):
    with pytest.raises(FieldError) as caught:
        services.add_attendance(
            course,
            {"agency_id": agency(db, "CAT").id, "trainee_count": 1, "names": "A\nB"},
            user=manager,
        )
    assert caught.value.errors["names"].startswith("Đã ghi 2 họ tên nhưng số học viên chỉ là 1")
    assert db.session.scalar(sa.select(sa.func.count(TrainingAttendance.id))) == 0


@pytest.mark.parametrize("count", [0, -1, None])
def test_trainee_count_must_be_at_least_one(db, course, manager, count):
    with pytest.raises(FieldError) as caught:
        services.add_attendance(
            course, {"agency_id": agency(db, "CAT").id, "trainee_count": count}, user=manager
        )
    assert "trainee_count" in caught.value.errors


def test_one_live_row_per_agency_and_removed_rows_stay_as_history(db, course, manager):
    cat = agency(db, "CAT")
    row = services.add_attendance(course, {"agency_id": cat.id, "trainee_count": 2}, user=manager)
    db.session.commit()
    with pytest.raises(FieldError) as caught:
        services.add_attendance(course, {"agency_id": cat.id, "trainee_count": 4}, user=manager)
    assert caught.value.field == "agency_id"
    with pytest.raises(FieldError):
        services.archive_attendance(row, "", user=manager)
    services.archive_attendance(row, "Ghi nhầm cơ quan", user=manager, version=row.version)
    db.session.commit()
    assert services.trainees_total(course.id) == 0
    assert queries.attendance_rows(course.id) == []
    assert queries.attendance_rows(course.id, archived=True) == [row]
    again = services.add_attendance(course, {"agency_id": cat.id, "trainee_count": 4}, user=manager)
    db.session.commit()
    assert again.id != row.id and row.is_archived and row.trainee_count == 2
    assert services.trainees_total(course.id) == 4
    # The database keeps one live row per course and agency, whatever the service does.
    db.session.add(TrainingAttendance(course_id=course.id, agency_id=cat.id, trainee_count=1))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_merging_agencies_folds_and_moves_their_trainees(db, course, manager):
    from app.auth.services import merge_agencies

    cat, snv, bdbp = agency(db, "CAT"), agency(db, "SNV"), agency(db, "BĐBP")
    other = services.create_course(course_data(code="DT-2"), user=manager)
    both_source = services.add_attendance(
        course, {"agency_id": snv.id, "trainee_count": 2, "names": "A"}, user=manager
    )
    both_target = services.add_attendance(
        course, {"agency_id": cat.id, "trainee_count": 3, "names": "B"}, user=manager
    )
    only_source = services.add_attendance(
        other, {"agency_id": snv.id, "trainee_count": 5}, user=manager
    )
    removed = services.add_attendance(
        course, {"agency_id": bdbp.id, "trainee_count": 1}, user=manager
    )
    services.archive_attendance(removed, "nhầm", user=manager)
    db.session.commit()
    moved = merge_agencies(snv, cat, user=manager)
    db.session.commit()
    assert moved["training_attendance.folded"] == 1
    assert moved["training_attendance.agency_id"] == 2  # the folded row and the other course's
    assert (both_target.trainee_count, both_target.names) == (5, "B\nA")
    assert both_source.is_archived and both_source.agency_id == cat.id
    assert only_source.agency_id == cat.id and not only_source.is_archived
    assert services.trainees_total(course.id) == 5 + 0  # bdbp's row was removed before
    assert services.trainees_total(other.id) == 5
    assert TrainingAudit.ATTENDANCE_MERGE in audit_actions(db, course)


def test_update_attendance_checks_version_and_names(db, course, manager, user):
    row = services.add_attendance(
        course, {"agency_id": agency(db, "CAT").id, "trainee_count": 2}, user=manager
    )
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.update_attendance(
            row, {"trainee_count": 3}, user=user("police.officer"), version=row.version
        )
    with pytest.raises(StaleObjectError):
        services.update_attendance(row, {"trainee_count": 3}, user=manager, version=row.version + 1)
    with pytest.raises(FieldError):
        services.update_attendance(
            row, {"trainee_count": 1, "names": "A\nB"}, user=manager, version=row.version
        )
    services.update_attendance(
        row, {"trainee_count": 3, "names": "A\nB"}, user=manager, version=row.version
    )
    db.session.commit()
    assert (row.trainee_count, row.names) == (3, "A\nB")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == TrainingAudit.ATTENDANCE_UPDATE)
    ).one()
    assert entry.changes["trainee_count"] == [2, 3]


def test_list_filters_year_topic_organiser_and_search(app_ctx, db, manager):
    snv = agency(db, "SNV")
    services.create_course(course_data(code="A", title="Lễ tân Đắk Tô"), user=manager)
    services.create_course(
        course_data(
            code="B",
            title="Ngoại ngữ",
            topics=["ngoai_ngu"],
            start_on=date(2025, 5, 1),
            end_on=date(2025, 5, 2),
            organiser_agency_id=snv.id,
        ),
        user=manager,
    )
    archived = services.create_course(course_data(code="C"), user=manager)
    services.archive_course(archived, "trùng", user=manager)

    def codes(**args):
        filters = queries.CourseFilters.from_args(args)
        return sorted(c.code for c in db.session.scalars(queries.courses_query(filters)))

    assert codes() == ["A", "B"]
    assert codes(archived="1") == ["A", "B", "C"]
    assert codes(year="2025") == ["B"]
    assert codes(topic="le_tan") == ["A"]
    assert codes(topic="bogus") == ["A", "B"]  # an unknown value is dropped, not an error
    assert codes(organiser=str(snv.id)) == ["B"]
    assert codes(q="dak to") == ["A"]
    assert codes(q="LE TAN dak") == ["A"]


# --- The migration ------------------------------------------------------------------------


def test_migration_creates_the_tables_and_downgrades_cleanly(tmp_root):
    """b5d7f9a1c3e6 up, a course with a topic and a trainee row, down, up again."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import _test_database_url, reset_database

    url = _test_database_url(tmp_root, "_mig_training")
    reset_database(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    tables = ("training_course", "training_course_topic", "training_attendance")
    with app.app_context():
        upgrade(revision="b5d7f9a1c3e6")
        now = "2026-01-01"
        _db.session.execute(
            sa.text(
                "INSERT INTO agency (id, name, kind, active, created_at, updated_at, version) "
                "VALUES (1, 'A', 'other', :t, :now, :now, 1)"
            ),
            {"t": True, "now": now},
        )
        _db.session.execute(
            sa.text(
                "INSERT INTO training_course (id, code, title, search_text, start_on, end_on, "
                "cost_vnd, version, created_at, updated_at) VALUES (1, 'C', 'T', 'c t', "
                ":day, :day, 1000, 1, :now, :now)"
            ),
            {"day": date(2026, 3, 1), "now": now},
        )
        _db.session.execute(
            sa.text("INSERT INTO training_course_topic (course_id, topic) VALUES (1, 'le_tan')")
        )
        _db.session.execute(
            sa.text(
                "INSERT INTO training_attendance (course_id, agency_id, trainee_count, version, "
                "created_at, updated_at) VALUES (1, 1, 2, 1, :now, :now)"
            ),
            {"now": now},
        )
        _db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):  # end before start
            _db.session.execute(
                sa.text(
                    "INSERT INTO training_course (code, title, search_text, start_on, end_on, "
                    "version, created_at, updated_at) VALUES ('D', 'T', '', :start, :end, 1, "
                    ":now, :now)"
                ),
                {"start": date(2026, 3, 2), "end": date(2026, 3, 1), "now": now},
            )
        _db.session.rollback()
        downgrade(revision="a4c6e8f0b2d5")
        names = set(sa.inspect(_db.engine).get_table_names())
        assert not names & set(tables) and "agency" in names
        upgrade(revision="b5d7f9a1c3e6")
        assert set(tables) <= set(sa.inspect(_db.engine).get_table_names())
        _db.session.remove()
        _db.engine.dispose()
