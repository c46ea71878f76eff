"""Order and payment states."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OrderStatus", "PaymentOutcome"]


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    # The provider declined the payment; paying again starts a new payment.
    FAILED = "failed"


class PaymentOutcome(StrEnum):
    """What a payment provider reports for a payment."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
