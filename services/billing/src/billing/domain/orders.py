"""Order, payment and fulfilment states."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FulfilmentStatus", "OrderStatus", "PaymentOutcome", "next_fulfilment"]


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    # The provider declined the payment; paying again starts a new payment.
    FAILED = "failed"
    # Left unpaid past its stock reservation: the stock went back, it can no longer be paid.
    EXPIRED = "expired"


class PaymentOutcome(StrEnum):
    """What a payment provider reports for a payment."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"


class FulfilmentStatus(StrEnum):
    """Where the tools of a paid order are; ``none`` for an order without tools."""

    NONE = "none"
    AWAITING_PICK = "awaiting_pick"
    PICKED = "picked"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


_NEXT: dict[FulfilmentStatus, FulfilmentStatus] = {
    FulfilmentStatus.AWAITING_PICK: FulfilmentStatus.PICKED,
    FulfilmentStatus.PICKED: FulfilmentStatus.SHIPPED,
    FulfilmentStatus.SHIPPED: FulfilmentStatus.DELIVERED,
}


def next_fulfilment(current: FulfilmentStatus) -> FulfilmentStatus | None:
    """The one state that may follow ``current``; None when nothing may (no tools, or
    delivered)."""
    return _NEXT.get(current)
