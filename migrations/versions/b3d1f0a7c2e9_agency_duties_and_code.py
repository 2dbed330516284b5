"""agencies hold duties (agency_duty) and an optional unique code

Each existing agency's kind becomes the matching duty: planning -> aid_focal,
foreign_affairs -> foreign_affairs, police -> police, finance -> finance,
leadership -> leadership, other -> host. The `kind` column stays (a category no permission
reads any more; to be dropped later). Delegation reviews keep their reviewer_kind values
('foreign_affairs', 'police'), which now name the duty that reviews.

Revision ID: b3d1f0a7c2e9
Revises: 08f6ce1c0542
Create Date: 2026-12-03 08:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3d1f0a7c2e9"
down_revision = "08f6ce1c0542"
branch_labels = None
depends_on = None

KIND_DUTY = {
    "planning": "aid_focal",
    "foreign_affairs": "foreign_affairs",
    "police": "police",
    "finance": "finance",
    "leadership": "leadership",
    "other": "host",
}
DUTIES = (
    "aid_focal",
    "finance",
    "foreign_affairs",
    "police",
    "border_guard",
    "leadership",
    "host",
    "internal_affairs",
)


def upgrade():
    op.create_table(
        "agency_duty",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "duty",
            sa.Enum(*DUTIES, name="duty", native_enum=False, length=30),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_agency_duty_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agency_id", "duty", name=op.f("pk_agency_duty")),
    )
    op.create_index(op.f("ix_agency_duty_duty"), "agency_duty", ["duty"], unique=False)
    # Added in place (no batch copy: other tables reference agency).
    op.add_column("agency", sa.Column("code", sa.String(length=30), nullable=True))
    op.create_index(op.f("ix_agency_code"), "agency", ["code"], unique=True)

    agency = sa.table("agency", sa.column("id", sa.Integer), sa.column("kind", sa.String))
    agency_duty = sa.table(
        "agency_duty", sa.column("agency_id", sa.Integer), sa.column("duty", sa.String)
    )
    for kind, duty in KIND_DUTY.items():
        op.execute(
            agency_duty.insert().from_select(
                ["agency_id", "duty"],
                sa.select(agency.c.id, sa.literal(duty)).where(agency.c.kind == kind),
            )
        )


def downgrade():
    op.drop_index(op.f("ix_agency_code"), table_name="agency")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("code")
    op.drop_index(op.f("ix_agency_duty_duty"), table_name="agency_duty")
    op.drop_table("agency_duty")
