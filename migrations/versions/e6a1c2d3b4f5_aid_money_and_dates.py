"""aid items: planned and actual dates, over-disbursement and corrections with a reason,
planned disbursements (issue 12)

Revision ID: e6a1c2d3b4f5
Revises: d5f3b0e9a2c4
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6a1c2d3b4f5"
down_revision = "d5f3b0e9a2c4"
branch_labels = None
depends_on = None


# Started (or later) items: their start_on was overwritten by the "start" step, so it is
# also the actual start; completed items' end_on becomes their actual end as well.
STARTED = ("dang_thuc_hien", "tam_dung", "hoan_thanh")
COMPLETED = ("hoan_thanh",)


def upgrade():
    with op.batch_alter_table("aid_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actual_start_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("actual_end_on", sa.Date(), nullable=True))

    # The server defaults stay (false): dropping them would copy the disbursement table on
    # SQLite; the models give the value on every insert anyway.
    with op.batch_alter_table("disbursement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("over_approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("is_correction", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))

    op.create_table(
        "planned_disbursement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aid_item_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["aid_item_id"],
            ["aid_item.id"],
            name=op.f("fk_planned_disbursement_aid_item_id_aid_item"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_planned_disbursement_recorded_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_disbursement")),
    )
    op.create_index(
        op.f("ix_planned_disbursement_aid_item_id"),
        "planned_disbursement",
        ["aid_item_id"],
        unique=False,
    )

    # Existing rows: start_on / end_on stay the planned dates; the actual ones are copied
    # for the items already started or completed.
    item = sa.table(
        "aid_item",
        sa.column("status", sa.String),
        sa.column("start_on", sa.Date),
        sa.column("end_on", sa.Date),
        sa.column("actual_start_on", sa.Date),
        sa.column("actual_end_on", sa.Date),
    )
    op.execute(
        item.update().where(item.c.status.in_(STARTED)).values(actual_start_on=item.c.start_on)
    )
    op.execute(
        item.update().where(item.c.status.in_(COMPLETED)).values(actual_end_on=item.c.end_on)
    )


def downgrade():
    # The actual start was what start_on held before this revision.
    item = sa.table(
        "aid_item",
        sa.column("start_on", sa.Date),
        sa.column("actual_start_on", sa.Date),
    )
    op.execute(
        item.update()
        .where(item.c.actual_start_on.is_not(None))
        .values(start_on=item.c.actual_start_on)
    )
    op.drop_index(op.f("ix_planned_disbursement_aid_item_id"), table_name="planned_disbursement")
    op.drop_table("planned_disbursement")
    # Plain columns without constraints: ALTER TABLE ... DROP COLUMN on both databases
    # (SQLite >= 3.35), so SQLite never copies aid_item, which other tables reference.
    for table, column in (
        ("disbursement", "reason"),
        ("disbursement", "is_correction"),
        ("disbursement", "over_approved"),
        ("aid_item", "actual_end_on"),
        ("aid_item", "actual_start_on"),
    ):
        op.drop_column(table, column)
