"""text search index (placeholder: filled by the work that adds these tables)

Revision ID: b1d3f5a7c9e2
Revises: a0c2e4f6b8d1
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "b1d3f5a7c9e2"
down_revision = "a0c2e4f6b8d1"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
