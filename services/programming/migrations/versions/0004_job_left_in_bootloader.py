"""Jobs remember that the agent gave them up with the ECU left in its bootloader.

Revision ID: programming_0004
Revises: programming_0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "programming_0004"
down_revision: str | None = "programming_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "jobs",
        sa.Column(
            "left_in_bootloader", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("jobs", "left_in_bootloader")
