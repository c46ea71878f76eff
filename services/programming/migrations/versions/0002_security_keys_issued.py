"""Count the security keys answered per flash job (capped per job).

Revision ID: programming_0002
Revises: programming_0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "programming_0002"
down_revision: str | None = "programming_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "jobs",
        sa.Column("security_keys_issued", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("jobs", "security_keys_issued")
