"""text search indexes: SQLite FTS5 trigram and PostgreSQL pg_trgm (issue 15) (placeholder: filled by the work that adds them)

Revision ID: d3a5c7e9f1b2
Revises: c2e4a6b8d0f1
Create Date: 2026-12-03 16:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "d3a5c7e9f1b2"
down_revision = "c2e4a6b8d0f1"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
