"""people-to-people diplomacy budget (placeholder: filled by the work that adds these tables)

Revision ID: c6e8a0b2d4f7
Revises: b5d7f9a1c3e6
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "c6e8a0b2d4f7"
down_revision = "b5d7f9a1c3e6"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
