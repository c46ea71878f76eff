"""Pairing codes, device credentials and download tokens: generation and hashing.

Only SHA-256 digests are stored: the secrets are long random strings (credentials, tokens) or
short-lived single-use codes, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = [
    "PAIRING_ALPHABET",
    "digest",
    "new_credential",
    "new_pairing_code",
    "normalize_pairing_code",
]

# No 0/O, 1/I/L, 5/S, 2/Z: the code is read off a screen and typed on another machine.
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
PAIRING_CODE_LENGTH = 8


def new_pairing_code() -> str:
    """A random code of 8 characters from PAIRING_ALPHABET, grouped as ``ABCD-EFGH``."""
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_pairing_code(text: str) -> str | None:
    """The canonical ``ABCD-EFGH`` form of what a person typed, or None if it cannot be one.

    Case, spaces and dashes are forgiven.
    """
    raw = "".join(ch for ch in text.upper() if ch not in " -")
    if len(raw) != PAIRING_CODE_LENGTH or any(ch not in PAIRING_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def new_credential() -> str:
    """A device credential or download token: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    """SHA-256 of ``secret`` (UTF-8), as stored."""
    return hashlib.sha256(secret.encode()).digest()
