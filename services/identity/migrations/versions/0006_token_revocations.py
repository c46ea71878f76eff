"""The token deny list (servicekit.revocations): access tokens issued before a member was
deactivated or given another role, or before the organisation was closed, are refused.

Revision ID: 0006_token_revocations
Revises: 0005_account
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from servicekit.migrations import create_token_revocations_table, drop_token_revocations_table

revision = "0006_token_revocations"
down_revision = "0005_account"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_token_revocations_table(op)


def downgrade() -> None:
    drop_token_revocations_table(op)
