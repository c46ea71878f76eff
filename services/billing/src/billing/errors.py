"""The problems billing answers with (RFC 9457); each has a stable type slug."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError, UnauthorizedError

__all__ = [
    "AlreadyRefundedError",
    "CatalogEditError",
    "CheckoutInvalidError",
    "CompanyAddressMissingError",
    "CompanyDataMissingError",
    "EntitlementNotFoundError",
    "FulfilmentError",
    "IdempotencyKeyInvalidError",
    "IdempotencyKeyMissingError",
    "IdempotencyKeyReusedError",
    "IdempotencyRequestInProgressError",
    "InvalidSignatureError",
    "InvoiceLinesAlreadyCreditedError",
    "InvoiceNotFoundError",
    "NothingToCreditError",
    "OrderAlreadyPaidError",
    "OrderExpiredError",
    "OrderNotFoundError",
    "OutOfStockError",
    "PassUsedError",
    "PaymentAmountMismatchError",
    "PaymentInProgressError",
    "PaymentNotRecognisedError",
    "PaymentProviderUnavailableError",
    "ProductNotFoundError",
    "RefundPeriodOverError",
    "TermsNotAcceptedError",
    "TermsOutdatedError",
    "UsagePeriodInvalidError",
]


class ProductNotFoundError(NotFoundError):
    slug = "product-not-found"
    title = "Product not found"


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


class CompanyAddressMissingError(ConflictError):
    """The organisation's company profile has no full address, which every invoice must show
    (Art. 226 (5) of the VAT Directive)."""

    slug = "company-address-missing"
    title = "Company address missing"


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


class CheckoutInvalidError(ProblemError):
    """A checkout request that is well-formed but names something impossible (an unknown
    product, a VIN on a tool, no VIN on a per-VIN pass); ``errors`` names each field, like a
    validation problem."""

    status = 422
    slug = "validation-error"
    title = "Invalid request"


class TermsNotAcceptedError(ConflictError):
    slug = "terms-not-accepted"
    title = "Terms of sale not accepted"


class TermsOutdatedError(ConflictError):
    slug = "terms-outdated"
    title = "Terms of sale changed"


class OutOfStockError(ConflictError):
    slug = "out-of-stock"
    title = "Out of stock"


class OrderExpiredError(ConflictError):
    slug = "order-expired"
    title = "Order expired"


class EntitlementNotFoundError(NotFoundError):
    slug = "entitlement-not-found"
    title = "Entitlement not found"


class PassUsedError(ConflictError):
    slug = "pass-used"
    title = "Pass already used"


class RefundPeriodOverError(ConflictError):
    slug = "refund-period-over"
    title = "Refund period over"


class AlreadyRefundedError(ConflictError):
    slug = "already-refunded"
    title = "Already refunded"


class CatalogEditError(Exception):
    """A catalog edit of the staff CLI that cannot be made; the message says what to do."""


class FulfilmentError(Exception):
    """A fulfilment step of the staff CLI that cannot be taken; the message says why."""
