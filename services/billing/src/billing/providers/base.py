"""What billing needs from a payment service provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["CreatedPayment", "PaymentProvider", "PaymentProviderError", "ProviderPayment"]


class PaymentProviderError(Exception):
    """The provider refused the request or could not be reached."""


@dataclass(frozen=True)
class CreatedPayment:
    """A payment the provider accepted; its outcome arrives later as a signed callback."""

    payment_id: str
    status: Literal["pending"] = "pending"


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it when asked; amounts in minor units."""

    payment_id: str
    order_reference: str
    status: Literal["pending", "succeeded", "failed"]
    amount_minor: int
    currency: str


class PaymentProvider(Protocol):
    async def create_payment(
        self,
        *,
        order_reference: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
    ) -> CreatedPayment:
        """Ask the provider to collect ``amount_minor`` (minor units of ``currency``).

        The provider reports the outcome by calling billing's webhook with
        ``order_reference``. The same ``idempotency_key`` returns the same payment, so a retry
        never charges twice. Raises PaymentProviderError.
        """
        ...

    async def get_payment(self, payment_id: str) -> ProviderPayment | None:
        """The payment's state at the provider now; None when the provider has no such
        payment. Reconciliation asks this when a callback is overdue. Raises
        PaymentProviderError when the provider cannot be asked."""
        ...

    async def aclose(self) -> None:
        """Stop background work (pending callbacks) at shutdown."""
        ...
