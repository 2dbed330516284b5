"""organisations: provinces and fields of the registration certificate (issue 12)

Revision ID: c3e5a7b9d1f4
Revises: b2d4f6a8c0e3
Create Date: 2026-12-03 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e5a7b9d1f4"
down_revision = "b2d4f6a8c0e3"
branch_labels = None
depends_on = None

# The aid sectors' vocabulary (app/aid/models.py Sector) at this revision.
SECTORS = (
    "giao_duc",
    "y_te",
    "nuoc_ve_sinh",
    "xa_hoi",
    "ha_tang",
    "nong_nghiep",
    "sinh_ke",
    "moi_truong",
    "cong_dong",
    "cuu_tro",
    "khac",
)


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "organization_province",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_province_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_province")),
        sa.UniqueConstraint(
            "organization_id",
            "province_code",
            name=op.f("uq_organization_province_organization_id"),
        ),
    )
    with op.batch_alter_table("organization_province", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_province_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_organization_province_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "organization_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "sector",
            sa.Enum(*SECTORS, name="sector", native_enum=False, length=30),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_field_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_field")),
        sa.UniqueConstraint(
            "organization_id", "sector", name=op.f("uq_organization_field_organization_id")
        ),
    )
    with op.batch_alter_table("organization_field", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_field_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organization_field_sector"), ["sector"], unique=False)


def downgrade():
    with op.batch_alter_table("organization_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_field_sector"))
        batch_op.drop_index(batch_op.f("ix_organization_field_organization_id"))
    op.drop_table("organization_field")

    with op.batch_alter_table("organization_province", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_province_province_code"))
        batch_op.drop_index(batch_op.f("ix_organization_province_organization_id"))
    op.drop_table("organization_province")
