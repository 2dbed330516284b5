"""statistics: first view after a change (issue 15)

Revision ID: d9a1b3c5e7f8
Revises: c8f0a2b4d6e7
Create Date: 2026-12-03 23:00:00.000000

ix_disbursement_correction: a partial index of the corrections only (disbursements recorded
after the item's completion), so the year page's notes count them without reading the
year's disbursement rows for their flag (declared with Disbursement in app/aid/models.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d9a1b3c5e7f8"
down_revision = "c8f0a2b4d6e7"
branch_labels = None
depends_on = None

COLUMNS = ["disbursed_on", "archived_at", "aid_item_id", "value_vnd"]


def upgrade():
    op.create_index(
        "ix_disbursement_correction",
        "disbursement",
        COLUMNS,
        sqlite_where=sa.text("is_correction = 1"),
        postgresql_where=sa.text("is_correction"),
    )


def downgrade():
    op.drop_index("ix_disbursement_correction", table_name="disbursement")
