"""attachment store: database blobs beside the local folder and S3 (issue 15)

The table of the database store (ATTACHMENT_STORE=database, app/core/stores.py): an
attachment's bytes in 1 MiB chunks by (sha256, seq). Empty unless that store is chosen.

Revision ID: a6d8f0b2c4e5
Revises: f5c7e9a1b3d4
Create Date: 2026-12-03 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a6d8f0b2c4e5"
down_revision = "f5c7e9a1b3d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "seq", name=op.f("pk_attachment_blob")),
    )


def downgrade():
    op.drop_table("attachment_blob")
