"""official documents: template versions and the documents drafted from records (issue 14)

Revision ID: f9b1d3e5a7c0
Revises: e8a0c2d4f6b9
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f9b1d3e5a7c0"
down_revision = "e8a0c2d4f6b9"
branch_labels = None
depends_on = None

# The vocabularies of app/documents/states.py at this revision.
KINDS = (
    "aid_opinion_request",
    "aid_appraisal_report",
    "aid_approval_draft",
    "aid_refusal_letter",
    "aid_decision_notice",
    "delegation_reply",
    "delegation_border_notice",
    "delegation_reception_list",
    "annual_aid_report",
)
OWNER_TYPES = ("aid_item", "delegation", "annual_aid_report")


def _kind():
    return sa.Enum(*KINDS, name="documentkind", native_enum=False, length=40)


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "document_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_document_template_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_document_template_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_template")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_document_template_kind")),
    )
    with op.batch_alter_table("document_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_template_kind"), ["kind"], unique=False)

    op.create_table(
        "generated_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column(
            "owner_type",
            sa.Enum(*OWNER_TYPES, name="ownertype", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("draft_attachment_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("document_number", sa.String(length=60), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_generated_document_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["draft_attachment_id"],
            ["attachment.id"],
            name=op.f("fk_generated_document_draft_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["user.id"],
            name=op.f("fk_generated_document_generated_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["user.id"], name=op.f("fk_generated_document_sent_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_document")),
    )
    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_generated_document_owner", ["owner_type", "owner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.drop_index("ix_generated_document_owner")
    op.drop_table("generated_document")
    with op.batch_alter_table("document_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_template_kind"))
    op.drop_table("document_template")
