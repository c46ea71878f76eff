"""The "AOS-DEMO-1" seed/key algorithm used by the simulated ECUs.

AOS-DEMO-1 (a demo algorithm, not a production one):

    key = SHA-256(secret || bytes([seed_level]) || seed)[:4]

- ``secret`` is 16 bytes per ECU type. The programming service holds the same secret per ECU
  type and computes the key for the agent; the secret never reaches the agent.
- ``seed_level`` is the odd requestSeed sub-function (0x11 for programming, 0x01 for extended),
  not the even sendKey sub-function.
- ``seed`` is the 4 bytes the ECU answered to requestSeed (4 random non-zero bytes; an
  all-zero seed means "already unlocked" and needs no key).

The development secrets below are published demo values and protect nothing.
"""

import hashlib
import secrets

__all__ = ["DEV_SECRETS", "KEY_LENGTH", "SEED_LENGTH", "compute_key", "new_seed"]

SEED_LENGTH = 4
KEY_LENGTH = 4

DEV_SECRETS: dict[str, bytes] = {
    "DME_B48": bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506"),
    "BDC_G20": bytes.fromhex("0badc0de0badc0de0badc0de0badc0de"),
    "HU_MGU": bytes.fromhex("11223344556677889900aabbccddeeff"),
}


def compute_key(secret: bytes, *, seed_level: int, seed: bytes) -> bytes:
    """Return the 4-byte AOS-DEMO-1 key for ``seed`` requested at ``seed_level`` (odd level).

    Raises ValueError if the level is not an odd security level byte.
    """
    if not 0 < seed_level < 0x7F or seed_level % 2 == 0:
        raise ValueError(f"seed level must be an odd requestSeed level, got 0x{seed_level:02X}")
    return hashlib.sha256(secret + bytes([seed_level]) + bytes(seed)).digest()[:KEY_LENGTH]


def new_seed() -> bytes:
    """Return 4 random bytes, none of them zero (a zero byte would read as "unlocked")."""
    return bytes(secrets.randbelow(255) + 1 for _ in range(SEED_LENGTH))
