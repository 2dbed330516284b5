"""attachment store: database blobs beside the local folder and S3 (issue 15) (placeholder: filled by the work that adds them)

Revision ID: a6d8f0b2c4e5
Revises: f5c7e9a1b3d4
Create Date: 2026-12-03 16:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = "a6d8f0b2c4e5"
down_revision = "f5c7e9a1b3d4"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
