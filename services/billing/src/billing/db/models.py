"""Billing tables. Prices and durations are copied onto each order when it is placed, so a
later catalog change never alters what a customer was charged or what they receive."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import new_metadata
from servicekit.mail import QueuedMailColumns

__all__ = [
    "Base",
    "Customer",
    "Entitlement",
    "ExpiryNotice",
    "ExpirySetting",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "InvoiceMail",
    "Member",
    "Order",
    "OrderLine",
    "Product",
    "TestProviderPayment",
    "UsageFact",
    "VatIdCheck",
]

_NOW = text("now()")


class Base(DeclarativeBase):
    metadata = new_metadata()


class Customer(Base):
    """Billing's copy of an organisation's company data, fed by identity's events
    (OrganizationRegistered, OrganizationUpdated); invoices and tax decisions read it.

    ``source_updated_at`` is when identity made the change: an event older than the row is
    ignored, so a late redelivery never overwrites newer data.
    """

    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("char_length(country) = 2", name="country_iso"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    legal_name: Mapped[str] = mapped_column(Text)
    street: Mapped[str] = mapped_column(Text, server_default=text("''"))
    postcode: Mapped[str] = mapped_column(Text, server_default=text("''"))
    city: Mapped[str] = mapped_column(Text, server_default=text("''"))
    country: Mapped[str] = mapped_column(Text)
    # As identity holds it (normalised, with its country prefix), '' when there is none.
    vat_id: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # Where invoices are mailed; '' until identity sends one.
    invoice_email: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # The owner's e-mail (UserRegistered): where invoices go until an invoice address is set.
    owner_email: Mapped[str] = mapped_column(Text, server_default=text("''"))
    source_updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=_NOW, onupdate=func.now()
    )

    @property
    def invoice_recipient(self) -> str:
        """Where invoices are mailed: the invoice address, else the owner's ('' if neither)."""
        return self.invoice_email or self.owner_email


class Product(Base):
    """A sellable product: a time pass, a 24-hour pass for one VIN, or a tool (with stock).
    Rows are seeded once and may be edited in place (CLI) to change prices and stock."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("kind IN ('PASS', 'VIN_PASS', 'TOOL')", name="kind"),
        CheckConstraint(
            "(kind = 'TOOL' AND scope IS NULL AND duration_seconds IS NULL "
            "AND stock_available IS NOT NULL AND weight_grams IS NOT NULL) OR "
            "(kind <> 'TOOL' AND scope IN ('AIR', 'PROGRAMMING') AND duration_seconds IS NOT NULL "
            "AND stock_available IS NULL AND weight_grams IS NULL)",
            name="pass_shape",
        ),
        CheckConstraint("duration_seconds > 0", name="duration_positive"),
        CheckConstraint("net_minor >= 0", name="net_not_negative"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint("stock_available >= 0", name="stock_not_negative"),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, server_default=text("'PASS'"))
    scope: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    # Tools only: units that can still be sold (reserved units are already taken off).
    stock_available: Mapped[int | None] = mapped_column(Integer)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    # Withdrawn products stay for the orders that reference them but are no longer sold.
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=_NOW, onupdate=func.now()
    )


class Order(Base):
    """An order: its lines, the customer and tax as they were when it was placed, its totals
    (lines plus shipping), the terms accepted, and for tools the shipping and fulfilment."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending_payment', 'paid', 'failed', 'expired')", name="status"
        ),
        CheckConstraint("gross_minor = net_minor + vat_minor", name="gross_is_net_plus_vat"),
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid_at_iff_paid"),
        CheckConstraint(
            "fulfilment_status IN ('none', 'awaiting_pick', 'picked', 'shipped', 'delivered')",
            name="fulfilment_status",
        ),
        CheckConstraint(
            "fulfilment_status NOT IN ('shipped', 'delivered') OR tracking_number IS NOT NULL",
            name="shipped_has_tracking",
        ),
        Index("ix_orders_organization_id_created_at", "organization_id", "created_at"),
        # Reconciliation looks for payments pending since before a cutoff.
        Index(
            "ix_orders_pending_payment_started_at",
            "payment_started_at",
            postgresql_where=text("status = 'pending_payment' AND payment_id IS NOT NULL"),
        ),
        # The expiry sweep looks for unpaid orders whose stock reservation ran out.
        Index(
            "ix_orders_reservation_expires_at",
            "reservation_expires_at",
            postgresql_where=text(
                "status IN ('pending_payment', 'failed') AND reservation_expires_at IS NOT NULL"
            ),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Totals of all lines and the shipping fee.
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    # The customer as billing knew it when the order was placed (null on orders from before
    # checkout existed).
    customer_legal_name: Mapped[str | None] = mapped_column(Text)
    customer_street: Mapped[str | None] = mapped_column(Text)
    customer_postcode: Mapped[str | None] = mapped_column(Text)
    customer_city: Mapped[str | None] = mapped_column(Text)
    customer_country: Mapped[str | None] = mapped_column(Text)
    customer_vat_id: Mapped[str | None] = mapped_column(Text)
    vat_id_status: Mapped[str | None] = mapped_column(Text)
    tax_treatment: Mapped[str | None] = mapped_column(Text)
    tax_note: Mapped[str | None] = mapped_column(Text)
    terms_version: Mapped[str | None] = mapped_column(Text)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipping_name: Mapped[str | None] = mapped_column(Text)
    shipping_street: Mapped[str | None] = mapped_column(Text)
    shipping_postcode: Mapped[str | None] = mapped_column(Text)
    shipping_city: Mapped[str | None] = mapped_column(Text)
    shipping_country: Mapped[str | None] = mapped_column(Text)
    shipping_rule: Mapped[str | None] = mapped_column(Text)
    shipping_net_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    shipping_vat_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    shipping_vat_rate_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Tools are reserved until then; an order still unpaid after it expires.
    reservation_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilment_status: Mapped[str] = mapped_column(Text, server_default=text("'none'"))
    carrier: Mapped[str | None] = mapped_column(Text)
    tracking_number: Mapped[str | None] = mapped_column(Text)
    picked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The provider's id of the current payment attempt.
    payment_id: Mapped[str | None] = mapped_column(Text, unique=True)
    # When the current payment attempt started; a payment pending long after it is reconciled.
    payment_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=_NOW, onupdate=func.now()
    )


class OrderLine(Base):
    """One product of an order, priced and taxed when the order was placed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position", name="uq_order_lines_order_id_position"),
        CheckConstraint("kind IN ('PASS', 'VIN_PASS', 'TOOL')", name="kind"),
        CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity"),
        CheckConstraint("net_minor = quantity * unit_net_minor", name="net_is_quantity_x_unit"),
        CheckConstraint("gross_minor = net_minor + vat_minor", name="gross_is_net_plus_vat"),
        CheckConstraint("(kind = 'VIN_PASS') = (vin IS NOT NULL)", name="vin"),
        CheckConstraint(
            "kind = 'TOOL' OR (quantity = 1 AND duration_seconds IS NOT NULL "
            "AND scope IN ('AIR', 'PROGRAMMING'))",
            name="pass_shape",
        ),
        Index("ix_order_lines_order_id", "order_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orders.id"))
    position: Mapped[int] = mapped_column(Integer)
    product_code: Mapped[str] = mapped_column(Text, ForeignKey("products.code"))
    kind: Mapped[str] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_net_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    vin: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    # Set when the pass of this line was cancelled and credited.
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Entitlement(Base):
    """The right of an organisation to use a scope during ``[valid_from, valid_until)``; for
    every vehicle (``vin`` null, a time pass) or for one (a per-VIN pass)."""

    __tablename__ = "entitlements"
    __table_args__ = (
        CheckConstraint("scope IN ('AIR', 'PROGRAMMING')", name="scope"),
        CheckConstraint("valid_until > valid_from", name="window_not_empty"),
        CheckConstraint("vin IS NULL OR char_length(vin) = 17", name="vin_length"),
        # The database itself refuses overlapping live windows of one organisation, scope and
        # VIN ('' for time passes), so a VIN pass may run beside a time pass; needs btree_gist.
        # The service chains windows under a lock.
        ExcludeConstraint(
            ("organization_id", "="),
            ("scope", "="),
            (func.coalesce(text("vin"), text("''")), "="),
            (func.tstzrange(text("valid_from"), text("valid_until")), "&&"),
            name="ex_entitlements_no_overlap",
            using="gist",
            where=text("revoked_at IS NULL"),
        ),
        Index("ix_entitlements_chain", "organization_id", "scope", "valid_until"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(Text)
    order_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orders.id"))
    # One entitlement per paid pass line: a repeated payment callback cannot grant twice.
    order_line_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("order_lines.id"), unique=True
    )
    vin: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A refunded pass: no longer usable, out of chains and of the overlap constraint.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class IdempotencyRecord(Base):
    """The answer given to the first request with a key, replayed to its retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("organization_id", "key", name="uq_idempotency_keys_organization_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    request_fingerprint: Mapped[str] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    # json, not jsonb: the text keeps its key order, so a replay is byte-identical.
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class TestProviderPayment(Base):
    """A payment of the TEST payment provider (a fake PSP), and its callback to billing.

    A real PSP keeps its payments on its own servers; the fake keeps them here so that a
    restart of billing neither forgets a payment nor drops its pending callback.
    """

    __test__ = False  # not a pytest test class, despite the name
    __tablename__ = "test_provider_payments"
    __table_args__ = (
        CheckConstraint("outcome IN ('succeeded', 'failed')", name="outcome"),
        Index(
            "ix_test_provider_payments_undelivered",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL"),
        ),
    )

    payment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    # Like a real PSP, one payment per idempotency key.
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    order_reference: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    # What the payment will end as, decided at creation; reported from settles_at on.
    outcome: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    settles_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The callback is (re)sent from then on until billing's webhook answers 2xx.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The trace context of the request that created the payment, sent back with the callback
    # (as a PSP echoes a merchant's metadata), so that a purchase is one trace.
    trace_context: Mapped[dict[str, str] | None] = mapped_column(
        JSONB(none_as_null=True), nullable=True
    )


class InvoiceCounter(Base):
    """The last invoice number given out in a year. Taken with ``UPDATE .. RETURNING`` in the
    transaction that issues the invoice: concurrent issuers queue on the row, and a rolled
    back transaction gives its number back, so numbers have no gap and no duplicate."""

    __tablename__ = "invoice_counters"
    __table_args__ = (CheckConstraint("last_number > 0", name="positive"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Invoice(Base):
    """An issued invoice or credit note, with snapshots of seller and customer as printed.

    Never updated or deleted (a database trigger refuses both); amounts of a credit note are
    positive, its kind says they are taken back.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind"),
        CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)", name="credit_note_refers"
        ),
        CheckConstraint("gross_minor = net_minor + vat_minor", name="gross_is_net_plus_vat"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        Index("ix_invoices_organization_id_issued_at", "organization_id", "issued_at"),
        Index("ix_invoices_order_id", "order_id"),
        Index(
            "uq_invoices_order_invoice",
            "order_id",
            unique=True,
            postgresql_where=text("kind = 'invoice'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    number: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    credited_invoice_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("invoices.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    currency: Mapped[str] = mapped_column(Text)
    treatment: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Why a credit note was issued (e.g. "refund"); None on an invoice.
    reason: Mapped[str | None] = mapped_column(Text)
    seller: Mapped[Any] = mapped_column(JSON)
    customer: Mapped[Any] = mapped_column(JSON)
    # [{rate_bp, net_minor, vat_minor}], one entry per rate, ascending.
    vat_breakdown: Mapped[Any] = mapped_column(JSON)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("net_minor >= 0", name="net_not_negative"),
        CheckConstraint("vat_minor >= 0", name="vat_not_negative"),
        CheckConstraint("vat_rate_bp >= 0", name="rate_not_negative"),
        Index(
            "uq_invoice_lines_credited_line_id",
            "credited_line_id",
            unique=True,
            postgresql_where=text("credited_line_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_code: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_net_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    vin: Mapped[str | None] = mapped_column(Text)
    period_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    period_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # On a credit note: the invoice line it takes back (at most one credit per line).
    credited_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("invoice_lines.id"))


class VatIdCheck(Base):
    """One check of a VAT id, kept with its date as an auditor asks for it: by checksum, or by
    the EU's VIES service (with the name, address and request id VIES answered)."""

    __tablename__ = "vat_id_checks"
    __table_args__ = (
        CheckConstraint("source IN ('checksum', 'vies')", name="source"),
        CheckConstraint("result IN ('valid', 'invalid', 'unavailable')", name="result"),
        Index("ix_vat_id_checks_vat_id_checked_at", "vat_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    vat_id: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    # Why VIES could not answer (result 'unavailable').
    error: Mapped[str | None] = mapped_column(Text)


class InvoiceMail(QueuedMailColumns, Base):
    """An invoice (or credit note) to mail with its PDF, queued in the issuing transaction and
    delivered after commit by servicekit.mail's sender (the delivery columns come from
    QueuedMailColumns). The PDF is rendered at send time from the stored invoice: it is
    deterministic, so the queue holds no copy of it."""

    __tablename__ = "invoice_mail"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        Index(
            "ix_invoice_mail_due", "next_attempt_at", postgresql_where=text("status = 'pending'")
        ),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("invoices.id"))


class UsageFact(Base):
    """One thing a member did, as air or programming reported it in an event: an AIR search or
    document read, a programming session or flash job. The usage read model (see the README).

    Keyed by the fact's own id (search, read, session or job id), not the event's: a replay of
    the same fact under a new event id is still one row. A session's row is written by
    SessionStarted and completed by SessionEnded, in either order.
    """

    __tablename__ = "usage_facts"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('air_search', 'air_document', 'programming_session', 'programming_job')",
            name="kind",
        ),
        CheckConstraint("ended_at IS NULL OR ended_at >= occurred_at", name="ends_after_start"),
        Index("ix_usage_facts_organization_day", "organization_id", "day"),
        Index("ix_usage_facts_organization_occurred", "organization_id", "kind", "occurred_at"),
    )

    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The member; None when the event did not say (a job whose session is not known yet).
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # '' when the fact concerns no vehicle (a keyword search without a VIN filter).
    vin: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # A job's session: its VIN and member are taken from there when the job's event lacks them.
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # When it happened: a search or read, a session's start, a job's end.
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The UTC day of occurred_at, the unit of the daily report.
    day: Mapped[date] = mapped_column(Date)
    # A session's end; None while it runs (or for other kinds).
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    entitlement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The event that first recorded the fact, to trace it back.
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class Member(Base):
    """Who a user id is, from identity's events (UserRegistered, MemberJoined), so the usage
    report can name members. Erased (email and name emptied) when identity removes a member."""

    __tablename__ = "members"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    email: Mapped[str] = mapped_column(Text, server_default=text("''"))
    name: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # When identity made the change: an older event never overwrites newer data.
    source_updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExpirySetting(Base):
    """An organisation's choice to be mailed before a pass ends; no row means off."""

    __tablename__ = "expiry_settings"
    __table_args__ = (CheckConstraint("hours_before BETWEEN 1 AND 168", name="hours_before_range"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    hours_before: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=_NOW, onupdate=func.now()
    )


class ExpiryNotice(Base):
    """One expiry e-mail: at most one per organisation, scope and end of coverage (the unique
    key), queued by the expiry job and marked sent once the SMTP server took it."""

    __tablename__ = "expiry_notices"
    __table_args__ = (
        UniqueConstraint("organization_id", "scope", "window_end", name="window_end"),
        CheckConstraint("status IN ('queued', 'sent', 'obsolete')", name="status"),
        CheckConstraint("scope IN ('AIR', 'PROGRAMMING')", name="scope"),
        Index("ix_expiry_notices_queued", "created_at", postgresql_where=text("status = 'queued'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(Text)
    # The end of the organisation's continuous coverage of the scope the mail warns about.
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # queued -> sent; obsolete when, before it went out, more time was bought or the end passed.
    status: Mapped[str] = mapped_column(Text, server_default=text("'queued'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
