"""The gateway's own problems (RFC 9457), raised by routing and the proxy."""

from __future__ import annotations

from servicekit.problems import NotFoundError, ProblemError

__all__ = [
    "NotPublishedError",
    "PayloadTooLargeError",
    "UnknownServiceError",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
]


class UnknownServiceError(NotFoundError):
    slug = "unknown-service"
    title = "Unknown service"


class NotPublishedError(UnknownServiceError):
    """A service path kept off the public API (probes, metrics): answered as no route at all."""

    slug = "not-found"
    title = "Not found"


class UpstreamUnavailableError(ProblemError):
    status = 502
    slug = "upstream-unavailable"
    title = "Service unavailable"


class UpstreamTimeoutError(ProblemError):
    status = 504
    slug = "upstream-timeout"
    title = "Service timed out"


class PayloadTooLargeError(ProblemError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"
