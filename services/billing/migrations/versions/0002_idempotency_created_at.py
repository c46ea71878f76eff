"""Index idempotency keys by creation time, for the sweep that deletes expired ones.

Revision ID: 0002_idempotency_created_at
Revises: 0001_initial
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_idempotency_created_at"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
