"""The Ed25519 key that signs access tokens, the previous key kept for rotation, and the JWKS.

Rotation: move the current key file aside, point ``IDENTITY_JWT_PREVIOUS_PUBLIC_KEY_FILE`` at
it (or at its public half) and install a new current key. Tokens signed by the old key keep
verifying until they expire, because its public key stays in the published set.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from identity.config import Settings
from identity.domain.jwk import JWT_ALGORITHM, public_jwk
from identity.errors import SigningKeyError

__all__ = ["KeyRing", "load_key_ring"]

# Environments where a missing key may be generated: a lost development key only logs people
# out, while in production a silently new key would hide a broken deployment.
_GENERATE_KEY_ENVIRONMENTS = frozenset({"development", "test"})


@dataclass(frozen=True)
class KeyRing:
    """The current signing key and the public keys still accepted from earlier rotations."""

    private_key: Ed25519PrivateKey
    kid: str
    previous: tuple[Ed25519PublicKey, ...] = field(default=())

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS of ``claims`` signed with the current key (header kid, alg EdDSA)."""
        return jwt.encode(
            claims,
            self.private_key,
            algorithm=JWT_ALGORITHM,
            headers={"kid": self.kid, "typ": "JWT"},
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JSON Web Key Set: current key first, then the previous ones."""
        keys = [public_jwk(self.private_key.public_key())]
        for previous in self.previous:
            jwk = public_jwk(previous)
            # A previous key equal to the current one (a half-done rotation) is listed once.
            if all(jwk["kid"] != key["kid"] for key in keys):
                keys.append(jwk)
        return {"keys": keys}


def _write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: if another process generated the key in the meantime, keep and use theirs.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"cannot read the JWT signing key {path}: {exc}; it must be an unencrypted "
            "PKCS#8 PEM Ed25519 private key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"the JWT signing key {path} is not an Ed25519 key")
    return key


def _load_public(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the previous JWT key {path}: {exc}") from exc
    public: object = None
    with contextlib.suppress(ValueError, TypeError):
        public = load_pem_public_key(data)
    if public is None:
        try:
            private = load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(
                f"the previous JWT key {path} is neither a PEM public nor private key"
            ) from exc
        public = private.public_key()
    if not isinstance(public, Ed25519PublicKey):
        raise SigningKeyError(f"the previous JWT key {path} is not an Ed25519 key")
    return public


def load_key_ring(settings: Settings) -> KeyRing:
    """Load (in development and test: create if missing) the keys named in ``settings``.

    Raises SigningKeyError with a message saying what to do when a key cannot be used.
    """
    path = settings.jwt_private_key_file
    if not path.is_file():
        if settings.environment not in _GENERATE_KEY_ENVIRONMENTS:
            raise SigningKeyError(
                f"the JWT signing key file {path} does not exist; create one with "
                "`openssl genpkey -algorithm ed25519 -out <file>` (mode 0600) and set "
                "IDENTITY_JWT_PRIVATE_KEY_FILE to its path"
            )
        _write_new_key(path)
    private_key = _load_private(path)
    previous: tuple[Ed25519PublicKey, ...] = ()
    if settings.jwt_previous_public_key_file is not None:
        previous = (_load_public(settings.jwt_previous_public_key_file),)
    kid = public_jwk(private_key.public_key())["kid"]
    return KeyRing(private_key=private_key, kid=kid, previous=previous)
