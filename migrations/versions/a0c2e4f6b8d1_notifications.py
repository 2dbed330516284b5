"""notifications (placeholder: filled by the work that adds these tables)

Revision ID: a0c2e4f6b8d1
Revises: f9b1d3e5a7c0
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "a0c2e4f6b8d1"
down_revision = "f9b1d3e5a7c0"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
