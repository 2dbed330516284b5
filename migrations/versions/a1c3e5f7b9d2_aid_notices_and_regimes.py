"""aid items: notices after a decision as tasks, the regime table (issue 12)

Revision ID: a1c3e5f7b9d2
Revises: f7b2d3e4c5a6
Create Date: 2026-12-03 11:30:00.000000

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b9d2"
down_revision = "f7b2d3e4c5a6"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
