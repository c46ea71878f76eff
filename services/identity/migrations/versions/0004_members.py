"""Members of a workshop: roles, invitations, deactivation and removal, the company profile.

Existing users keep their role unless it is the old "member", which becomes "technician" (the
role with the least rights over company data; an owner can raise it). Users get a deactivation
and removal time and their last login; the password hash may be dropped (a removed member's
row stays, anonymised, so that what refers to it keeps a target). Organisations get the postal
address and invoice e-mail of their company profile and a closing time.

Revision ID: 0004_members
Revises: 0003_login_throttles
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_members"
down_revision = "0003_login_throttles"
branch_labels = None
depends_on = None

_ROLES = "role IN ('owner', 'admin', 'technician', 'accountant')"


def upgrade() -> None:
    # Only "owner" and "member" were ever written; anything unknown gets the narrowest role.
    op.execute(f"UPDATE users SET role = 'technician' WHERE NOT ({_ROLES})")
    op.create_check_constraint(op.f("ck_users_role_known"), "users", _ROLES)
    op.alter_column("users", "password_hash", existing_type=sa.Text(), nullable=True)
    op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("removed_at", sa.DateTime(timezone=True)))

    op.add_column("organizations", sa.Column("street", sa.Text()))
    op.add_column("organizations", sa.Column("postcode", sa.Text()))
    op.add_column("organizations", sa.Column("city", sa.Text()))
    op.add_column("organizations", sa.Column("invoice_email", sa.Text()))
    op.add_column("organizations", sa.Column("closed_at", sa.DateTime(timezone=True)))

    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("accepted_user_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.CheckConstraint(_ROLES, name=op.f("ck_invitations_role_known")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invitations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_user_id"],
            ["users.id"],
            name=op.f("fk_invitations_accepted_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_organization_id"), "invitations", ["organization_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invitations_organization_id"), table_name="invitations")
    op.drop_table("invitations")
    for column in ("closed_at", "invoice_email", "city", "postcode", "street"):
        op.drop_column("organizations", column)
    for column in ("removed_at", "deactivated_at", "last_login_at"):
        op.drop_column("users", column)
    # Removed members have no password any more; they cannot come back in the old schema.
    op.execute("DELETE FROM users WHERE password_hash IS NULL")
    op.alter_column("users", "password_hash", existing_type=sa.Text(), nullable=False)
    op.drop_constraint(op.f("ck_users_role_known"), "users", type_="check")
