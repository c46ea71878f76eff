"""Payment providers: the outside boundary where money is collected.

:class:`PaymentProvider` is what billing needs from a payment service provider (PSP).
:class:`TestPaymentProvider` is a fake of that boundary for development and tests; no real PSP
is integrated yet.
"""

from billing.providers.base import (
    CreatedPayment,
    PaymentProvider,
    PaymentProviderError,
    ProviderPayment,
)
from billing.providers.test_provider import TestPaymentProvider

__all__ = [
    "CreatedPayment",
    "PaymentProvider",
    "PaymentProviderError",
    "ProviderPayment",
    "TestPaymentProvider",
]
