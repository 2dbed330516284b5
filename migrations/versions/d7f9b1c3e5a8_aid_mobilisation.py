"""aid mobilisation: contacts with donors, proposals sent to them and their communes
(issue 13, part 4)

Revision ID: d7f9b1c3e5a8
Revises: c6e8a0b2d4f7
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7f9b1c3e5a8"
down_revision = "c6e8a0b2d4f7"
branch_labels = None
depends_on = None

# The vocabularies at this revision (app/mobilisation/states.py, app/aid/models.py Sector).
CONTACT_KINDS = ("gap_go", "thu", "hoi_nghi", "chuyen_tham")
OUTCOMES = ("cho_phan_hoi", "cam_ket", "khong_tai_tro")
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


def _stamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "mobilisation_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*CONTACT_KINDS, name="contactkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("participants", sa.String(length=500), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("search_text", sa.String(length=1200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_mobilisation_contact_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_mobilisation_contact_created_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_mobilisation_contact_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobilisation_contact")),
    )
    _indexes("mobilisation_contact", "agency_id", "kind", "occurred_on", "organization_id")

    op.create_table(
        "mobilisation_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column(
            "sector",
            sa.Enum(*SECTORS, name="sector", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("requested_value", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_vnd", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("requested_vnd", sa.BigInteger(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="proposaloutcome", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("pledged_value", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("pledged_vnd", sa.BigInteger(), nullable=True),
        sa.Column("aid_item_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("search_text", sa.String(length=1200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_mobilisation_proposal_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["aid_item_id"],
            ["aid_item.id"],
            name=op.f("fk_mobilisation_proposal_aid_item_id_aid_item"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["mobilisation_contact.id"],
            name=op.f("fk_mobilisation_proposal_contact_id_mobilisation_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_mobilisation_proposal_created_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_mobilisation_proposal_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobilisation_proposal")),
        sa.UniqueConstraint("code", name=op.f("uq_mobilisation_proposal_code")),
    )
    _indexes(
        "mobilisation_proposal",
        "agency_id",
        "aid_item_id",
        "contact_id",
        "organization_id",
        "outcome",
        "outcome_on",
        "sector",
        "sent_on",
    )

    op.create_table(
        "mobilisation_proposal_commune",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
            name=op.f("fk_mobilisation_proposal_commune_commune_code_commune"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["mobilisation_proposal.id"],
            name=op.f("fk_mobilisation_proposal_commune_proposal_id_mobilisation_proposal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobilisation_proposal_commune")),
        sa.UniqueConstraint(
            "proposal_id",
            "commune_code",
            name=op.f("uq_mobilisation_proposal_commune_proposal_id"),
        ),
    )
    _indexes("mobilisation_proposal_commune", "commune_code", "proposal_id")


def downgrade():
    # Dropping whole tables (children first): no batch copy of any other table.
    for table in (
        "mobilisation_proposal_commune",
        "mobilisation_proposal",
        "mobilisation_contact",
    ):
        op.drop_table(table)
