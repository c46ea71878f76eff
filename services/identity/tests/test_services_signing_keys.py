"""The signing key: generated in development and test, required in production, rotation."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from identity.config import DEFAULT_SIGNING_KEY_FILE, Settings
from identity.domain.jwk import public_jwk
from identity.errors import SigningKeyError
from identity.services.signing_keys import load_key_ring


def settings_for(tmp_path: Path, environment: str = "test", **values: object) -> Settings:
    return Settings(
        environment=environment,
        jwt_private_key_file=values.pop("key", tmp_path / "keys" / "signing.pem"),
        **values,
    )


def write_private_key(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key


def test_default_key_path_is_relative_under_local() -> None:
    assert Path(".local/identity/jwt-signing-key.pem") == DEFAULT_SIGNING_KEY_FILE
    assert not DEFAULT_SIGNING_KEY_FILE.is_absolute()


def test_missing_key_is_generated_with_mode_0600_in_test(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    load_key_ring(settings)
    mode = stat.S_IMODE(settings.jwt_private_key_file.stat().st_mode)
    assert mode == 0o600


def test_missing_key_is_generated_in_development(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, environment="development")
    load_key_ring(settings)
    assert settings.jwt_private_key_file.is_file()


def test_generated_key_is_reused_on_the_next_start(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert load_key_ring(settings).kid == load_key_ring(settings).kid


def test_missing_key_in_production_is_a_clear_start_up_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, environment="production")
    with pytest.raises(SigningKeyError, match=r"does not exist.*IDENTITY_JWT_PRIVATE_KEY_FILE"):
        load_key_ring(settings)
    assert not settings.jwt_private_key_file.exists()


def test_existing_key_is_used_in_production(tmp_path: Path) -> None:
    path = tmp_path / "prod.pem"
    key = write_private_key(path)
    ring = load_key_ring(settings_for(tmp_path, environment="production", key=path))
    assert ring.kid == public_jwk(key.public_key())["kid"]


def test_garbage_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pem"
    path.write_text("not a key")
    with pytest.raises(SigningKeyError, match="cannot read the JWT signing key"):
        load_key_ring(settings_for(tmp_path, key=path))


def test_signed_token_carries_the_thumbprint_kid_and_verifies(tmp_path: Path) -> None:
    ring = load_key_ring(settings_for(tmp_path))
    token = ring.sign({"sub": "x"})
    assert jwt.get_unverified_header(token)["kid"] == ring.kid
    public = ring.private_key.public_key()
    assert jwt.decode(token, public, algorithms=["EdDSA"]) == {"sub": "x"}


def test_previous_public_key_is_published_after_the_current_one(tmp_path: Path) -> None:
    old = Ed25519PrivateKey.generate()
    old_public = tmp_path / "previous.pub.pem"
    old_public.write_bytes(
        old.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    ring = load_key_ring(settings_for(tmp_path, jwt_previous_public_key_file=old_public))
    kids = [key["kid"] for key in ring.jwks()["keys"]]
    assert kids == [ring.kid, public_jwk(old.public_key())["kid"]]


def test_previous_key_may_be_given_as_the_old_private_key_file(tmp_path: Path) -> None:
    old_path = tmp_path / "previous.pem"
    old = write_private_key(old_path)
    ring = load_key_ring(settings_for(tmp_path, jwt_previous_public_key_file=old_path))
    keys = ring.jwks()["keys"]
    assert keys[1]["kid"] == public_jwk(old.public_key())["kid"]
    assert all("d" not in key for key in keys)


def test_previous_key_equal_to_the_current_one_is_listed_once(tmp_path: Path) -> None:
    path = tmp_path / "same.pem"
    write_private_key(path)
    ring = load_key_ring(settings_for(tmp_path, key=path, jwt_previous_public_key_file=path))
    assert len(ring.jwks()["keys"]) == 1
