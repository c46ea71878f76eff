"""Several programming replicas: who is alive, which replica holds each agent.

``replicas`` has one row per running process, its heartbeat written every second; a row whose
heartbeat is older than ``PROGRAMMING_REPLICA_DEAD_AFTER_SECONDS`` is removed by any replica,
and with it the leases of that replica. ``agent_leases`` says which replica (and which of its
connections) holds an agent's WebSocket: written when the agent's Hello is accepted (the newest
connection wins), removed at disconnect if still that connection's. A lease is live while its
replica's heartbeat is fresh: idle agents write nothing per interval. ``replica_messages`` holds
a command or broadcast too large for one NOTIFY (8000 bytes) until its receiver reads it.

Revision ID: programming_0007
Revises: programming_0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "programming_0007"
down_revision = "programming_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "agent_leases",
        sa.Column(
            "agent_id",
            sa.Uuid(),
            sa.ForeignKey("agents.id", ondelete="CASCADE", name="fk_agent_leases_agent_id_agents"),
            primary_key=True,
        ),
        sa.Column(
            "replica_id",
            sa.Uuid(),
            sa.ForeignKey(
                "replicas.id", ondelete="CASCADE", name="fk_agent_leases_replica_id_replicas"
            ),
            nullable=False,
        ),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agent_leases_replica_id", "agent_leases", ["replica_id"])
    op.create_table(
        "replica_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def downgrade() -> None:
    op.drop_table("replica_messages")
    op.drop_index("ix_agent_leases_replica_id", table_name="agent_leases")
    op.drop_table("agent_leases")
    op.drop_table("replicas")
