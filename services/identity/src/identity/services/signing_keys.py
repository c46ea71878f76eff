"""The Ed25519 key that signs access tokens, the previous key kept for rotation, and the JWKS.

Rotation: move the current key file aside, point ``IDENTITY_JWT_PREVIOUS_PUBLIC_KEY_FILE`` at
it (or at its public half) and install a new current key. Tokens signed by the old key keep
verifying until they expire, because its public key stays in the published set.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)

from identity.config import Settings
from identity.domain.jwk import JWT_ALGORITHM, public_jwk
from identity.errors import SigningKeyError
from servicekit.keyfiles import KeyFileError, load_or_create_ed25519_key

__all__ = ["KeyRing", "load_key_ring"]


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
    try:
        private_key = load_or_create_ed25519_key(
            settings.jwt_private_key_file,
            may_create=settings.may_generate_keys,
            purpose="JWT signing key",
            setting="IDENTITY_JWT_PRIVATE_KEY_FILE",
        )
    except KeyFileError as exc:
        raise SigningKeyError(str(exc)) from exc
    previous: tuple[Ed25519PublicKey, ...] = ()
    if settings.jwt_previous_public_key_file is not None:
        previous = (_load_public(settings.jwt_previous_public_key_file),)
    kid = public_jwk(private_key.public_key())["kid"]
    return KeyRing(private_key=private_key, kid=kid, previous=previous)
