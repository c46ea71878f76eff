"""The outbox row keeps the trace context of the transaction that recorded its event, so that
the relay's publish and the consumers join that trace (servicekit.tracing).

Revision ID: programming_0008
Revises: programming_0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from servicekit.migrations import add_outbox_trace_context, drop_outbox_trace_context

revision = "programming_0008"
down_revision = "programming_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context(op)


def downgrade() -> None:
    drop_outbox_trace_context(op)
