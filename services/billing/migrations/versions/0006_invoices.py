"""Invoices and credit notes (gap-free yearly numbers), the dated record of every VAT id check,
the queue of invoice mails, and the owner's e-mail on the customers projection (where invoices
go until the organisation sets an invoice address).

Revision ID: 0006_invoices
Revises: 0005_customers
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_invoices"
down_revision = "0005_customers"
branch_labels = None
depends_on = None

_NOW = sa.text("now()")

# Issued invoices are documents of record: the database itself refuses to change or delete
# them (a correction is a credit note, never an edit).
_IMMUTABLE_FUNCTION = """
CREATE FUNCTION billing_refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices are immutable (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column("owner_email", sa.Text(), nullable=False, server_default=sa.text("''")),
    )
    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number > 0", name="ck_invoice_counters_positive"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.Text(), nullable=False, unique=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("credited_invoice_id", sa.Uuid(), sa.ForeignKey("invoices.id"), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("treatment", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("seller", sa.JSON(), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("vat_breakdown", sa.JSON(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoices_kind"),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name="ck_invoices_credit_note_refers",
        ),
        sa.CheckConstraint(
            "gross_minor = net_minor + vat_minor", name="ck_invoices_gross_is_net_plus_vat"
        ),
        sa.CheckConstraint("char_length(currency) = 3", name="ck_invoices_currency_iso"),
    )
    op.create_index(
        "ix_invoices_organization_id_issued_at", "invoices", ["organization_id", "issued_at"]
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    # One invoice per order; credit notes may be several.
    op.create_index(
        "uq_invoices_order_invoice",
        "invoices",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "invoice_id", sa.Uuid(), sa.ForeignKey("invoices.id"), nullable=False, index=True
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_net_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("vin", sa.Text(), nullable=True),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_until", sa.DateTime(timezone=True), nullable=True),
        # On a credit note: the invoice line it takes back.
        sa.Column(
            "credited_line_id", sa.Uuid(), sa.ForeignKey("invoice_lines.id"), nullable=True
        ),
        sa.UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        sa.CheckConstraint("quantity > 0", name="ck_invoice_lines_quantity_positive"),
        sa.CheckConstraint("net_minor >= 0", name="ck_invoice_lines_net_not_negative"),
        sa.CheckConstraint("vat_minor >= 0", name="ck_invoice_lines_vat_not_negative"),
        sa.CheckConstraint("vat_rate_bp >= 0", name="ck_invoice_lines_rate_not_negative"),
    )
    # A line is credited at most once, even by two refunds racing each other.
    op.create_index(
        "uq_invoice_lines_credited_line_id",
        "invoice_lines",
        ["credited_line_id"],
        unique=True,
        postgresql_where=sa.text("credited_line_id IS NOT NULL"),
    )
    op.execute(_IMMUTABLE_FUNCTION)
    for table in ("invoices", "invoice_lines"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION billing_refuse_invoice_change()"
        )

    op.create_table(
        "vat_id_checks",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("vat_id", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("source IN ('checksum', 'vies')", name="ck_vat_id_checks_source"),
        sa.CheckConstraint(
            "result IN ('valid', 'invalid', 'unavailable')", name="ck_vat_id_checks_result"
        ),
    )
    op.create_index("ix_vat_id_checks_vat_id_checked_at", "vat_id_checks", ["vat_id", "checked_at"])

    op.create_table(
        "invoice_mail",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("invoice_id", sa.Uuid(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_invoice_mail_status_known"
        ),
    )
    op.create_index(
        "ix_invoice_mail_due",
        "invoice_mail",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("invoice_mail")
    op.drop_table("vat_id_checks")
    for table in ("invoice_lines", "invoices"):
        op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
    op.execute("DROP FUNCTION billing_refuse_invoice_change()")
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.drop_table("invoice_counters")
    op.drop_column("customers", "owner_email")
