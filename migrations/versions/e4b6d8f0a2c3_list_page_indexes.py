"""indexes for constant-work pages and keyset pagination (issue 15)

The lists' sort columns that had no index: the aid items' name and value, the
delegations' title and the organisations' name. With one, the first page and every
keyset page ("Sau ›") read 25 rows through the index instead of sorting every row (an
index on a column also orders ties by id: SQLite's rowid; PostgreSQL's incremental sort).

Revision ID: e4b6d8f0a2c3
Revises: d3a5c7e9f1b2
Create Date: 2026-12-03 16:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b6d8f0a2c3"
down_revision = "d3a5c7e9f1b2"
branch_labels = None
depends_on = None

INDEXES = (
    ("aid_item", "name"),
    ("aid_item", "value_vnd"),
    ("delegation", "title"),
    ("organization", "name"),
)


def upgrade():
    for table, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
