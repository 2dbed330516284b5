"""plan periodic report: reports by period, asked agencies, contributions, steps (issue 13)

Revision ID: e8a0c2d4f6b9
Revises: d7f9b1c3e5a8
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8a0c2d4f6b9"
down_revision = "d7f9b1c3e5a8"
branch_labels = None
depends_on = None

# The vocabularies of app/planreport/states.py at this revision.
STATUSES = ("soan_thao", "thu_thap", "hoan_tat")
PERIOD_KINDS = ("nua_nam", "nam")


def _index(table: str, *columns: str, unique: bool = False) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "plan_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "period_kind",
            sa.Enum(*PERIOD_KINDS, name="periodkind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("half", sa.Integer(), nullable=True),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="planreportstatus", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("consolidated", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalized_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_plan_report_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["finalized_by_id"], ["user.id"], name=op.f("fk_plan_report_finalized_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_report")),
        sa.UniqueConstraint("period_key", name=op.f("uq_plan_report_period_key")),
    )
    _index("plan_report", "status", "year")

    op.create_table(
        "plan_report_agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_plan_report_agency_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["plan_report.id"],
            name=op.f("fk_plan_report_agency_report_id_plan_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_report_agency")),
        sa.UniqueConstraint("report_id", "agency_id", name=op.f("uq_plan_report_agency_report_id")),
    )
    _index("plan_report_agency", "agency_id", "report_id")

    op.create_table(
        "plan_contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_plan_contribution_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["plan_report.id"],
            name=op.f("fk_plan_contribution_report_id_plan_report"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user.id"],
            name=op.f("fk_plan_contribution_submitted_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_contribution")),
        sa.UniqueConstraint(
            "report_id", "agency_id", "item_no", name=op.f("uq_plan_contribution_report_id")
        ),
    )
    _index("plan_contribution", "agency_id", "report_id")

    op.create_table(
        "plan_report_step",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["plan_report.id"],
            name=op.f("fk_plan_report_step_report_id_plan_report"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_plan_report_step_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_report_step")),
    )
    _index("plan_report_step", "report_id")


def downgrade():
    for table, columns in (
        ("plan_report_step", ("report_id",)),
        ("plan_contribution", ("agency_id", "report_id")),
        ("plan_report_agency", ("agency_id", "report_id")),
        ("plan_report", ("status", "year")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
