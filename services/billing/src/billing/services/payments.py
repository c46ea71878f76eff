"""Starting payments and applying the payment provider's signed callbacks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Entitlement, Invoice, Order
from billing.db.orders import OrderRepository
from billing.domain.catalog import ProductKind
from billing.domain.invoices import Party
from billing.domain.orders import FulfilmentStatus, OrderStatus, PaymentOutcome
from billing.domain.signatures import SignatureError, verify_signature
from billing.errors import (
    InvalidSignatureError,
    OrderAlreadyPaidError,
    OrderExpiredError,
    OrderNotFoundError,
    PaymentAmountMismatchError,
    PaymentInProgressError,
    PaymentNotRecognisedError,
    PaymentProviderUnavailableError,
)
from billing.events.publishing import record_entitlement_granted, record_order_paid
from billing.providers.base import CreatedPayment, PaymentProvider, PaymentProviderError
from billing.services.entitlements import grant_for_line
from billing.services.invoice_drafts import draft_for_order
from billing.services.invoicing import issue_invoice
from billing.services.orders import get_order
from servicekit.auth import Principal
from servicekit.logging import get_logger

__all__ = [
    "CallbackResult",
    "PaymentCallback",
    "apply_callback",
    "authenticate_callback",
    "start_checkout_payment",
    "start_payment",
]

log = get_logger(__name__)


async def start_payment(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    provider: PaymentProvider,
    idempotency_key: str,
) -> tuple[Order, CreatedPayment]:
    """Ask the provider to collect the order's gross amount; the order stays
    ``pending_payment`` until the provider's callback arrives.

    Raises OrderNotFoundError, OrderAlreadyPaidError, PaymentInProgressError (a payment is
    already under way; reconciliation ends it if its callback never comes),
    PaymentProviderUnavailableError.
    """
    # Locked, so a concurrent payment request or callback for this order waits for us.
    order = await get_order(session, principal.organization_id, order_id, for_update=True)
    if order.status == OrderStatus.PAID:
        raise OrderAlreadyPaidError(
            f"Order {order.id} is paid already; its pass is in GET /entitlements."
        )
    now = datetime.now(UTC)
    expires = order.reservation_expires_at
    # Past its reservation an order without a payment under way is as good as expired (the
    # sweep may not have come by yet): its stock is about to go back.
    reservation_over = expires is not None and expires <= now
    no_payment_running = order.payment_id is None or order.status == OrderStatus.FAILED
    if order.status == OrderStatus.EXPIRED or (reservation_over and no_payment_running):
        raise OrderExpiredError(
            f"Order {order.id} was not paid in time and its tools went back to stock; "
            "check out again.",
        )
    if order.status == OrderStatus.PENDING_PAYMENT and order.payment_id is not None:
        raise PaymentInProgressError(
            f"Payment {order.payment_id} for order {order.id} is under way; wait for its "
            f"result in GET /orders/{order.id} instead of paying again.",
            payment_id=order.payment_id,
        )
    payment = await _create_payment(
        session,
        order,
        provider=provider,
        idempotency_key=f"{principal.organization_id}:{idempotency_key}",
        now=now,
    )
    return order, payment


async def start_checkout_payment(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    *,
    provider: PaymentProvider,
    idempotency_key: str,
) -> CreatedPayment | None:
    """Start paying an order checkout has just placed; None when the provider cannot be
    reached: the order stands, and POST /orders/{id}/payment pays it later."""
    try:
        return await _create_payment(
            session,
            order,
            provider=provider,
            idempotency_key=f"{principal.organization_id}:{idempotency_key}",
            now=datetime.now(UTC),
        )
    except PaymentProviderUnavailableError:
        log.warning("payment not started at checkout; the buyer can retry", order_id=str(order.id))
        return None


async def _create_payment(
    session: AsyncSession,
    order: Order,
    *,
    provider: PaymentProvider,
    idempotency_key: str,
    now: datetime,
) -> CreatedPayment:
    try:
        # The provider deduplicates by this key, so a retry after a lost commit does not
        # charge twice.
        payment = await provider.create_payment(
            order_reference=str(order.id),
            amount_minor=order.gross_minor,
            currency=order.currency,
            idempotency_key=idempotency_key,
        )
    except PaymentProviderError as exc:
        raise PaymentProviderUnavailableError(
            f"The payment provider did not accept the payment ({exc}); retry in a minute."
        ) from exc
    # A declined earlier attempt (failed) is replaced by this one.
    order.status = OrderStatus.PENDING_PAYMENT.value
    order.payment_id = payment.payment_id
    order.payment_started_at = now
    await session.flush()
    return payment


def authenticate_callback(
    body: bytes, signature: str | None, *, secret: bytes, now: int, tolerance_seconds: int
) -> None:
    """Raises InvalidSignatureError unless ``signature`` signs ``body`` with ``secret`` within
    ``tolerance_seconds`` of ``now`` (unix seconds)."""
    try:
        verify_signature(
            signature, body, secret=secret, now=now, tolerance_seconds=tolerance_seconds
        )
    except SignatureError as exc:
        raise InvalidSignatureError(
            f"The payment callback is not authentic: {exc}. Only the payment provider may "
            "call this endpoint."
        ) from exc


@dataclass(frozen=True)
class PaymentCallback:
    """What the provider reports about one payment; amounts in minor units."""

    payment_id: str
    order_reference: uuid.UUID
    outcome: PaymentOutcome
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class CallbackResult:
    order: Order
    changed: bool
    entitlements: tuple[Entitlement, ...] = ()
    # The invoice issued with the payment (None when nothing changed).
    invoice: Invoice | None = None


async def apply_callback(
    session: AsyncSession, callback: PaymentCallback, *, now: datetime, seller: Party
) -> CallbackResult:
    """Apply an authenticated callback. A repeated callback changes nothing.

    On success the order becomes paid, one entitlement is granted per pass, the invoice is
    issued (numbered in this very transaction, so a rolled-back payment leaves no gap) and
    queued for mail, and OrderPaid, EntitlementGranted and InvoiceIssued go to the outbox, all in
    the caller's transaction.
    Raises OrderNotFoundError, PaymentNotRecognisedError (the order has another payment,
    possibly not yet committed: the provider retries), PaymentAmountMismatchError.
    """
    order = await OrderRepository(session).get_for_update(callback.order_reference)
    if order is None:
        raise OrderNotFoundError(f"There is no order {callback.order_reference}.")
    if order.payment_id != callback.payment_id:
        if order.status == OrderStatus.PAID or callback.outcome == PaymentOutcome.FAILED:
            # A superseded attempt: nothing left to change. A second success would be a double
            # charge for a human to refund.
            log.warning(
                "callback for a superseded payment ignored",
                order_id=str(order.id),
                payment_id=callback.payment_id,
                outcome=callback.outcome.value,
            )
            return CallbackResult(order=order, changed=False)
        raise PaymentNotRecognisedError(
            f"Order {order.id} has no payment {callback.payment_id} (yet); retry later."
        )
    if order.status == OrderStatus.PAID:
        return CallbackResult(order=order, changed=False)
    if order.status == OrderStatus.EXPIRED:
        # Expiry only takes orders with no payment under way, so this is a provider reporting
        # on a payment it had already settled: a human must look (and refund).
        log.error(
            "callback for an expired order ignored",
            order_id=str(order.id),
            payment_id=callback.payment_id,
            outcome=callback.outcome.value,
        )
        return CallbackResult(order=order, changed=False)
    if callback.outcome == PaymentOutcome.FAILED:
        if order.status == OrderStatus.FAILED:
            return CallbackResult(order=order, changed=False)
        order.status = OrderStatus.FAILED.value
        await session.flush()
        return CallbackResult(order=order, changed=True)
    if callback.amount_minor != order.gross_minor or callback.currency != order.currency:
        raise PaymentAmountMismatchError(
            f"The payment covers {callback.amount_minor} {callback.currency} (minor units) but "
            f"order {order.id} costs {order.gross_minor} {order.currency}; the order stays "
            "unpaid.",
        )
    order.status = OrderStatus.PAID.value
    order.paid_at = now
    lines = await OrderRepository(session).lines_of(order.id)
    if any(line.kind == ProductKind.TOOL for line in lines):
        order.fulfilment_status = FulfilmentStatus.AWAITING_PICK.value
    await session.flush()
    # By chain, so that two payments of one organisation take the chain locks in one order.
    passes = sorted(
        (line for line in lines if line.kind != ProductKind.TOOL),
        key=lambda line: (line.scope or "", line.vin or "", line.position),
    )
    entitlements = [await grant_for_line(session, order, line, now=now) for line in passes]
    invoice: Invoice | None = None
    if order.customer_legal_name is not None:
        invoice = await issue_invoice(
            session,
            draft_for_order(order, lines, {e.order_line_id: e for e in entitlements}),
            now=now,
            seller=seller,
        )
    else:
        # Only an order placed before checkout kept the buyer's company data (migration
        # 0008_checkout) can lack it: the office must invoice it by hand.
        log.error("paid order has no customer snapshot to invoice", order_id=str(order.id))
    await record_order_paid(session, order, lines, invoice_number=invoice.number if invoice else "")
    for entitlement in entitlements:
        await record_entitlement_granted(session, entitlement)
    log.info(
        "order paid",
        order_id=str(order.id),
        organization_id=str(order.organization_id),
        passes=len(entitlements),
        tools=sum(line.quantity for line in lines if line.kind == ProductKind.TOOL),
    )
    return CallbackResult(
        order=order, changed=True, entitlements=tuple(entitlements), invoice=invoice
    )
