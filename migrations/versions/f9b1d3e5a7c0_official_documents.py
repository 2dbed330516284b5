"""official documents (placeholder: filled by the work that adds these tables)

Revision ID: f9b1d3e5a7c0
Revises: e8a0c2d4f6b9
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "f9b1d3e5a7c0"
down_revision = "e8a0c2d4f6b9"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
