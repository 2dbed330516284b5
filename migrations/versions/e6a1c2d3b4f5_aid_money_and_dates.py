"""aid items: planned and actual dates, over-disbursement and corrections with a reason, planned disbursements (issue 12)

Revision ID: e6a1c2d3b4f5
Revises: d5f3b0e9a2c4
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "e6a1c2d3b4f5"
down_revision = "d5f3b0e9a2c4"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
