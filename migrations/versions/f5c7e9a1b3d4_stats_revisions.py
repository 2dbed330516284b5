"""statistics input revisions kept by triggers (issue 15)

Revision ID: f5c7e9a1b3d4
Revises: e4b6d8f0a2c3
Create Date: 2026-12-03 16:30:00.000000

Tables stats_revision and stats_change, and triggers on every table the statistics read
(app/stats/revisions.py explains them). The list of tables is copied here on purpose: a
migration must not change when the application's list does later; a later migration that
adds a table to the statistics adds its triggers itself.

Note for later migrations on SQLite: rebuilding a tracked table (op.batch_alter_table with
recreate) drops its triggers; create them again (sqlite_triggers below) in that migration.
tests/test_stats_precomputed.py fails when a tracked table lacks them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f5c7e9a1b3d4"
down_revision = "e4b6d8f0a2c3"
branch_labels = None
depends_on = None

TABLES = (
    "agency",
    "aid_item",
    "aid_sector",
    "association",
    "association_activity",
    "association_activity_country",
    "association_member_count",
    "budget_line",
    "budget_spending",
    "delegation",
    "delegation_member",
    "disbursement",
    "mobilisation_contact",
    "mobilisation_proposal",
    "organization",
    "training_attendance",
    "training_course",
    "training_course_topic",
)
OPERATIONS = (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE"))

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION stats_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_change (name, txid, token)
    VALUES (TG_TABLE_NAME, txid_current(), (random() * 9.2e18)::bigint);
    RETURN NULL;
END
$$
"""


def sqlite_triggers(table: str) -> list[str]:
    """The three triggers of one table on SQLite (a random token with each count)."""
    bump = "UPDATE stats_revision SET revision = revision + 1, token = random() WHERE name = "
    return [
        f"CREATE TRIGGER stats_rev_{table}_{suffix} AFTER {operation} ON {table} "
        f"BEGIN {bump}'{table}'; END"
        for suffix, operation in OPERATIONS
    ]


def pg_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER stats_change_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION stats_note_change()"
    )


def upgrade():
    op.create_table(
        "stats_revision",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stats_revision")),
    )
    op.create_table(
        "stats_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_change")),
    )
    revisions = sa.table(
        "stats_revision", sa.column("name"), sa.column("revision"), sa.column("token")
    )
    op.bulk_insert(revisions, [{"name": t, "revision": 0, "token": 0} for t in TABLES])
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for statement in sqlite_triggers(table):
                op.execute(statement)
    else:
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(pg_trigger(table))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for suffix, _ in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS stats_rev_{table}_{suffix}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS stats_change_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS stats_note_change()")
    op.drop_table("stats_change")
    op.drop_table("stats_revision")
