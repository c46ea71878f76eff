"""Workshops: the company name and city the service book shows for an entry's author.

Projected from identity.v1 (OrganizationRegistered, OrganizationUpdated, OrganizationClosed).

Revision ID: air_0005
Revises: air_0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "air_0005"
down_revision = "air_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_workshops")),
    )


def downgrade() -> None:
    op.drop_table("workshops")
