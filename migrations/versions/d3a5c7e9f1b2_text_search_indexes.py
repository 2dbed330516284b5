"""text search indexes: SQLite FTS5 trigram and PostgreSQL pg_trgm (issue 15)

SQLite: an external-content FTS5 table with the trigram tokenizer over each searched folded
column (`<table>_fts`, app.core.text.FTS_TABLES), filled from the existing rows and kept in
step by triggers on insert, delete and update of the column, so an edit and its index entry
commit (or roll back) together. PostgreSQL: the pg_trgm GIN index that was still missing,
on the members' folded names (the search_text columns have theirs since b1d3f5a7c9e2); on
SQLite that index is the empty partial index of app.core.text.trigram_index. Members whose
folded name is empty get it from app.core.text.fold.

Revision ID: d3a5c7e9f1b2
Revises: c2e4a6b8d0f1
Create Date: 2026-12-03 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3a5c7e9f1b2"
down_revision = "c2e4a6b8d0f1"
branch_labels = None
depends_on = None

# (table, folded column): the FTS5 table is "<table>_fts" (as in app.core.text.FTS_TABLES,
# written out here so that this revision keeps creating what it created).
FTS = (
    ("aid_item", "search_text"),
    ("delegation", "search_text"),
    ("organization", "search_text"),
    ("delegation_member", "name_folded"),
)


def _fts_statements(table: str, column: str) -> list[str]:
    fts = f"{table}_fts"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _fill_member_names() -> None:
    from app.core.text import fold

    bind = op.get_bind()
    member = sa.table(
        "delegation_member", sa.column("id"), sa.column("full_name"), sa.column("name_folded")
    )
    rows = bind.execute(
        sa.select(member.c.id, member.c.full_name).where(
            sa.or_(member.c.name_folded.is_(None), member.c.name_folded == "")
        )
    ).all()
    for member_id, full_name in rows:
        bind.execute(
            member.update()
            .where(member.c.id == member_id)
            .values(name_folded=fold(full_name)[:200])
        )


def upgrade():
    _fill_member_names()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_delegation_member_name_folded_trgm",
        "delegation_member",
        ["name_folded"],
        postgresql_using="gin",
        postgresql_ops={"name_folded": "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table, column in FTS:
            for statement in _fts_statements(table, column):
                op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table, _column in FTS:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    op.drop_index("ix_delegation_member_name_folded_trgm", table_name="delegation_member")
