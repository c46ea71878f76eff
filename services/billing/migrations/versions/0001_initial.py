"""Catalog, orders, entitlements, idempotency keys, and the outbox/inbox tables.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from servicekit.migrations import create_messaging_tables, drop_messaging_tables
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    create_messaging_tables(op)
    # Equality on uuid/text inside a GiST exclusion constraint (trusted extension since PG 13).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    op.create_table(
        "products",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_products"),
        sa.CheckConstraint("scope IN ('AIR', 'PROGRAMMING')", name="ck_products_scope"),
        sa.CheckConstraint("duration_seconds > 0", name="ck_products_duration_positive"),
        sa.CheckConstraint("net_minor >= 0", name="ck_products_net_not_negative"),
        sa.CheckConstraint("char_length(currency) = 3", name="ck_products_currency_iso"),
    )

    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_percent", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("payment_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name="fk_orders_product_code_products"
        ),
        sa.UniqueConstraint("payment_id", name="uq_orders_payment_id"),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'paid', 'failed')", name="ck_orders_status"
        ),
        sa.CheckConstraint(
            "gross_minor = net_minor + vat_minor", name="ck_orders_gross_is_net_plus_vat"
        ),
        sa.CheckConstraint(
            "(status = 'paid') = (paid_at IS NOT NULL)", name="ck_orders_paid_at_iff_paid"
        ),
    )
    op.create_index(
        "ix_orders_organization_id_created_at", "orders", ["organization_id", "created_at"]
    )

    op.create_table(
        "entitlements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entitlements"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_entitlements_order_id_orders"),
        sa.UniqueConstraint("order_id", name="uq_entitlements_order_id"),
        sa.CheckConstraint("scope IN ('AIR', 'PROGRAMMING')", name="ck_entitlements_scope"),
        sa.CheckConstraint("valid_until > valid_from", name="ck_entitlements_window_not_empty"),
        postgresql.ExcludeConstraint(
            (sa.column("organization_id"), "="),
            (sa.column("scope"), "="),
            (sa.func.tstzrange(sa.text("valid_from"), sa.text("valid_until")), "&&"),
            name="ex_entitlements_no_overlap",
            using="gist",
        ),
    )
    op.create_index(
        "ix_entitlements_chain", "entitlements", ["organization_id", "scope", "valid_until"]
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("request_fingerprint", sa.Text(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", postgresql.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint(
            "organization_id", "key", name="uq_idempotency_keys_organization_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_entitlements_chain", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_index("ix_orders_organization_id_created_at", table_name="orders")
    op.drop_table("orders")
    op.drop_table("products")
    drop_messaging_tables(op)
