"""inbox indexes: a partial index per delegation box (issue 15)

Revision ID: e0b2c4d6f8a9
Revises: d9a1b3c5e7f8
Create Date: 2026-12-03 23:00:00.000000

The delegation inbox's boxes (and the home page's counts of them) read their page and
count from ix_delegation_inbox_start/report/end/border, declared in
app/delegations/models.py. The search needed no schema change (the file name keeps the
session's placeholder name).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e0b2c4d6f8a9"
down_revision = "d9a1b3c5e7f8"
branch_labels = None
depends_on = None

# --- The delegations inbox's boxes and alerts (app/delegations/models.py
# INBOX_INDEXES, a copy: a migration does not import the models) ---------------------------
INBOX_LIVE = sa.text("archived_at IS NULL")
INBOX_INDEXES = {
    "ix_delegation_inbox_start": ("status", "start_on", "id"),
    "ix_delegation_inbox_report": ("status", "report_due_on", "id"),
    "ix_delegation_inbox_end": ("status", "end_on"),
    "ix_delegation_inbox_border": ("is_border_area", "start_on", "id"),
}


def inbox_upgrade():
    for name, columns in INBOX_INDEXES.items():
        op.create_index(
            name,
            "delegation",
            list(columns),
            sqlite_where=INBOX_LIVE,
            postgresql_where=INBOX_LIVE,
        )


def inbox_downgrade():
    for name in INBOX_INDEXES:
        op.drop_index(name, table_name="delegation")


# --- end of the inbox helper's block --------------------------------------------------------


def upgrade():
    inbox_upgrade()  # inbox helper


def downgrade():
    inbox_downgrade()  # inbox helper
