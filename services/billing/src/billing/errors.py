"""The problems billing answers with (RFC 9457); each has a stable type slug."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError, UnauthorizedError

__all__ = [
    "CompanyDataMissingError",
    "IdempotencyKeyInvalidError",
    "IdempotencyKeyMissingError",
    "IdempotencyKeyReusedError",
    "IdempotencyRequestInProgressError",
    "InvalidSignatureError",
    "InvoiceLinesAlreadyCreditedError",
    "InvoiceNotFoundError",
    "NothingToCreditError",
    "OrderAlreadyPaidError",
    "OrderNotFoundError",
    "PaymentAmountMismatchError",
    "PaymentInProgressError",
    "PaymentNotRecognisedError",
    "PaymentProviderUnavailableError",
    "ProductNotFoundError",
    "UnknownProductError",
    "UsagePeriodInvalidError",
]


class ProductNotFoundError(NotFoundError):
    slug = "product-not-found"
    title = "Product not found"


class UnknownProductError(ProblemError):
    status = 422
    slug = "unknown-product"
    title = "Unknown product"


class OrderNotFoundError(NotFoundError):
    slug = "order-not-found"
    title = "Order not found"


class OrderAlreadyPaidError(ConflictError):
    slug = "order-already-paid"
    title = "Order already paid"


class PaymentInProgressError(ConflictError):
    slug = "payment-in-progress"
    title = "Payment in progress"


class PaymentProviderUnavailableError(ProblemError):
    status = 502
    slug = "payment-provider-unavailable"
    title = "Payment provider unavailable"


class IdempotencyKeyMissingError(ProblemError):
    status = 400
    slug = "idempotency-key-missing"
    title = "Idempotency-Key header required"


class IdempotencyKeyInvalidError(ProblemError):
    status = 400
    slug = "idempotency-key-invalid"
    title = "Invalid Idempotency-Key header"


class IdempotencyKeyReusedError(ProblemError):
    status = 422
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"


class IdempotencyRequestInProgressError(ConflictError):
    slug = "idempotency-request-in-progress"
    title = "Request with this key in progress"


class InvalidSignatureError(UnauthorizedError):
    slug = "invalid-signature"
    title = "Invalid callback signature"


class PaymentAmountMismatchError(ProblemError):
    status = 422
    slug = "payment-amount-mismatch"
    title = "Payment amount mismatch"


class PaymentNotRecognisedError(ConflictError):
    slug = "payment-not-recognised"
    title = "Payment not recognised"


class CompanyDataMissingError(ConflictError):
    """Billing has no company data of the organisation yet (identity's event has not arrived),
    so it cannot tell which VAT applies."""

    slug = "company-data-missing"
    title = "Company data not yet known to billing"


class InvoiceNotFoundError(NotFoundError):
    slug = "invoice-not-found"
    title = "Invoice not found"


class InvoiceLinesAlreadyCreditedError(ConflictError):
    slug = "invoice-lines-already-credited"
    title = "Invoice lines already credited"


class NothingToCreditError(ProblemError):
    status = 422
    slug = "nothing-to-credit"
    title = "Nothing to credit"


class UsagePeriodInvalidError(ProblemError):
    """A usage report asked for a period that ends before it starts or spans more than the
    allowed days; ``errors`` names the query parameter to fix."""

    status = 422
    slug = "usage-period-invalid"
    title = "Invalid report period"
