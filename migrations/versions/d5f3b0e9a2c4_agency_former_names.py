"""agencies keep their former names with the days they were used

Revision ID: d5f3b0e9a2c4
Revises: c4e2a9d8f1b3
Create Date: 2026-12-03 09:25:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5f3b0e9a2c4"
down_revision = "c4e2a9d8f1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("used_from", sa.Date(), nullable=True),
        sa.Column("used_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_name_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_name")),
    )
    op.create_index(op.f("ix_agency_name_agency_id"), "agency_name", ["agency_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_agency_name_agency_id"), table_name="agency_name")
    op.drop_table("agency_name")
