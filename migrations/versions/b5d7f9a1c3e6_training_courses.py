"""training courses, their topics and their trainees by agency (issue 13)

Revision ID: b5d7f9a1c3e6
Revises: a4c6e8f0b2d5
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d7f9a1c3e6"
down_revision = "a4c6e8f0b2d5"
branch_labels = None
depends_on = None

# The topics' vocabulary (app/training/states.py TrainingTopic) at this revision.
TOPICS = ("le_tan", "doi_ngoai_nhan_dan", "vien_tro_pcpnn", "doan_ra_vao", "ngoai_ngu", "khac")


def _stamps():
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "training_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("search_text", sa.String(length=1000), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("organiser_agency_id", sa.Integer(), nullable=True),
        sa.Column("organiser_text", sa.String(length=300), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("cost_vnd", sa.Numeric(precision=18, scale=0), nullable=True),
        sa.Column("funding_source", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("end_on >= start_on", name=op.f("ck_training_course_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["organiser_agency_id"],
            ["agency.id"],
            name=op.f("fk_training_course_organiser_agency_id_agency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course")),
        sa.UniqueConstraint("code", name=op.f("uq_training_course_code")),
    )
    with op.batch_alter_table("training_course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_course_organiser_agency_id"),
            ["organiser_agency_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_training_course_search_text"), ["search_text"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_training_course_start_on"), ["start_on"], unique=False)

    op.create_table(
        "training_course_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(*TOPICS, name="trainingtopic", native_enum=False, length=30),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_course_topic_course_id_training_course"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course_topic")),
        sa.UniqueConstraint("course_id", "topic", name=op.f("uq_training_course_topic_course_id")),
    )
    with op.batch_alter_table("training_course_topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_course_topic_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_training_course_topic_topic"), ["topic"], unique=False)

    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("trainee_count", sa.Integer(), nullable=False),
        sa.Column("names", sa.Text(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "trainee_count >= 1", name=op.f("ck_training_attendance_trainee_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_training_attendance_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_attendance_course_id_training_course"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance")),
    )
    with op.batch_alter_table("training_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_attendance_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_attendance_course_id"), ["course_id"], unique=False
        )
        # One live row per course and agency (archived rows are history).
        batch_op.create_index(
            "uq_training_attendance_live",
            ["course_id", "agency_id"],
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("training_attendance", schema=None) as batch_op:
        batch_op.drop_index("uq_training_attendance_live")
        batch_op.drop_index(batch_op.f("ix_training_attendance_course_id"))
        batch_op.drop_index(batch_op.f("ix_training_attendance_agency_id"))
    op.drop_table("training_attendance")

    with op.batch_alter_table("training_course_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_course_topic_topic"))
        batch_op.drop_index(batch_op.f("ix_training_course_topic_course_id"))
    op.drop_table("training_course_topic")

    with op.batch_alter_table("training_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_course_start_on"))
        batch_op.drop_index(batch_op.f("ix_training_course_search_text"))
        batch_op.drop_index(batch_op.f("ix_training_course_organiser_agency_id"))
    op.drop_table("training_course")
