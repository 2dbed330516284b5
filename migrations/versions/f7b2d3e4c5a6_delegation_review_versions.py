"""delegations: opinions given on an earlier version, archived members with a reason (issue 12)

Revision ID: f7b2d3e4c5a6
Revises: e6a1c2d3b4f5
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f7b2d3e4c5a6"
down_revision = "e6a1c2d3b4f5"
branch_labels = None
depends_on = None


# Existing rows start at revision 0 and their reviews and permits on revision 0: what was
# reviewed before this migration counts as reviewed on the current content.
REVISIONED = ("delegation", "delegation_review", "border_permit")


def _column(table: str) -> sa.Column:
    name = "revision" if table == "delegation" else "given_on_revision"
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def upgrade():
    for table in REVISIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_column(table))
    op.create_table(
        "delegation_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("masked_text", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user.id"], name=op.f("fk_delegation_change_changed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_delegation_change_delegation_id_delegation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_change")),
    )
    with op.batch_alter_table("delegation_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delegation_change_delegation_revision", ["delegation_id", "revision"], unique=False
        )


def downgrade():
    with op.batch_alter_table("delegation_change", schema=None) as batch_op:
        batch_op.drop_index("ix_delegation_change_delegation_revision")
    op.drop_table("delegation_change")
    # Plain columns: ALTER TABLE ... DROP COLUMN on both databases (SQLite >= 3.35), so
    # SQLite never copies delegation, which other tables reference (a copy fails on their
    # foreign keys once a delegation has members).
    for table in reversed(REVISIONED):
        op.drop_column(table, _column(table).name)
