"""Flash jobs: count the security keys answered (capped per job); expiry of the download token.

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
    op.add_column(
        "jobs", sa.Column("download_token_expires_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("jobs", "download_token_expires_at")
    op.drop_column("jobs", "security_keys_issued")
