"""Checkout: orders with lines, tools with stock, per-VIN passes, shipping, refunds.

Every existing order becomes an order with one line (its pass); every existing entitlement is
linked to that line. The order keeps its totals; the per-line VAT rate is the flat rate the
order was charged (percent x 100 basis points). The downgrade folds single-pass orders back
and refuses while anything newer (several lines, tools, VIN passes, refunds) exists.

Revision ID: 0008_checkout
Revises: 0007_usage
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_checkout"
down_revision = "0007_usage"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def _products() -> None:
    op.add_column(
        "products", sa.Column("kind", sa.Text(), nullable=False, server_default=sa.text("'PASS'"))
    )
    op.add_column(
        "products",
        sa.Column("description", sa.Text(), nullable=False, server_default=sa.text("''")),
    )
    op.add_column("products", sa.Column("stock_available", sa.Integer(), nullable=True))
    op.add_column("products", sa.Column("weight_grams", sa.Integer(), nullable=True))
    op.alter_column("products", "scope", nullable=True)
    op.alter_column("products", "duration_seconds", nullable=True)
    op.drop_constraint("ck_products_scope", "products", type_="check")
    op.create_check_constraint(
        op.f("ck_products_kind"), "products", "kind IN ('PASS', 'VIN_PASS', 'TOOL')"
    )
    # A pass has a scope and a duration and no stock; a tool the other way round.
    op.create_check_constraint(
        op.f("ck_products_pass_shape"),
        "products",
        "(kind = 'TOOL' AND scope IS NULL AND duration_seconds IS NULL "
        "AND stock_available IS NOT NULL AND weight_grams IS NOT NULL) OR "
        "(kind <> 'TOOL' AND scope IN ('AIR', 'PROGRAMMING') AND duration_seconds IS NOT NULL "
        "AND stock_available IS NULL AND weight_grams IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_products_stock_not_negative"), "products", "stock_available >= 0"
    )
    op.create_check_constraint(op.f("ck_products_weight_positive"), "products", "weight_grams > 0")


def _order_lines() -> None:
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_net_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("vin", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_lines_order_id_orders"
        ),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name="fk_order_lines_product_code_products"
        ),
        sa.UniqueConstraint("order_id", "position", name="uq_order_lines_order_id_position"),
        sa.CheckConstraint("kind IN ('PASS', 'VIN_PASS', 'TOOL')", name="ck_order_lines_kind"),
        sa.CheckConstraint("quantity BETWEEN 1 AND 99", name="ck_order_lines_quantity"),
        sa.CheckConstraint(
            "net_minor = quantity * unit_net_minor", name="ck_order_lines_net_is_quantity_x_unit"
        ),
        sa.CheckConstraint(
            "gross_minor = net_minor + vat_minor", name="ck_order_lines_gross_is_net_plus_vat"
        ),
        sa.CheckConstraint("(kind = 'VIN_PASS') = (vin IS NOT NULL)", name="ck_order_lines_vin"),
        sa.CheckConstraint(
            "kind = 'TOOL' OR (quantity = 1 AND duration_seconds IS NOT NULL "
            "AND scope IN ('AIR', 'PROGRAMMING'))",
            name="ck_order_lines_pass_shape",
        ),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"])


def _orders() -> None:
    columns = [
        # The customer as billing knew it when the order was placed.
        sa.Column("customer_legal_name", sa.Text(), nullable=True),
        sa.Column("customer_street", sa.Text(), nullable=True),
        sa.Column("customer_postcode", sa.Text(), nullable=True),
        sa.Column("customer_city", sa.Text(), nullable=True),
        sa.Column("customer_country", sa.Text(), nullable=True),
        sa.Column("customer_vat_id", sa.Text(), nullable=True),
        sa.Column("vat_id_status", sa.Text(), nullable=True),
        sa.Column("tax_treatment", sa.Text(), nullable=True),
        sa.Column("tax_note", sa.Text(), nullable=True),
        sa.Column("terms_version", sa.Text(), nullable=True),
        sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipping_name", sa.Text(), nullable=True),
        sa.Column("shipping_street", sa.Text(), nullable=True),
        sa.Column("shipping_postcode", sa.Text(), nullable=True),
        sa.Column("shipping_city", sa.Text(), nullable=True),
        sa.Column("shipping_country", sa.Text(), nullable=True),
        sa.Column("shipping_rule", sa.Text(), nullable=True),
        sa.Column(
            "shipping_net_minor", sa.BigInteger(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column(
            "shipping_vat_minor", sa.BigInteger(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column(
            "shipping_vat_rate_bp", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column("reservation_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "fulfilment_status", sa.Text(), nullable=False, server_default=sa.text("'none'")
        ),
        sa.Column("carrier", sa.Text(), nullable=True),
        sa.Column("tracking_number", sa.Text(), nullable=True),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    ]
    for column in columns:
        op.add_column("orders", column)
    op.drop_constraint("ck_orders_status", "orders", type_="check")
    op.create_check_constraint(
        op.f("ck_orders_status"), "orders", "status IN ('pending_payment', 'paid', 'failed', 'expired')"
    )
    op.create_check_constraint(
        op.f("ck_orders_fulfilment_status"),
        "orders",
        "fulfilment_status IN ('none', 'awaiting_pick', 'picked', 'shipped', 'delivered')",
    )
    op.create_check_constraint(
        op.f("ck_orders_shipped_has_tracking"),
        "orders",
        "fulfilment_status NOT IN ('shipped', 'delivered') OR tracking_number IS NOT NULL",
    )
    # The expiry sweep looks for unpaid orders whose reservation ran out.
    op.create_index(
        op.f("ix_orders_reservation_expires_at"),
        "orders",
        ["reservation_expires_at"],
        postgresql_where=sa.text(
            "status IN ('pending_payment', 'failed') AND reservation_expires_at IS NOT NULL"
        ),
    )


def _entitlements() -> None:
    op.add_column("entitlements", sa.Column("order_line_id", sa.Uuid(), nullable=True))
    op.add_column("entitlements", sa.Column("vin", sa.Text(), nullable=True))
    op.add_column(
        "entitlements", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.drop_constraint("uq_entitlements_order_id", "entitlements", type_="unique")
    op.execute("ALTER TABLE entitlements DROP CONSTRAINT ex_entitlements_no_overlap")


def upgrade() -> None:
    _products()
    _order_lines()
    _orders()
    _entitlements()
    # Data: each existing order becomes one line, and its entitlement points at that line.
    op.execute(
        """
        INSERT INTO order_lines (id, order_id, position, product_code, kind, scope, name,
            quantity, unit_net_minor, net_minor, vat_rate_bp, vat_minor, gross_minor,
            duration_seconds)
        SELECT gen_random_uuid(), o.id, 0, o.product_code, 'PASS', o.scope, p.name,
            1, o.net_minor, o.net_minor, o.vat_rate_percent * 100, o.vat_minor, o.gross_minor,
            o.duration_seconds
        FROM orders o JOIN products p ON p.code = o.product_code
        """
    )
    op.execute(
        """
        UPDATE entitlements e SET order_line_id = l.id
        FROM order_lines l WHERE l.order_id = e.order_id
        """
    )
    op.alter_column("entitlements", "order_line_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_entitlements_order_line_id_order_lines"),
        "entitlements",
        "order_lines",
        ["order_line_id"],
        ["id"],
    )
    # One entitlement per paid pass line: a repeated payment callback cannot grant twice.
    op.create_unique_constraint(
        op.f("uq_entitlements_order_line_id"), "entitlements", ["order_line_id"]
    )
    # Windows of one organisation, scope and VIN ('' = a time pass) never overlap, except
    # revoked ones; a per-VIN pass may run beside a time pass.
    op.execute(
        """
        ALTER TABLE entitlements ADD CONSTRAINT ex_entitlements_no_overlap
        EXCLUDE USING gist (
            organization_id WITH =,
            scope WITH =,
            coalesce(vin, '') WITH =,
            tstzrange(valid_from, valid_until) WITH &&
        ) WHERE (revoked_at IS NULL)
        """
    )
    op.create_check_constraint(
        op.f("ck_entitlements_vin_length"), "entitlements", "vin IS NULL OR char_length(vin) = 17"
    )
    op.drop_constraint("fk_orders_product_code_products", "orders", type_="foreignkey")
    for column in ("product_code", "scope", "duration_seconds", "vat_rate_percent"):
        op.drop_column("orders", column)


def downgrade() -> None:
    """Back to one product per order. Possible only while every order is a single time pass
    and nothing was refunded or expired: other orders have no place in the old shape."""
    bind = op.get_bind()
    blocking = bind.execute(
        sa.text(
            """
            SELECT count(*) FROM orders o
            WHERE status = 'expired'
               OR (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) <> 1
               OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id
                          AND (l.kind <> 'PASS' OR l.refunded_at IS NOT NULL))
            """
        )
    ).scalar_one()
    if blocking:
        raise RuntimeError(
            f"{blocking} order(s) have several lines, tools, per-VIN passes, refunds or expired "
            "reservations, which the schema before 0008_checkout cannot hold; restore a backup "
            "taken before the upgrade instead."
        )
    op.execute("ALTER TABLE entitlements DROP CONSTRAINT ex_entitlements_no_overlap")
    op.drop_constraint(op.f("ck_entitlements_vin_length"), "entitlements", type_="check")
    op.drop_constraint(op.f("uq_entitlements_order_line_id"), "entitlements", type_="unique")
    op.drop_constraint(
        op.f("fk_entitlements_order_line_id_order_lines"), "entitlements", type_="foreignkey"
    )
    for column in ("order_line_id", "vin", "revoked_at"):
        op.drop_column("entitlements", column)
    op.create_unique_constraint("uq_entitlements_order_id", "entitlements", ["order_id"])
    op.execute(
        """
        ALTER TABLE entitlements ADD CONSTRAINT ex_entitlements_no_overlap
        EXCLUDE USING gist (
            organization_id WITH =, scope WITH =, tstzrange(valid_from, valid_until) WITH &&
        )
        """
    )

    op.add_column("orders", sa.Column("product_code", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("scope", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("duration_seconds", sa.Integer(), nullable=True))
    op.add_column("orders", sa.Column("vat_rate_percent", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE orders o SET product_code = l.product_code, scope = l.scope,
            duration_seconds = l.duration_seconds, vat_rate_percent = l.vat_rate_bp / 100
        FROM order_lines l WHERE l.order_id = o.id
        """
    )
    for column in ("product_code", "scope", "duration_seconds", "vat_rate_percent"):
        op.alter_column("orders", column, nullable=False)
    op.create_foreign_key(
        "fk_orders_product_code_products", "orders", "products", ["product_code"], ["code"]
    )
    op.drop_index(op.f("ix_orders_reservation_expires_at"), table_name="orders")
    for name in ("ck_orders_shipped_has_tracking", "ck_orders_fulfilment_status"):
        op.drop_constraint(op.f(name), "orders", type_="check")
    op.drop_constraint(op.f("ck_orders_status"), "orders", type_="check")
    op.create_check_constraint(
        "ck_orders_status", "orders", "status IN ('pending_payment', 'paid', 'failed')"
    )
    for column in (
        "customer_legal_name",
        "customer_street",
        "customer_postcode",
        "customer_city",
        "customer_country",
        "customer_vat_id",
        "vat_id_status",
        "tax_treatment",
        "tax_note",
        "terms_version",
        "terms_accepted_at",
        "shipping_name",
        "shipping_street",
        "shipping_postcode",
        "shipping_city",
        "shipping_country",
        "shipping_rule",
        "shipping_net_minor",
        "shipping_vat_minor",
        "shipping_vat_rate_bp",
        "reservation_expires_at",
        "fulfilment_status",
        "carrier",
        "tracking_number",
        "picked_at",
        "shipped_at",
        "delivered_at",
    ):
        op.drop_column("orders", column)
    op.drop_table("order_lines")

    op.execute("DELETE FROM products WHERE kind <> 'PASS'")
    for name in (
        "ck_products_weight_positive",
        "ck_products_stock_not_negative",
        "ck_products_pass_shape",
        "ck_products_kind",
    ):
        op.drop_constraint(op.f(name), "products", type_="check")
    for column in ("kind", "description", "stock_available", "weight_grams"):
        op.drop_column("products", column)
    op.alter_column("products", "scope", nullable=False)
    op.alter_column("products", "duration_seconds", nullable=False)
    op.create_check_constraint("ck_products_scope", "products", "scope IN ('AIR', 'PROGRAMMING')")
