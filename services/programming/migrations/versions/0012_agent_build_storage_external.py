"""Agent builds are stored uncompressed out of line (STORAGE EXTERNAL), so each 1 MiB slice
a download reads with substring() costs its own size: a compressed TOAST value is decompressed
from its first byte for every slice, which makes a whole download quadratic. The builds are
PyInstaller archives, compressed already; PostgreSQL's compression gains nothing on them.

Builds stored before this keep their storage until they are written again.

Revision ID: programming_0012
Revises: programming_0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "programming_0012"
down_revision = "programming_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE agent_builds ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.execute("ALTER TABLE agent_builds ALTER COLUMN content SET STORAGE EXTENDED")
