"""associations (placeholder: filled by the work that adds these tables)

Revision ID: a4c6e8f0b2d5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "a4c6e8f0b2d5"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
