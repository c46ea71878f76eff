"""The Ed25519 key that signs software releases (agents verify images with its public key)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from programming.config import Settings

__all__ = ["SigningKeyError", "load_release_key", "public_key_base64", "public_key_pem"]

_GENERATE_KEY_ENVIRONMENTS = frozenset({"development", "test"})


class SigningKeyError(RuntimeError):
    """The release signing key cannot be used; the message says what to do."""


def _write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: if another process generated the key meanwhile, keep and use theirs.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def load_release_key(settings: Settings) -> Ed25519PrivateKey:
    """The key at ``settings.release_signing_key_file``; generated when missing in development
    and test. Raises SigningKeyError when it is missing elsewhere or not an Ed25519 PEM key."""
    path = settings.release_signing_key_file
    if not path.is_file():
        if settings.environment not in _GENERATE_KEY_ENVIRONMENTS:
            raise SigningKeyError(
                f"the release signing key file {path} does not exist; create one with "
                "`openssl genpkey -algorithm ed25519 -out <file>` (mode 0600) and set "
                "PROGRAMMING_RELEASE_SIGNING_KEY_FILE to its path"
            )
        _write_new_key(path)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"cannot read the release signing key {path}: {exc}; it must be an unencrypted "
            "PKCS#8 PEM Ed25519 private key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"the release signing key {path} is not an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def public_key_base64(key: Ed25519PrivateKey) -> str:
    """The 32 raw public key bytes, standard base64."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()
