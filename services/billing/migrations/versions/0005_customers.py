"""Billing's projection of each organisation's company data (identity's events), for VAT
decisions and invoices.

Revision ID: 0005_customers
Revises: 0004_token_revocations
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_customers"
down_revision = "0004_token_revocations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("organization_id", sa.Uuid(), primary_key=True),
        sa.Column("legal_name", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("postcode", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("city", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("vat_id", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("invoice_email", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.CheckConstraint("char_length(country) = 2", name="ck_customers_country_iso"),
    )


def downgrade() -> None:
    op.drop_table("customers")
