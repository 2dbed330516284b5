"""aid items: notices after a decision as tasks, the regime table (issue 12)

Revision ID: a1c3e5f7b9d2
Revises: f7b2d3e4c5a6
Create Date: 2026-12-03 11:30:00.000000

The regime table (app/aid/regimes.py) is built from the settings and needs no table. The
notices are tasks created with a decision recorded from now on: items approved or revoked
before this migration get none (their letters were sent, or not, before the registry
tracked them; docs/decisions.md).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b9d2"
down_revision = "f7b2d3e4c5a6"
branch_labels = None
depends_on = None

NOTICE_KINDS = ("nha_tai_tro", "cac_bo", "so_tai_chinh", "thong_bao_thu_hoi")


def upgrade():
    op.create_table(
        "aid_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aid_item_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*NOTICE_KINDS, name="noticekind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=300), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("document_number", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["aid_item_id"], ["aid_item.id"], name=op.f("fk_aid_notice_aid_item_id_aid_item")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_aid_notice_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user.id"], name=op.f("fk_aid_notice_done_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_notice")),
    )
    with op.batch_alter_table("aid_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aid_notice_aid_item_id"), ["aid_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aid_notice_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index("ix_aid_notice_open_due", ["done_on", "due_on"], unique=False)


def downgrade():
    with op.batch_alter_table("aid_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_aid_notice_open_due")
        batch_op.drop_index(batch_op.f("ix_aid_notice_decision_id"))
        batch_op.drop_index(batch_op.f("ix_aid_notice_aid_item_id"))
    op.drop_table("aid_notice")
