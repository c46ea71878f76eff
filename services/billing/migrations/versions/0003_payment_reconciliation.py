"""When each payment started (reconciliation asks the provider about old pending ones), and
the test payment provider's payments with their callbacks, durable across restarts.

Revision ID: 0003_payment_reconciliation
Revises: 0002_idempotency_created_at
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_payment_reconciliation"
down_revision: str | None = "0002_idempotency_created_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.add_column("orders", sa.Column("payment_started_at", sa.DateTime(timezone=True)))
    # Payments under way before this column existed started at their last update at the latest.
    op.execute(
        "UPDATE orders SET payment_started_at = updated_at "
        "WHERE status = 'pending_payment' AND payment_id IS NOT NULL"
    )
    op.create_index(
        "ix_orders_pending_payment_started_at",
        "orders",
        ["payment_started_at"],
        postgresql_where=sa.text("status = 'pending_payment' AND payment_id IS NOT NULL"),
    )
    op.create_table(
        "test_provider_payments",
        sa.Column("payment_id", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("order_reference", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("settles_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("payment_id", name="pk_test_provider_payments"),
        sa.UniqueConstraint(
            "idempotency_key", name="uq_test_provider_payments_idempotency_key"
        ),
        sa.CheckConstraint(
            "outcome IN ('succeeded', 'failed')", name="ck_test_provider_payments_outcome"
        ),
    )
    op.create_index(
        "ix_test_provider_payments_undelivered",
        "test_provider_payments",
        ["next_attempt_at"],
        postgresql_where=sa.text("delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_test_provider_payments_undelivered", table_name="test_provider_payments")
    op.drop_table("test_provider_payments")
    op.drop_index("ix_orders_pending_payment_started_at", table_name="orders")
    op.drop_column("orders", "payment_started_at")
