"""an item's disbursements covered by one index (issue 15)

Revision ID: c8f0a2b4d6e7
Revises: b7e9a1c3d5f6
Create Date: 2026-12-03 21:00:00.000000

ix_disbursement_item_money (aid_item_id, disbursed_on, archived_at, currency, amount,
value_vnd) lets the over-disbursed rule sum an item's live disbursements up to a day from
the index alone; it begins with aid_item_id, so it replaces ix_disbursement_aid_item_id.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c8f0a2b4d6e7"
down_revision = "b7e9a1c3d5f6"
branch_labels = None
depends_on = None

COLUMNS = ["aid_item_id", "disbursed_on", "archived_at", "currency", "amount", "value_vnd"]


def upgrade():
    op.create_index("ix_disbursement_item_money", "disbursement", COLUMNS)
    op.drop_index("ix_disbursement_aid_item_id", table_name="disbursement")


def downgrade():
    op.create_index("ix_disbursement_aid_item_id", "disbursement", ["aid_item_id"])
    op.drop_index("ix_disbursement_item_money", table_name="disbursement")
