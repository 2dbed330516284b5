"""people-to-people diplomacy budget: yearly lines (proposal, allocation, finance's check),
their workflow steps and spending entries (issue 13, part 3)

Revision ID: c6e8a0b2d4f7
Revises: b5d7f9a1c3e6
Create Date: 2026-12-03 13:30:00.000000

A line belongs to exactly one owner, an agency or an association (check constraint), and
an owner has one live line per year (partial unique indexes, archived lines kept beside
it). A spending entry is positive whole đồng and links to at most one association
activity, training course or delegation (tables created earlier in the chain).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c6e8a0b2d4f7"
down_revision = "b5d7f9a1c3e6"
branch_labels = None
depends_on = None

# The coded values (app/budget/states.py) at this revision.
STATUSES = ("de_xuat", "yeu_cau_sua", "da_phan_bo", "da_kiem_tra")
VERDICTS = ("dung_muc_dich", "can_giai_trinh", "khong_dung_muc_dich")
LIVE = sa.text("archived_at IS NULL")


def _common():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
    ]


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="budgetstatus", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("proposed_vnd", sa.BigInteger(), nullable=False),
        sa.Column("proposal_note", sa.Text(), nullable=True),
        sa.Column("allocated_vnd", sa.BigInteger(), nullable=True),
        sa.Column("allocation_number", sa.String(length=60), nullable=True),
        sa.Column("allocation_date", sa.Date(), nullable=True),
        sa.Column(
            "verdict",
            sa.Enum(*VERDICTS, name="verdict", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("finance_remarks", sa.Text(), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_common(),
        sa.CheckConstraint(
            "(agency_id IS NULL) <> (association_id IS NULL)",
            name=op.f("ck_budget_line_one_owner"),
        ),
        sa.CheckConstraint("proposed_vnd >= 0", name=op.f("ck_budget_line_proposed_not_negative")),
        sa.CheckConstraint(
            "allocated_vnd IS NULL OR allocated_vnd >= 0",
            name=op.f("ck_budget_line_allocated_not_negative"),
        ),
        _fk("budget_line", "agency_id", "agency"),
        _fk("budget_line", "association_id", "association"),
        _fk("budget_line", "checked_by_id", "user"),
        _fk("budget_line", "created_by_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        for column in ("year", "agency_id", "association_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_budget_line_{column}"), [column], unique=False)
        batch_op.create_index(
            "uq_budget_line_year_agency",
            ["year", "agency_id"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.create_index(
            "uq_budget_line_year_association",
            ["year", "association_id"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )

    op.create_table(
        "budget_line_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("budget_line_id", sa.Integer(), nullable=False),
        _fk("budget_line_step", "budget_line_id", "budget_line"),
        _fk("budget_line_step", "user_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line_step")),
    )
    with op.batch_alter_table("budget_line_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_line_step_budget_line_id"), ["budget_line_id"], unique=False
        )

    op.create_table(
        "budget_spending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("association_activity_id", sa.Integer(), nullable=True),
        sa.Column("training_course_id", sa.Integer(), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.Column("over_allocation", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        *_common(),
        sa.CheckConstraint("amount_vnd > 0", name=op.f("ck_budget_spending_amount_positive")),
        sa.CheckConstraint(
            "(CASE WHEN association_activity_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN training_course_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN delegation_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_budget_spending_one_link"),
        ),
        _fk("budget_spending", "line_id", "budget_line"),
        _fk("budget_spending", "association_activity_id", "association_activity"),
        _fk("budget_spending", "training_course_id", "training_course"),
        _fk("budget_spending", "delegation_id", "delegation"),
        _fk("budget_spending", "recorded_by_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_spending")),
    )
    with op.batch_alter_table("budget_spending", schema=None) as batch_op:
        for column in (
            "line_id",
            "spent_on",
            "association_activity_id",
            "training_course_id",
            "delegation_id",
        ):
            batch_op.create_index(
                batch_op.f(f"ix_budget_spending_{column}"), [column], unique=False
            )
        batch_op.create_index(
            "ix_budget_spending_line_totals",
            ["line_id", "archived_at", "spent_on"],
            unique=False,
        )


def downgrade():
    op.drop_table("budget_spending")
    op.drop_table("budget_line_step")
    op.drop_table("budget_line")
