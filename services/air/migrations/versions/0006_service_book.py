"""Service book: the entries workshops write per VIN (never deleted; voided ones stay).

Revision ID: air_0006
Revises: air_0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "air_0006"
down_revision = "air_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vin", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column(
            "work_items",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "parts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("next_due_mileage_km", sa.Integer(), nullable=True),
        sa.Column("corrects", sa.Uuid(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'active'"), nullable=False),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('inspection', 'oil_service', 'brake_fluid', 'repair', 'recall')",
            name=op.f("ck_service_entries_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'voided')", name=op.f("ck_service_entries_status")
        ),
        sa.CheckConstraint(
            "mileage_km BETWEEN 0 AND 2000000", name=op.f("ck_service_entries_mileage")
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_service_entries_revision")),
        sa.CheckConstraint("corrects <> id", name=op.f("ck_service_entries_corrects_other")),
        sa.ForeignKeyConstraint(
            ["corrects"],
            ["service_entries.id"],
            name=op.f("fk_service_entries_corrects_service_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_entries")),
    )
    op.create_index(
        "ix_service_entries_vin", "service_entries", ["vin", "performed_on"], unique=False
    )
    op.create_index(
        "ix_service_entries_corrects",
        "service_entries",
        ["corrects"],
        unique=False,
        postgresql_where=sa.text("corrects IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_service_entries_corrects", table_name="service_entries")
    op.drop_index("ix_service_entries_vin", table_name="service_entries")
    op.drop_table("service_entries")
