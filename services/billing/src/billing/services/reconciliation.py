"""Reconciliation: payments pending too long are asked from the provider, then settled.

The provider's callback is the normal way a payment ends. When it does not come (billing was
down when it was due, the provider gave up, a message was lost), the order must not stay
``pending_payment`` for good: a payment pending longer than a set time is looked up with the
provider's ``get_payment`` and applied through the same code path as the webhook
(:func:`billing.services.payments.apply_callback`), which is idempotent, so a callback arriving
at the same time changes nothing twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from billing.db.orders import OrderRepository
from billing.domain.invoices import Party
from billing.domain.orders import PaymentOutcome
from billing.errors import OrderNotFoundError
from billing.providers.base import PaymentProvider
from billing.services.payments import PaymentCallback, apply_callback
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.problems import ProblemError

__all__ = ["ReconciliationResult", "reconcile_pending_payments"]

log = get_logger(__name__)

# Payments looked at per run; the oldest first, the rest on the next run.
RECONCILE_BATCH = 100


@dataclass(frozen=True)
class ReconciliationResult:
    """How many overdue payments one run found, and what became of them."""

    checked: int = 0
    paid: int = 0
    failed: int = 0
    still_pending: int = 0


async def reconcile_pending_payments(
    database: Database,
    provider: PaymentProvider,
    *,
    older_than: timedelta,
    now: datetime,
    seller: Party,
) -> ReconciliationResult:
    """Settle every payment pending since before ``now - older_than`` that the provider has
    settled, and fail those the provider does not know. Each order is applied in its own
    transaction.

    Raises PaymentProviderError when the provider cannot be asked (nothing after it changes),
    and the database's errors when it is away.
    """
    async with database.transaction() as session:
        overdue = await OrderRepository(session).list_pending_payments(
            started_before=now - older_than, limit=RECONCILE_BATCH
        )
    paid = failed = still_pending = 0
    for order_id, payment_id in overdue:
        outcome = await _settle(database, provider, order_id, payment_id, now=now, seller=seller)
        if outcome is PaymentOutcome.SUCCEEDED:
            paid += 1
        elif outcome is PaymentOutcome.FAILED:
            failed += 1
        else:
            still_pending += 1
    return ReconciliationResult(
        checked=len(overdue), paid=paid, failed=failed, still_pending=still_pending
    )


async def _settle(
    database: Database,
    provider: PaymentProvider,
    order_id: uuid.UUID,
    payment_id: str,
    *,
    now: datetime,
    seller: Party,
) -> PaymentOutcome | None:
    """Apply what the provider says of one payment; None while it is still pending there."""
    payment = await provider.get_payment(payment_id)
    if payment is not None and payment.status == "pending":
        return None
    try:
        async with database.transaction() as session:
            if payment is None:
                # The provider never took this payment: the order may be paid again.
                order = await OrderRepository(session).get_for_update(order_id)
                if order is None:
                    raise OrderNotFoundError(f"There is no order {order_id}.")
                callback = PaymentCallback(
                    payment_id=payment_id,
                    order_reference=order_id,
                    outcome=PaymentOutcome.FAILED,
                    amount_minor=order.gross_minor,
                    currency=order.currency,
                )
            else:
                callback = PaymentCallback(
                    payment_id=payment.payment_id,
                    order_reference=order_id,
                    outcome=PaymentOutcome(payment.status),
                    amount_minor=payment.amount_minor,
                    currency=payment.currency,
                )
            result = await apply_callback(session, callback, now=now, seller=seller)
    except ProblemError as exc:
        # E.g. the amount does not match: a person must look; the others go on.
        log.error(
            "reconciliation could not settle a payment",
            order_id=str(order_id),
            payment_id=payment_id,
            problem=exc.slug,
            detail=str(exc),
        )
        return None
    if result.changed:
        log.warning(
            "payment settled by reconciliation (its callback did not arrive)",
            order_id=str(order_id),
            payment_id=payment_id,
            order_status=result.order.status,
        )
    return callback.outcome
