"""Starting payments and applying the payment provider's signed callbacks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Entitlement, Order
from billing.db.orders import OrderRepository
from billing.domain.orders import OrderStatus, PaymentOutcome
from billing.domain.signatures import SignatureError, verify_signature
from billing.errors import (
    InvalidSignatureError,
    OrderAlreadyPaidError,
    OrderNotFoundError,
    PaymentAmountMismatchError,
    PaymentInProgressError,
    PaymentNotRecognisedError,
    PaymentProviderUnavailableError,
)
from billing.events.publishing import record_entitlement_granted, record_order_paid
from billing.providers.base import CreatedPayment, PaymentProvider, PaymentProviderError
from billing.services.entitlements import grant_for_order
from billing.services.orders import get_order
from servicekit.auth import Principal
from servicekit.logging import get_logger

__all__ = [
    "CallbackResult",
    "PaymentCallback",
    "apply_callback",
    "authenticate_callback",
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
    if order.status == OrderStatus.PENDING_PAYMENT and order.payment_id is not None:
        raise PaymentInProgressError(
            f"Payment {order.payment_id} for order {order.id} is under way; wait for its "
            f"result in GET /orders/{order.id} instead of paying again.",
            payment_id=order.payment_id,
        )
    try:
        # The provider deduplicates by this key, so a retry after a lost commit does not
        # charge twice.
        payment = await provider.create_payment(
            order_reference=str(order.id),
            amount_minor=order.gross_minor,
            currency=order.currency,
            idempotency_key=f"{principal.organization_id}:{idempotency_key}",
        )
    except PaymentProviderError as exc:
        raise PaymentProviderUnavailableError(
            f"The payment provider did not accept the payment ({exc}); retry in a minute."
        ) from exc
    # A declined earlier attempt (failed) is replaced by this one.
    order.status = OrderStatus.PENDING_PAYMENT.value
    order.payment_id = payment.payment_id
    order.payment_started_at = datetime.now(UTC)
    await session.flush()
    return order, payment


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
    entitlement: Entitlement | None = None


async def apply_callback(
    session: AsyncSession, callback: PaymentCallback, *, now: datetime
) -> CallbackResult:
    """Apply an authenticated callback. A repeated callback changes nothing.

    On success the order becomes paid, its entitlement is granted and OrderPaid and
    EntitlementGranted go to the outbox, all in the caller's transaction.
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
    await session.flush()
    entitlement = await grant_for_order(session, order, now=now)
    await record_order_paid(session, order)
    await record_entitlement_granted(session, entitlement)
    log.info(
        "order paid",
        order_id=str(order.id),
        organization_id=str(order.organization_id),
        scope=entitlement.scope,
        valid_until=entitlement.valid_until.isoformat(),
    )
    return CallbackResult(order=order, changed=True, entitlement=entitlement)
