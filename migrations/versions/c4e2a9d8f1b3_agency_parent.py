"""an agency may have a parent (a division inside a department)

Revision ID: c4e2a9d8f1b3
Revises: b3d1f0a7c2e9
Create Date: 2026-12-03 09:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e2a9d8f1b3"
down_revision = "b3d1f0a7c2e9"
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (no batch copy: other tables reference agency). SQLite cannot add a
    # constraint to a table, but accepts an added column's REFERENCES clause.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE agency ADD COLUMN parent_id INTEGER "
            "CONSTRAINT fk_agency_parent_id_agency REFERENCES agency (id)"
        )
    else:
        op.add_column("agency", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_agency_parent_id_agency"), "agency", "agency", ["parent_id"], ["id"]
        )
    op.create_index(op.f("ix_agency_parent_id"), "agency", ["parent_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_agency_parent_id"), table_name="agency")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("parent_id")
