"""Per-VIN passes and revocations in the entitlement projection.

``vin`` is set for a per-VIN pass (it covers that vehicle only). A revoked window keeps its
row, with ``revoked_at`` and ``revocation_reason``, as the audit trail of what was granted and
when it was taken back; it gives no access from ``revoked_at`` on.

Revision ID: programming_0006
Revises: programming_0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "programming_0006"
down_revision = "programming_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entitlements", sa.Column("vin", sa.Text(), nullable=True))
    op.add_column(
        "entitlements", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("entitlements", sa.Column("revocation_reason", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_entitlements_vin"), "entitlements", "vin IS NULL OR vin ~ '^[A-HJ-NPR-Z0-9]{17}$'"
    )


def downgrade() -> None:
    op.drop_constraint("ck_entitlements_vin", "entitlements", type_="check")
    op.drop_column("entitlements", "revocation_reason")
    op.drop_column("entitlements", "revoked_at")
    op.drop_column("entitlements", "vin")
