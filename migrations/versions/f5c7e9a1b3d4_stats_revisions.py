"""statistics input revisions kept by triggers (issue 15) (placeholder: filled by the work that adds them)

Revision ID: f5c7e9a1b3d4
Revises: e4b6d8f0a2c3
Create Date: 2026-12-03 16:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "f5c7e9a1b3d4"
down_revision = "e4b6d8f0a2c3"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
