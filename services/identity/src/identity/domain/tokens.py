"""Opaque secrets handed to users (links, refresh tokens, recovery codes) and their hashes.

Only the SHA-256 of a token is stored. A fast hash is enough here, unlike for passwords: the
tokens carry 256 bits (recovery codes 80 bits) of randomness, so a stolen hash table cannot be
reversed by guessing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import Enum

__all__ = [
    "EMAIL_VERIFICATION_TTL",
    "ENROLMENT_TOKEN_TTL",
    "RECOVERY_CODE_COUNT",
    "TokenState",
    "hash_token",
    "new_recovery_codes",
    "new_token",
    "normalize_recovery_code",
    "one_time_token_state",
]

EMAIL_VERIFICATION_TTL = timedelta(hours=24)
ENROLMENT_TOKEN_TTL = timedelta(minutes=10)
RECOVERY_CODE_COUNT = 10

# Lower-case RFC 4648 base32: no 0/1/8/9, so O/0 and l/1 cannot be confused when typed.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_RECOVERY_GROUPS = 4
_RECOVERY_GROUP_LENGTH = 4  # 16 characters x 5 bits = 80 bits per code


def new_token() -> str:
    """A fresh URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The hex SHA-256 of ``token``: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` distinct codes shaped like ``abcd-efgh-ijkl-mnop``."""
    codes: set[str] = set()
    while len(codes) < count:
        groups = (
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
            for _ in range(_RECOVERY_GROUPS)
        )
        codes.add("-".join(groups))
    return sorted(codes)


def normalize_recovery_code(value: str) -> str:
    """The canonical form of a typed recovery code (case, spaces and dashes do not matter)."""
    compact = "".join(ch for ch in value.lower() if ch not in " -\t")
    size = _RECOVERY_GROUP_LENGTH
    return "-".join(compact[i : i + size] for i in range(0, len(compact), size))


class TokenState(Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def one_time_token_state(
    *, expires_at: datetime, used_at: datetime | None, now: datetime
) -> TokenState:
    """Whether a single-use token can still be redeemed at ``now`` (validity ends at expiry)."""
    if used_at is not None:
        return TokenState.USED
    if now >= expires_at:
        return TokenState.EXPIRED
    return TokenState.VALID
