"""Account self-service: password resets, e-mail changes, TOTP reset, and one row per login.

``user_tokens`` gains the purposes of the new one-time links and the address an e-mail change
is waiting to confirm. ``login_sessions`` holds one row per login (a refresh-token family, same
id): the device and browser it came from, its address, when it was last used, when it ended.
Families that exist already get a row built from their tokens, so "my logins" lists them too.

Revision ID: 0005_account
Revises: 0004_members
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_account"
down_revision = "0004_members"
branch_labels = None
depends_on = None

_OLD_PURPOSES = "purpose IN ('email_verification', 'totp_enrolment')"
_NEW_PURPOSES = (
    "purpose IN ('email_verification', 'totp_enrolment', 'password_reset', 'email_change', "
    "'totp_reset')"
)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_user_tokens_purpose_known"), "user_tokens", type_="check")
    op.create_check_constraint(op.f("ck_user_tokens_purpose_known"), "user_tokens", _NEW_PURPOSES)
    op.add_column("user_tokens", sa.Column("new_email", sa.Text(), nullable=True))

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("browser", sa.Text(), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"])
    op.execute(
        """
        INSERT INTO login_sessions (id, user_id, device, browser, ip, created_at, last_used_at,
                                    ended_at)
        SELECT family_id, min(user_id::text)::uuid, 'Unknown device', 'Unknown browser',
               'unknown', min(created_at), max(coalesce(used_at, created_at)),
               CASE WHEN bool_and(revoked_at IS NOT NULL OR used_at IS NOT NULL)
                    THEN max(coalesce(revoked_at, used_at)) END
        FROM refresh_tokens GROUP BY family_id
        """
    )


def downgrade() -> None:
    op.drop_table("login_sessions")
    op.execute("DELETE FROM user_tokens WHERE purpose NOT IN ('email_verification', 'totp_enrolment')")
    op.drop_column("user_tokens", "new_email")
    op.drop_constraint(op.f("ck_user_tokens_purpose_known"), "user_tokens", type_="check")
    op.create_check_constraint(op.f("ck_user_tokens_purpose_known"), "user_tokens", _OLD_PURPOSES)
