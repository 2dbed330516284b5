"""aid mobilisation (placeholder: filled by the work that adds these tables)

Revision ID: d7f9b1c3e5a8
Revises: c6e8a0b2d4f7
Create Date: 2026-12-03 13:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "d7f9b1c3e5a8"
down_revision = "c6e8a0b2d4f7"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
