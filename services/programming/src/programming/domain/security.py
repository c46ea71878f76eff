"""Seed/key algorithms of UDS security access (service 0x27)."""

from __future__ import annotations

import hashlib

__all__ = ["aos_demo_1_key"]


def aos_demo_1_key(secret: bytes, *, level: int, seed: bytes) -> bytes:
    """The demo algorithm AOS-DEMO-1: SHA-256(secret + bytes([level]) + seed)[:4].

    ``level`` is the requestSeed sub-function (e.g. 0x11). Raises ValueError if it is not a byte.
    """
    if not 0 <= level <= 0xFF:
        raise ValueError(f"security level {level} is not a byte")
    return hashlib.sha256(secret + bytes([level]) + seed).digest()[:4]
