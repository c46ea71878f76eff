"""Login failures per account and client, instead of one lock per account.

Five wrong passwords used to lock an account for everyone, so anyone could lock its owner out.
The counter and lock move to ``login_throttles``, keyed on the user and the client's address;
running locks are not carried over (they were per account, the very thing being removed).

Revision ID: 0003_login_throttles
Revises: 0002_seal_totp_secrets
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_login_throttles"
down_revision = "0002_seal_totp_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_throttles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "client", name=op.f("pk_login_throttles")),
    )
    op.drop_column("users", "failed_login_count")
    op.drop_column("users", "locked_until")


def downgrade() -> None:
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.add_column(
        "users",
        sa.Column("failed_login_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.drop_table("login_throttles")
