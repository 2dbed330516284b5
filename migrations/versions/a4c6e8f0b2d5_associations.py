"""friendship associations: profile, partner countries, yearly member counts, activity log
(issue 13)

Revision ID: a4c6e8f0b2d5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c6e8f0b2d5"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None

# The coded values (app/associations/states.py) at this revision.
ASSOCIATION_STATUSES = ("hoat_dong", "tam_ngung", "giai_the")
ACTIVITY_KINDS = ("giao_luu", "ket_nghia", "gap_go", "ho_tro", "su_kien")


def _timestamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _versioned_archivable():
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _drop(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    op.drop_table(table)


def upgrade():
    # New tables only: nothing existing is copied (SQLite and PostgreSQL alike).
    op.create_table(
        "association",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=True),
        sa.Column("search_text", sa.String(length=700), nullable=False),
        sa.Column("founding_decision_number", sa.String(length=60), nullable=True),
        sa.Column("founding_decision_date", sa.Date(), nullable=True),
        sa.Column("leaders", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=60), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*ASSOCIATION_STATUSES, name="associationstatus", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("union_member", sa.Boolean(), nullable=False),
        sa.Column("union_joined_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_timestamps(),
        *_versioned_archivable(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association")),
        sa.UniqueConstraint("code", name=op.f("uq_association_code")),
    )
    _indexes("association", "search_text", "status", "union_member")

    op.create_table(
        "association_country",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["association.id"],
            name=op.f("fk_association_country_association_id_association"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_country")),
        sa.UniqueConstraint(
            "association_id", "country", name=op.f("uq_association_country_association_id")
        ),
    )
    _indexes("association_country", "association_id", "country")

    op.create_table(
        "association_member_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["association.id"],
            name=op.f("fk_association_member_count_association_id_association"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_member_count")),
        sa.UniqueConstraint(
            "association_id", "year", name=op.f("uq_association_member_count_association_id")
        ),
    )
    _indexes("association_member_count", "association_id", "year")

    op.create_table(
        "association_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*ACTIVITY_KINDS, name="activitykind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("partners", sa.Text(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("funds_vnd", sa.Numeric(precision=18, scale=0), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.Column("aid_item_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_timestamps(),
        *_versioned_archivable(),
        sa.ForeignKeyConstraint(
            ["aid_item_id"],
            ["aid_item.id"],
            name=op.f("fk_association_activity_aid_item_id_aid_item"),
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["association.id"],
            name=op.f("fk_association_activity_association_id_association"),
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_association_activity_delegation_id_delegation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_activity")),
    )
    _indexes(
        "association_activity", "aid_item_id", "association_id", "delegation_id", "held_on", "kind"
    )

    op.create_table(
        "association_activity_country",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        # Named in the model: the convention's name would exceed PostgreSQL's 63 characters.
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["association_activity.id"],
            name="fk_association_activity_country_activity",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_activity_country")),
        sa.UniqueConstraint(
            "activity_id",
            "country",
            name=op.f("uq_association_activity_country_activity_id"),
        ),
    )
    _indexes("association_activity_country", "activity_id", "country")


def downgrade():
    _drop("association_activity_country", "country", "activity_id")
    _drop(
        "association_activity", "kind", "held_on", "delegation_id", "association_id", "aid_item_id"
    )
    _drop("association_member_count", "year", "association_id")
    _drop("association_country", "country", "association_id")
    _drop("association", "union_member", "status", "search_text")
