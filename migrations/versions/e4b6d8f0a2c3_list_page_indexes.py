"""indexes for constant-work pages and keyset pagination (issue 15) (placeholder: filled by the work that adds them)

Revision ID: e4b6d8f0a2c3
Revises: d3a5c7e9f1b2
Create Date: 2026-12-03 16:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "e4b6d8f0a2c3"
down_revision = "d3a5c7e9f1b2"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
