"""Idempotency keys of purchase requests.

A client sends ``Idempotency-Key`` with every mutating purchase call; a retry with the same key
and the same request gets the first answer again instead of buying twice. The fingerprint tells
a true retry from a different request that reuses a key by mistake.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = [
    "IDEMPOTENCY_HEADER",
    "MAX_KEY_LENGTH",
    "REPLAYED_HEADER",
    "InvalidIdempotencyKey",
    "MissingIdempotencyKey",
    "request_fingerprint",
    "validate_idempotency_key",
]

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


class MissingIdempotencyKey(ValueError):
    """No key was sent."""


class InvalidIdempotencyKey(ValueError):
    """The key is too long or holds characters other than visible ASCII."""


def validate_idempotency_key(raw: str | None) -> str:
    """The key when it is 1..255 visible ASCII characters (0x21-0x7E).

    Raises MissingIdempotencyKey or InvalidIdempotencyKey.
    """
    if raw is None or raw == "":
        raise MissingIdempotencyKey(IDEMPOTENCY_HEADER)
    if len(raw) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"it has {len(raw)} characters; at most {MAX_KEY_LENGTH}")
    if not all("\x21" <= char <= "\x7e" for char in raw):
        raise InvalidIdempotencyKey("only visible ASCII characters are allowed (no spaces)")
    return raw


def request_fingerprint(*, method: str, path: str, payload: Any) -> str:
    """A SHA-256 hex digest of the request's meaning: the same method, path and JSON payload
    (key order and whitespace do not matter) give the same fingerprint."""
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
