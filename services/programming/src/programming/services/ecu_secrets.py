"""ECU security secrets at rest: sealed with envelope encryption (servicekit.envelope).

A secret is shared by every ECU of a type, so it is stored only sealed, bound to its ECU type
row (associated data), and unsealed in memory just to compute a key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from programming.config import Settings
from programming.db.catalog import CatalogRepository
from servicekit import envelope
from servicekit.envelope import EnvelopeCipher

__all__ = [
    "ecu_secret_context",
    "load_secret_cipher",
    "rewrap_ecu_secrets",
    "seal_ecu_secret",
    "unseal_ecu_secret",
]


def load_secret_cipher(settings: Settings) -> EnvelopeCipher:
    """The cipher of the ECU secrets; raises servicekit.envelope.EnvelopeKeyError when its key
    file is missing outside development and test, or unusable."""
    return envelope.load_secret_cipher(settings, setting="PROGRAMMING_SECRET_KEYS_FILE")


def ecu_secret_context(ecu_type: str) -> bytes:
    """Associated data binding a sealed secret to its row and column."""
    return f"programming.ecu_types.security_secret:{ecu_type}".encode()


def seal_ecu_secret(cipher: EnvelopeCipher, ecu_type: str, secret: bytes) -> bytes:
    return cipher.seal(secret, context=ecu_secret_context(ecu_type))


def unseal_ecu_secret(cipher: EnvelopeCipher, ecu_type: str, sealed: bytes) -> bytes:
    """Raises servicekit.envelope.EnvelopeError when it does not unseal."""
    return cipher.unseal(sealed, context=ecu_secret_context(ecu_type))


async def rewrap_ecu_secrets(session: AsyncSession, cipher: EnvelopeCipher) -> int:
    """Move every sealed secret to the current KEK (after a rotation); returns how many
    changed. The old KEK may leave the key file afterwards."""
    changed = 0
    for ecu_type in await CatalogRepository(session).ecu_types(for_update=True):
        if cipher.needs_rewrap(ecu_type.security_secret_sealed):
            ecu_type.security_secret_sealed = cipher.rewrap(
                ecu_type.security_secret_sealed, context=ecu_secret_context(ecu_type.key)
            )
            changed += 1
    return changed
