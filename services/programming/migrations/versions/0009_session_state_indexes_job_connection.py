"""Indexes for the queries that filter sessions by state, and the job's connection.

- ``ix_sessions_open_state``: a partial index on ``state`` over the sessions not ended (PLANNED,
  RUNNING). The takeover scan (every replica, every second) and the sessions gauge (every
  metrics refresh) ask only for those, and they are a handful among all sessions ever run:
  the index stays small and both read it instead of the whole table.
- ``ix_sessions_awaiting_closing_read``: an agent's completed sessions still without their
  closing vehicle read, asked at every agent connect (a reconnect storm asks it thousands of
  times a second).
- ``jobs.connection_id``: the agent connection that runs the job, so that key requests are
  answered on it only, whichever replica holds it.

Revision ID: programming_0009
Revises: programming_0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "programming_0009"
down_revision = "programming_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_sessions_open_state",
        "sessions",
        ["state"],
        postgresql_where=sa.text("state IN ('PLANNED', 'RUNNING')"),
    )
    op.create_index(
        "ix_sessions_awaiting_closing_read",
        "sessions",
        ["agent_id", "ended_at"],
        postgresql_where=sa.text("state = 'COMPLETED' AND vehicle_after IS NULL"),
    )
    op.add_column("jobs", sa.Column("connection_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "connection_id")
    op.drop_index("ix_sessions_awaiting_closing_read", table_name="sessions")
    op.drop_index("ix_sessions_open_state", table_name="sessions")
