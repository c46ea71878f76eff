"""Turns billing facts into protobuf events in the outbox of the current transaction.

The aggregate id (and so the Kafka key) is the organisation: consumers see one organisation's
payments and entitlements in the order they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import billing_pb2
from billing.db.models import Entitlement, Invoice, Order, OrderLine
from billing.domain.catalog import Scope
from billing.domain.invoicing import InvoiceKind
from servicekit.outbox import OutboxWriter, RecordedEvent

__all__ = [
    "OUTBOX",
    "SOURCE",
    "TOPIC",
    "record_entitlement_granted",
    "record_entitlement_revoked",
    "record_invoice_issued",
    "record_order_paid",
    "scope_to_proto",
]

SOURCE = "billing"
TOPIC = "billing.v1"
# Every billing event goes through this writer; the relay adds the deployment's namespace.
OUTBOX = OutboxWriter(topic=TOPIC, source=SOURCE)

_SCOPES: dict[Scope, billing_pb2.Scope] = {
    Scope.AIR: billing_pb2.SCOPE_AIR,
    Scope.PROGRAMMING: billing_pb2.SCOPE_PROGRAMMING,
}


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def scope_to_proto(scope: Scope) -> billing_pb2.Scope:
    return _SCOPES[scope]


async def record_order_paid(
    session: AsyncSession, order: Order, lines: Sequence[OrderLine], *, invoice_number: str = ""
) -> RecordedEvent:
    """Raises ValueError when the order has no payment time or no lines."""
    if order.paid_at is None:
        raise ValueError(f"order {order.id} is not paid")
    if not lines:
        raise ValueError(f"order {order.id} has no lines")
    message = billing_pb2.OrderPaid(
        order_id=str(order.id),
        organization_id=str(order.organization_id),
        product_code=lines[0].product_code,
        amount_minor=order.gross_minor,
        currency=order.currency,
        paid_at=_timestamp(order.paid_at),
        lines=[
            billing_pb2.OrderLine(
                product_code=line.product_code,
                quantity=line.quantity,
                vin=line.vin or "",
                net_minor=line.net_minor,
            )
            for line in lines
        ],
        invoice_number=invoice_number,
    )
    return await OUTBOX.record(
        session, message, aggregate_id=str(order.organization_id), occurred_at=order.paid_at
    )


async def record_entitlement_granted(
    session: AsyncSession, entitlement: Entitlement
) -> RecordedEvent:
    message = billing_pb2.EntitlementGranted(
        entitlement_id=str(entitlement.id),
        organization_id=str(entitlement.organization_id),
        scope=scope_to_proto(Scope(entitlement.scope)),
        valid_from=_timestamp(entitlement.valid_from),
        valid_until=_timestamp(entitlement.valid_until),
        order_id=str(entitlement.order_id),
        vin=entitlement.vin or "",
    )
    return await OUTBOX.record(session, message, aggregate_id=str(entitlement.organization_id))


_INVOICE_KINDS: dict[InvoiceKind, billing_pb2.InvoiceKind] = {
    InvoiceKind.INVOICE: billing_pb2.INVOICE_KIND_INVOICE,
    InvoiceKind.CREDIT_NOTE: billing_pb2.INVOICE_KIND_CREDIT_NOTE,
}


async def record_invoice_issued(session: AsyncSession, invoice: Invoice) -> RecordedEvent:
    message = billing_pb2.InvoiceIssued(
        invoice_id=str(invoice.id),
        number=invoice.number,
        kind=_INVOICE_KINDS[InvoiceKind(invoice.kind)],
        organization_id=str(invoice.organization_id),
        order_id=str(invoice.order_id),
        credited_invoice_id=str(invoice.credited_invoice_id or ""),
        net_minor=invoice.net_minor,
        vat_minor=invoice.vat_minor,
        gross_minor=invoice.gross_minor,
        currency=invoice.currency,
        issued_at=_timestamp(invoice.issued_at),
    )
    return await OUTBOX.record(
        session,
        message,
        aggregate_id=str(invoice.organization_id),
        occurred_at=invoice.issued_at,
    )


async def record_entitlement_revoked(
    session: AsyncSession, entitlement: Entitlement
) -> RecordedEvent:
    """A refunded pass. Raises ValueError when the entitlement is not revoked."""
    if entitlement.revoked_at is None:
        raise ValueError(f"entitlement {entitlement.id} is not revoked")
    message = billing_pb2.EntitlementRevoked(
        entitlement_id=str(entitlement.id),
        organization_id=str(entitlement.organization_id),
        scope=scope_to_proto(Scope(entitlement.scope)),
        order_id=str(entitlement.order_id),
        vin=entitlement.vin or "",
        reason=billing_pb2.REVOCATION_REASON_REFUNDED,
        revoked_at=_timestamp(entitlement.revoked_at),
    )
    return await OUTBOX.record(
        session,
        message,
        aggregate_id=str(entitlement.organization_id),
        occurred_at=entitlement.revoked_at,
    )
