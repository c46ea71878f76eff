"""The Ed25519 key that signs software releases (agents verify images with its public key)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
)

from programming.config import Settings
from servicekit.keyfiles import KeyFileError, load_or_create_ed25519_key

__all__ = ["SigningKeyError", "load_release_key", "public_key_base64", "public_key_pem"]


class SigningKeyError(RuntimeError):
    """The release signing key cannot be used; the message says what to do."""


def load_release_key(settings: Settings) -> Ed25519PrivateKey:
    """The key at ``settings.release_signing_key_file``; generated when missing in development
    and test. Raises SigningKeyError when it is missing elsewhere or not an Ed25519 PEM key."""
    try:
        return load_or_create_ed25519_key(
            settings.release_signing_key_file,
            may_create=settings.may_generate_keys,
            purpose="release signing key",
            setting="PROGRAMMING_RELEASE_SIGNING_KEY_FILE",
        )
    except KeyFileError as exc:
        raise SigningKeyError(str(exc)) from exc


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def public_key_base64(key: Ed25519PrivateKey) -> str:
    """The 32 raw public key bytes, standard base64."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()
