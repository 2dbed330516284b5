"""sessions that can be ended, login throttling, delegation member version

Users get a random session token (what the session and remember-me cookie hold); failed
logins are counted in login_failure; delegation members get an optimistic-lock version.

Columns are added in place (no batch table copy): SQLite cannot copy `user`, which other
tables reference, while foreign keys are enforced.

Revision ID: 08f6ce1c0542
Revises: 0ab6eedaca96
Create Date: 2026-12-02 19:57:50.445364

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "08f6ce1c0542"
down_revision = "0ab6eedaca96"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"], unique=False)
    op.create_index("ix_login_failure_ip_at", "login_failure", ["ip", "at"], unique=False)
    op.create_index(
        "ix_login_failure_username_at", "login_failure", ["username", "at"], unique=False
    )

    # Existing members start at version 1.
    op.add_column(
        "delegation_member",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )

    # Each existing user gets their own random token (their current sessions end once).
    # SQLite adds a NOT NULL column only with a constant default: '' until filled.
    op.add_column(
        "user",
        sa.Column("session_token", sa.String(length=64), nullable=False, server_default=""),
    )
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    if connection.dialect.name != "sqlite":  # SQLite would need a table copy to drop it
        op.alter_column("user", "session_token", server_default=None)
    op.create_index(op.f("ix_user_session_token"), "user", ["session_token"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_user_session_token"), table_name="user")
    op.drop_column("user", "session_token")
    op.drop_column("delegation_member", "version")
    op.drop_index("ix_login_failure_username_at", table_name="login_failure")
    op.drop_index("ix_login_failure_ip_at", table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_at"), table_name="login_failure")
    op.drop_table("login_failure")
