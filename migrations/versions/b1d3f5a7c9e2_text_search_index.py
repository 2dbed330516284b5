"""text search index: trigram indexes on the folded search_text columns (issue 15)

On PostgreSQL the pg_trgm extension and a GIN trigram index per column, which serve the
lists' `search_text LIKE '%word%'` (app.core.text.search_condition) without a change of
query. On SQLite an empty partial index of the same name (`WHERE 0`), so that models and
migrations agree (app.core.text.trigram_index); SQLite keeps searching by a scan.

Revision ID: b1d3f5a7c9e2
Revises: a0c2e4f6b8d1
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1d3f5a7c9e2"
down_revision = "a0c2e4f6b8d1"
branch_labels = None
depends_on = None

TABLES = ("aid_item", "delegation", "organization")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        op.create_index(
            f"ix_{table}_search_text_trgm",
            table,
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=sa.text("0"),
        )


def downgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_search_text_trgm", table_name=table)
    # The extension stays: other objects of the database may use it.
