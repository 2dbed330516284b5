"""notifications: a notification per agency (or user), read marks per user (issue 14)

Revision ID: a0c2e4f6b8d1
Revises: f9b1d3e5a7c0
Create Date: 2026-12-03 13:30:00.000000

No notifications are made for what happened before this revision (the audit log has it).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a0c2e4f6b8d1"
down_revision = "f9b1d3e5a7c0"
branch_labels = None
depends_on = None

KINDS = (
    "opinion_requested",
    "dossier_returned",
    "delegation_submitted",
    "delegation_changed",
    "due_soon",
    "overdue",
    "job_finished",
)


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="notificationkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=60), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_notification_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_notification_agency_created", ["agency_id", "created_at"], unique=False
        )
    op.create_table(
        "notification_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
            name=op.f("fk_notification_read_notification_id_notification"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_read_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_read")),
        sa.UniqueConstraint(
            "notification_id",
            "user_id",
            name=op.f("uq_notification_read_notification_id"),
        ),
    )
    with op.batch_alter_table("notification_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_read_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notification_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_read_user_id"))
    op.drop_table("notification_read")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_agency_created")
        batch_op.drop_index(batch_op.f("ix_notification_created_at"))
        batch_op.drop_index(batch_op.f("ix_notification_kind"))
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))
        batch_op.drop_index(batch_op.f("ix_notification_agency_id"))
    op.drop_table("notification")
