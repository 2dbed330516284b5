"""revisions of the rows that can count (issue 15)

Revision ID: b7e9a1c3d5f6
Revises: a6d8f0b2c4e5
Create Date: 2026-12-03 20:30:00.000000

A second revision series, "<table>:counted", for the five tracked tables where some rows
count in no statistic and in no follow-up alert: a dossier still in the procedure with no
money recorded, a delegation not approved, a member of such a delegation, a sector of such
an item, a donor nobody refers to. The statistics and the alert lists are kept by these
series (app/stats/revisions.py), so the day's drafting (a new dossier, a new donor, members
added to a draft) no longer makes every worker compute the year's figures again. The plain
series of migration f5c7e9a1b3d4 still moves with every change (the home page's counts of
dossiers in the procedure read it).

Why each predicate is safe is written in docs/decisions.md ("Revisions of the rows that can
count"); tests/test_stats_counted_revisions.py checks it on both databases. The status keys
are copied here on purpose (a migration does not change when the application does); the
tests check them against app.aid.states and app.delegations.states.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e9a1c3d5f6"
down_revision = "a6d8f0b2c4e5"
branch_labels = None
depends_on = None

IN_PROCEDURE = "('tiep_nhan', 'tra_lai', 'xin_y_kien', 'tham_dinh')"
COUNTED_DELEGATIONS = "('da_duyet', 'hoan_thanh')"

# A row `r` can count (r is NEW, OLD or a transition table's row).
ITEM_COUNTS = (
    "({r}.status NOT IN " + IN_PROCEDURE + " OR EXISTS "
    "(SELECT 1 FROM disbursement d WHERE d.aid_item_id = {r}.id))"
)
COUNTS = {
    "aid_item": ITEM_COUNTS,
    "aid_sector": "EXISTS (SELECT 1 FROM aid_item i WHERE i.id = {r}.aid_item_id AND "
    + ITEM_COUNTS.format(r="i")
    + ")",
    "delegation": "{r}.status IN " + COUNTED_DELEGATIONS,
    "delegation_member": "EXISTS (SELECT 1 FROM delegation g WHERE g.id = {r}.delegation_id "
    "AND g.status IN " + COUNTED_DELEGATIONS + ")",
    "organization": "(EXISTS (SELECT 1 FROM aid_item i WHERE i.main_donor_id = {r}.id) "
    "OR EXISTS (SELECT 1 FROM mobilisation_contact c WHERE c.organization_id = {r}.id) "
    "OR EXISTS (SELECT 1 FROM mobilisation_proposal p WHERE p.organization_id = {r}.id))",
}
# An organisation's edit counts when a column the statistics read changes (its id never
# does); its insert or delete when something refers to it.
ORGANIZATION_COLUMNS = ("code", "name", "country")
TABLES = tuple(COUNTS)


def _organization_edit(old: str, new: str, distinct: str) -> str:
    return " OR ".join(f"{old}.{c} {distinct} {new}.{c}" for c in ORGANIZATION_COLUMNS)


def sqlite_triggers(table: str) -> list[str]:
    bump = (
        "UPDATE stats_revision SET revision = revision + 1, token = random() "
        f"WHERE name = '{table}:counted'"
    )
    counts = COUNTS[table]
    when = {
        "ins": counts.format(r="NEW"),
        "upd": f"{counts.format(r='OLD')} OR {counts.format(r='NEW')}",
        "del": counts.format(r="OLD"),
    }
    if table == "organization":
        when["upd"] = _organization_edit("OLD", "NEW", "IS NOT")
    operations = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
    return [
        f"CREATE TRIGGER stats_rev_{table}_counted_{op_} AFTER {operations[op_]} ON {table} "
        f"WHEN {when[op_]} BEGIN {bump}; END"
        for op_ in ("ins", "upd", "del")
    ]


NOTE = (
    "INSERT INTO stats_change (name, txid, token) VALUES "
    "(TG_TABLE_NAME || '\\:counted', txid_current(), (random() * 9.2e18)::bigint)"
)  # "\:" keeps SQLAlchemy's text() from reading ":counted" as a bound parameter


def pg_function(table: str) -> str:
    """One statement-level function per table: a change row when a row of the statement's
    transition tables can count. Each condition is its own statement: PL/pgSQL plans it when
    it runs, and an INSERT trigger has no old_rows."""
    counts = COUNTS[table].format(r="r")
    if table == "organization":
        update = (
            "EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE "
            + _organization_edit("o", "n", "IS DISTINCT FROM")
            + ")"
        )
    else:
        update = (
            f"EXISTS (SELECT 1 FROM old_rows r WHERE {counts}) "
            f"OR EXISTS (SELECT 1 FROM new_rows r WHERE {counts})"
        )
    return f"""
CREATE OR REPLACE FUNCTION stats_counted_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM new_rows r WHERE {counts}) THEN {NOTE}; END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF {update} THEN {NOTE}; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM old_rows r WHERE {counts}) THEN {NOTE}; END IF;
    ELSE
        {NOTE};
    END IF;
    RETURN NULL;
END
$$
"""


def pg_triggers(table: str) -> list[str]:
    name = f"stats_change_{table}_counted"
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION stats_counted_{table}()"
    return [
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        + run,
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        + run,
        f"CREATE TRIGGER {name}_trunc AFTER TRUNCATE ON {table} {run}",
    ]


def upgrade():
    revisions = sa.table(
        "stats_revision", sa.column("name"), sa.column("revision"), sa.column("token")
    )
    op.bulk_insert(
        revisions, [{"name": f"{t}:counted", "revision": 0, "token": 0} for t in TABLES]
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if not sqlite:
            op.execute(pg_function(table))
        for statement in sqlite_triggers(table) if sqlite else pg_triggers(table):
            op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            for op_ in ("ins", "upd", "del"):
                op.execute(f"DROP TRIGGER IF EXISTS stats_rev_{table}_counted_{op_}")
        else:
            for op_ in ("ins", "upd", "del", "trunc"):
                op.execute(f"DROP TRIGGER IF EXISTS stats_change_{table}_counted_{op_} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS stats_counted_{table}()")
    op.execute("DELETE FROM stats_revision WHERE name LIKE '%\\:counted'")
    op.execute("DELETE FROM stats_change WHERE name LIKE '%\\:counted'")
