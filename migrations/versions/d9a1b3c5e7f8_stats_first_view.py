"""statistics: first view after a change (issue 15, placeholder: filled by its owner or removed)

Revision ID: d9a1b3c5e7f8
Revises: c8f0a2b4d6e7
Create Date: 2026-12-03 23:00:00.000000
"""

# revision identifiers, used by Alembic.
revision = "d9a1b3c5e7f8"
down_revision = "c8f0a2b4d6e7"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
