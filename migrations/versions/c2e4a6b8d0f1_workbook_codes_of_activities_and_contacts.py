"""workbook codes of association activities and mobilisation contacts (issue 13)

Records users do not number themselves get a code, so the registry workbook can name them
(HoatDongHoi.ma, TiepXucVanDong.ma) and a proposal or a spending entry can refer to them.

Revision ID: c2e4a6b8d0f1
Revises: b1d3f5a7c9e2
Create Date: 2026-12-03 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c2e4a6b8d0f1"
down_revision = "b1d3f5a7c9e2"
branch_labels = None
depends_on = None

TABLES = (("association_activity", "HD"), ("mobilisation_contact", "TX"))


def upgrade():
    for table, prefix in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("code", sa.String(length=40), nullable=True))
        op.execute(f"UPDATE {table} SET code = '{prefix}-' || CAST(id AS VARCHAR(20))")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("code", existing_type=sa.String(length=40), nullable=False)
            batch.create_unique_constraint(f"uq_{table}_code", ["code"])


def downgrade():
    for table, _ in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_code", type_="unique")
            batch.drop_column("code")
