"""delegations: opinions given on an earlier version, archived members with a reason (issue 12)

Revision ID: f7b2d3e4c5a6
Revises: e6a1c2d3b4f5
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "f7b2d3e4c5a6"
down_revision = "e6a1c2d3b4f5"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
