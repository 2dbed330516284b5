"""search and inbox indexes (issue 15, placeholder: filled by its owner or removed)

Revision ID: e0b2c4d6f8a9
Revises: d9a1b3c5e7f8
Create Date: 2026-12-03 23:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "e0b2c4d6f8a9"
down_revision = "d9a1b3c5e7f8"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
