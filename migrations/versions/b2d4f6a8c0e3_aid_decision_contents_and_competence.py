"""aid items: decision contents, dossier checklist, aid beyond the province's competence (issue 12)

Revision ID: b2d4f6a8c0e3
Revises: a1c3e5f7b9d2
Create Date: 2026-12-03 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2d4f6a8c0e3"
down_revision = "a1c3e5f7b9d2"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


# Plain nullable columns: existing items have no value for them (unknown), except the
# financial mechanism, which the dossier's budget-revenue flag already said when set.
COLUMNS = (
    ("donor_managed_value", lambda: sa.Numeric(precision=20, scale=2)),
    ("recipient_managed_value", lambda: sa.Numeric(precision=20, scale=2)),
    (
        "management_modality",
        lambda: _enum("managementmodality", "ben_tiep_nhan", "ben_tai_tro", "phoi_hop"),
    ),
    (
        "financial_mechanism",
        lambda: _enum("financialmechanism", "thuoc_nsnn", "khong_thuoc_nsnn"),
    ),
    ("decision_authority", lambda: sa.String(length=200)),
    (
        "central_reason",
        lambda: _enum(
            "centralreason",
            "an_ninh",
            "quoc_phong",
            "ton_giao",
            "van_ban_qppl",
            "hang_nhap_khau",
            "khac",
        ),
    ),
    ("submitted_up_on", lambda: sa.Date()),
    ("submitted_up_number", lambda: sa.String(length=60)),
    ("submitted_up_to", lambda: sa.String(length=300)),
    ("aid_kinds", lambda: sa.JSON()),
    ("dossier_files", lambda: sa.JSON()),
)


def upgrade():
    with op.batch_alter_table("aid_item", schema=None) as batch_op:
        for name, column_type in COLUMNS:
            batch_op.add_column(sa.Column(name, column_type(), nullable=True))

    # A dossier marked as budget revenue says the mechanism; "not marked" may only mean
    # nobody ticked it, so it stays unknown (NULL).
    item = sa.table(
        "aid_item",
        sa.column("is_budget_revenue", sa.Boolean),
        sa.column("financial_mechanism", sa.String),
    )
    op.execute(
        item.update()
        .where(item.c.is_budget_revenue.is_(True))
        .values(financial_mechanism="thuoc_nsnn")
    )


def downgrade():
    # Plain columns without constraints: ALTER TABLE ... DROP COLUMN on both databases
    # (SQLite >= 3.35), so SQLite never copies aid_item, which other tables reference.
    for name, _ in reversed(COLUMNS):
        op.drop_column("aid_item", name)
