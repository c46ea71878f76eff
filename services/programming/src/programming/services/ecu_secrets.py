"""ECU security secrets at rest: sealed with envelope encryption (servicekit.envelope).

A secret is shared by every ECU of a type, so it is stored only sealed, bound to its ECU type
row (associated data), and unsealed in memory just to compute a key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from programming.config import Settings
from programming.db.catalog import CatalogRepository
from servicekit.envelope import EnvelopeCipher, EnvelopeKeyError, load_or_create_envelope_keys

__all__ = [
    "SecretKeyError",
    "ecu_secret_context",
    "load_secret_cipher",
    "rewrap_ecu_secrets",
    "seal_ecu_secret",
    "unseal_ecu_secret",
]

_GENERATE_KEY_ENVIRONMENTS = frozenset({"development", "test"})


class SecretKeyError(RuntimeError):
    """The key-encryption keys cannot be used; the message says what to do."""


def load_secret_cipher(settings: Settings) -> EnvelopeCipher:
    """The KEKs of ``settings.secret_keys_file`` (generated when missing in development and
    test). Raises SecretKeyError when missing elsewhere or unusable."""
    try:
        return load_or_create_envelope_keys(
            settings.secret_keys_file,
            current=settings.secret_key_id,
            may_create=settings.environment in _GENERATE_KEY_ENVIRONMENTS,
            purpose="secret encryption key",
            setting="PROGRAMMING_SECRET_KEYS_FILE",
        )
    except EnvelopeKeyError as exc:
        raise SecretKeyError(str(exc)) from exc


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
