"""What billing needs from a payment service provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["CreatedPayment", "PaymentProvider", "PaymentProviderError"]


class PaymentProviderError(Exception):
    """The provider refused the request or could not be reached."""


@dataclass(frozen=True)
class CreatedPayment:
    """A payment the provider accepted; its outcome arrives later as a signed callback."""

    payment_id: str
    status: Literal["pending"] = "pending"


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

    async def aclose(self) -> None:
        """Stop background work (pending callbacks) at shutdown."""
        ...
