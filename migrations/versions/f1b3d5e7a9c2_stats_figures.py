"""statistics computed once for every process: the stats_figures table (issue 15)

Revision ID: f1b3d5e7a9c2
Revises: e0b2c4d6f8a9
Create Date: 2026-12-04 17:00:00.000000

app.stats.shared keeps the figures one process computed (signed, under the revisions of
the tables they read) so the other workers, the other app server and a restarted one read
them instead of computing them again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1b3d5e7a9c2"
down_revision = "e0b2c4d6f8a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stats_figures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stats_figures")),
    )
    op.create_index(
        op.f("ix_stats_figures_created_at"), "stats_figures", ["created_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_stats_figures_created_at"), table_name="stats_figures")
    op.drop_table("stats_figures")
