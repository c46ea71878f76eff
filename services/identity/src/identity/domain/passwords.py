"""Password policy and argon2id hashing.

Hashing and verifying cost tens of milliseconds of CPU on purpose; async callers run them in a
worker thread (``asyncio.to_thread``) so they never stall the event loop.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "PasswordPolicyError",
    "check_password_policy",
    "hash_password",
    "password_needs_rehash",
    "verify_password",
    "waste_password_check",
]

PASSWORD_MIN_LENGTH = 12
# An upper bound keeps one login request from costing unbounded hashing work.
PASSWORD_MAX_LENGTH = 128

# argon2id with the OWASP Password Storage Cheat Sheet minimum (m=19 MiB, t=2, p=1): memory-hard
# so GPU/ASIC guessing of a stolen hash is expensive, while one hash stays around 50 ms of one
# core, which a login endpoint can afford. Hashes carry their parameters, so raising these later
# only needs `password_needs_rehash` at the next successful login.
_HASHER = PasswordHasher(
    time_cost=2,
    memory_cost=19_456,  # KiB
    parallelism=1,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)


class PasswordPolicyError(ValueError):
    """The password does not meet the policy; the message says what to change."""


def check_password_policy(password: str) -> str:
    """Return ``password`` unchanged if it is acceptable; raises PasswordPolicyError.

    Length is the only rule (NIST SP 800-63B): composition rules make passwords weaker in
    practice, and a passphrase of 12+ characters is the advice we give.
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at least {PASSWORD_MIN_LENGTH} characters; "
            "a passphrase of a few words works well"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at most {PASSWORD_MAX_LENGTH} characters"
        )
    if not password.strip():
        raise PasswordPolicyError("the password must not be only whitespace")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash string (PHC format, parameters and salt included)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def waste_password_check(password: str) -> None:
    """Spend the time of one real verification; used when the account does not exist.

    Without it an unknown e-mail would answer measurably faster than a wrong password, and the
    response time alone would tell which e-mails have accounts.
    """
    verify_password(_decoy_hash(), password)
