"""Single-file builds of the VCI agent, signed with the release key, offered to agents as
updates and listed in the portal's downloads area.

Revision ID: programming_0010
Revises: programming_0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "programming_0010"
down_revision = "programming_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_builds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_builds")),
        sa.UniqueConstraint("version", "platform", name=op.f("uq_agent_builds_version")),
    )


def downgrade() -> None:
    op.drop_table("agent_builds")
