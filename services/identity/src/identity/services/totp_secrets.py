"""TOTP secrets at rest: sealed with envelope encryption (servicekit.envelope).

A TOTP secret must stay readable to check codes, so it cannot be hashed; it is stored sealed
and bound to its user row and column (associated data), and is plain only in memory.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.models import User
from servicekit import envelope
from servicekit.envelope import EnvelopeCipher

__all__ = [
    "TotpSecrets",
    "load_secret_cipher",
    "rewrap_totp_secrets",
    "totp_context",
]

ACTIVE = "totp_secret"
PENDING = "totp_pending_secret"


def load_secret_cipher(settings: Settings) -> EnvelopeCipher:
    """The cipher of the TOTP secrets; raises servicekit.envelope.EnvelopeKeyError when its
    key file is missing outside development and test, or unusable."""
    return envelope.load_secret_cipher(settings, setting="IDENTITY_SECRET_KEYS_FILE")


def totp_context(user_id: object, column: str) -> bytes:
    """Associated data binding a sealed secret to its user row and column."""
    return f"identity.users.{column}:{user_id}".encode()


class TotpSecrets:
    """Reads and writes a user's TOTP secrets through the cipher."""

    def __init__(self, cipher: EnvelopeCipher) -> None:
        self.cipher = cipher

    def active(self, user: User) -> str | None:
        """The confirmed secret; raises servicekit.envelope.EnvelopeError if it does not
        unseal (wrong key file, or a tampered row)."""
        return self._unseal(user, user.totp_secret_sealed, ACTIVE)

    def pending(self, user: User) -> str | None:
        """The secret of an enrolment started but not yet confirmed."""
        return self._unseal(user, user.totp_pending_secret_sealed, PENDING)

    def set_active(self, user: User, secret: str) -> None:
        user.totp_secret_sealed = self._seal(user, secret, ACTIVE)

    def set_pending(self, user: User, secret: str | None) -> None:
        user.totp_pending_secret_sealed = (
            None if secret is None else self._seal(user, secret, PENDING)
        )

    def _seal(self, user: User, secret: str, column: str) -> bytes:
        return self.cipher.seal(secret.encode(), context=totp_context(user.id, column))

    def _unseal(self, user: User, sealed: bytes | None, column: str) -> str | None:
        if sealed is None:
            return None
        return self.cipher.unseal(sealed, context=totp_context(user.id, column)).decode()


async def rewrap_totp_secrets(session: AsyncSession, cipher: EnvelopeCipher) -> int:
    """Move every sealed TOTP secret to the current KEK (after a rotation); returns how many
    values changed. The old KEK may leave the key file afterwards."""
    changed = 0
    for user in await UserRepository(session).with_totp_secrets(for_update=True):
        for column in (ACTIVE, PENDING):
            attribute = f"{column}_sealed"
            sealed: bytes | None = getattr(user, attribute)
            if sealed is not None and cipher.needs_rewrap(sealed):
                setattr(
                    user, attribute, cipher.rewrap(sealed, context=totp_context(user.id, column))
                )
                changed += 1
    return changed
