"""Seed/key for the simulated ECUs: the algorithms of ``aos_contracts.keys`` (AOS-DEMO-1 by
default; an ECU's config may name another), the demo secrets and the seeds.

- ``secret`` is 16 bytes per ECU type. The programming service holds the same secret per ECU
  type and computes the key for the agent; the secret never reaches the agent.
- ``seed_level`` is the odd requestSeed sub-function (0x11 for programming, 0x01 for extended),
  not the even sendKey sub-function.
- ``seed`` is the 4 bytes the ECU answered to requestSeed (4 random non-zero bytes; an
  all-zero seed means "already unlocked" and needs no key).

The development secrets are the demo vehicle's (``aos_contracts.demo``): published demo values
that protect nothing.
"""

import secrets

from aos_contracts.demo import DEMO_ECUS
from aos_contracts.keys import AOS_DEMO_1, KEY_LENGTH, SEED_LENGTH, key_algorithm

__all__ = ["DEV_SECRETS", "KEY_LENGTH", "SEED_LENGTH", "compute_key", "new_seed"]

DEV_SECRETS: dict[str, bytes] = {ecu.ecu_type: ecu.secret for ecu in DEMO_ECUS}


def compute_key(
    secret: bytes, *, seed_level: int, seed: bytes, algorithm: str = AOS_DEMO_1
) -> bytes:
    """Return the 4-byte key of ``algorithm`` for ``seed`` requested at ``seed_level``.

    Raises ValueError if the level is not an odd security level byte, or the algorithm is
    unknown (``UnknownKeyAlgorithmError``).
    """
    if not 0 < seed_level < 0x7F or seed_level % 2 == 0:
        raise ValueError(f"seed level must be an odd requestSeed level, got 0x{seed_level:02X}")
    return key_algorithm(algorithm)(secret, seed_level, bytes(seed))


def new_seed() -> bytes:
    """Return 4 random bytes, none of them zero (a zero byte would read as "unlocked")."""
    return bytes(secrets.randbelow(255) + 1 for _ in range(SEED_LENGTH))
