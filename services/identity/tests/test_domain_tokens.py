"""Opaque tokens, their hashes, recovery codes, lockout and the JWK thumbprint (no database)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from identity.domain.jwk import jwk_thumbprint, public_jwk
from identity.domain.lockout import LOCK_DURATION, MAX_CONSECUTIVE_FAILURES, record_failure
from identity.domain.mail import verification_link, verification_mail
from identity.domain.tokens import (
    TokenState,
    hash_token,
    new_recovery_codes,
    new_token,
    normalize_recovery_code,
    one_time_token_state,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_new_token_is_url_safe_and_unique() -> None:
    token = new_token()
    assert re.fullmatch(r"[A-Za-z0-9_\-]{43}", token)
    assert new_token() != token


def test_token_hash_is_the_hex_sha256() -> None:
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(hash_token(new_token())) == 64


def test_token_hash_differs_from_the_token() -> None:
    token = new_token()
    assert token not in hash_token(token)


def test_unused_token_before_expiry_is_valid() -> None:
    state = one_time_token_state(expires_at=NOW + timedelta(seconds=1), used_at=None, now=NOW)
    assert state is TokenState.VALID


def test_token_at_its_expiry_instant_is_expired() -> None:
    assert one_time_token_state(expires_at=NOW, used_at=None, now=NOW) is TokenState.EXPIRED


def test_used_token_is_used_even_before_expiry() -> None:
    state = one_time_token_state(expires_at=NOW + timedelta(hours=1), used_at=NOW, now=NOW)
    assert state is TokenState.USED


def test_ten_distinct_recovery_codes_of_four_groups() -> None:
    codes = new_recovery_codes()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)


def test_recovery_code_typed_loosely_normalises_to_the_issued_form() -> None:
    assert normalize_recovery_code(" ABCD efgh-IJKL mnop ") == "abcd-efgh-ijkl-mnop"


def test_failures_below_the_limit_only_count() -> None:
    record = record_failure(MAX_CONSECUTIVE_FAILURES - 2, now=NOW)
    assert record.failed_count == MAX_CONSECUTIVE_FAILURES - 1
    assert record.locked_until is None


def test_fifth_consecutive_failure_locks_for_five_minutes_and_restarts_the_count() -> None:
    record = record_failure(MAX_CONSECUTIVE_FAILURES - 1, now=NOW)
    assert record.locked_until == NOW + LOCK_DURATION == NOW + timedelta(minutes=5)
    assert record.failed_count == 0


def test_jwk_thumbprint_matches_rfc_8037_example() -> None:
    # RFC 8037 appendix A.3: the thumbprint of the example Ed25519 public key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_public_jwk_carries_its_thumbprint_as_kid() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    jwk = public_jwk(Ed25519PrivateKey.generate().public_key())
    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"
    assert jwk["alg"] == "EdDSA"
    assert jwk["use"] == "sig"
    assert jwk["kid"] == jwk_thumbprint(jwk)


def test_verification_mail_has_the_portal_link_and_the_code() -> None:
    mail = verification_mail(
        name="Max", portal_url="http://portal.test/", token="tok_en-1", hours_valid=24
    )
    assert "http://portal.test/verify-email?token=tok_en-1" in mail.body
    assert "Verification code: tok_en-1" in mail.body
    assert "24 hours" in mail.body
    assert verification_link("http://p", "a b") == "http://p/verify-email?token=a%20b"
