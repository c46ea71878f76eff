"""Signed payment callbacks: ``AOS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The MAC covers ``"<t>." + body`` so a captured callback cannot be replayed with a fresh
timestamp, and a tolerance on ``t`` limits how long a captured one stays usable. Several ``v1``
entries are accepted so a provider can sign with an old and a new secret while rotating.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SIGNATURE_HEADER",
    "SignatureError",
    "compute_signature",
    "signature_header",
    "verify_signature",
]

SIGNATURE_HEADER = "AOS-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
_SCHEME = "v1"
_MAX_TIMESTAMP_DIGITS = 12


class SignatureError(ValueError):
    """The signature is missing, malformed, stale or does not match; the message says which."""


def compute_signature(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The header value a sender puts on ``body``."""
    return f"t={timestamp},{_SCHEME}={compute_signature(body, secret=secret, timestamp=timestamp)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            if not value.isdigit() or len(value) > _MAX_TIMESTAMP_DIGITS:
                raise SignatureError("the signature timestamp is not a unix time in seconds")
            timestamp = int(value)
        elif name == _SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("the signature header has no timestamp (t=...)")
    if not signatures:
        raise SignatureError(f"the signature header has no {_SCHEME}= signature")
    return timestamp, signatures


def verify_signature(
    header: str | None,
    body: bytes,
    *,
    secret: bytes,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check ``header`` against ``body``; returns the signed timestamp (unix seconds).

    Raises SignatureError when the header is missing or malformed, the timestamp is more than
    ``tolerance_seconds`` away from ``now`` (either way), or no signature matches.
    """
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    timestamp, signatures = _parse(header)
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureError(
            f"the signature timestamp is {now - timestamp} s away from now; "
            f"at most {tolerance_seconds} s are accepted"
        )
    expected = compute_signature(body, secret=secret, timestamp=timestamp)
    # compare_digest on every candidate: the time taken does not reveal how much matched.
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("the signature does not match the body")
    return timestamp
