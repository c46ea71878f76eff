"""Trace context on the outbox row and on the test payment provider's payment.

The outbox row keeps the trace context of the transaction that recorded its event, so that the
relay's publish and the consumers join that trace (servicekit.tracing). The test payment
provider keeps the context of the request that created a payment and sends it with its callback,
so that a purchase is one trace from the payment request to the consumers of the grant.

Revision ID: billing_0009
Revises: 0008_checkout
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from servicekit.migrations import add_outbox_trace_context, drop_outbox_trace_context

revision = "billing_0009"
down_revision = "0008_checkout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context(op)
    op.add_column("test_provider_payments", sa.Column("trace_context", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("test_provider_payments", "trace_context")
    drop_outbox_trace_context(op)
