import pytest

from billing.domain.signatures import (
    SignatureError,
    compute_signature,
    signature_header,
    verify_signature,
)

SECRET = b"whsec_test"
BODY = b'{"a":1}'
T = 1_700_000_000


def test_signature_is_hmac_sha256_hex_of_timestamp_dot_body() -> None:
    # Reference value computed independently with:
    #   printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    assert compute_signature(BODY, secret=SECRET, timestamp=T) == (
        "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
    )


def test_header_carries_timestamp_and_v1_signature() -> None:
    header = signature_header(BODY, secret=SECRET, timestamp=T)
    assert header == f"t={T},v1={compute_signature(BODY, secret=SECRET, timestamp=T)}"


def test_good_signature_verifies_and_returns_its_timestamp() -> None:
    header = signature_header(BODY, secret=SECRET, timestamp=T)
    assert verify_signature(header, BODY, secret=SECRET, now=T + 10) == T


def test_tampered_body_is_rejected() -> None:
    header = signature_header(BODY, secret=SECRET, timestamp=T)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(header, b'{"a":2}', secret=SECRET, now=T)


def test_signature_with_another_secret_is_rejected() -> None:
    header = signature_header(BODY, secret=b"someone else", timestamp=T)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(header, BODY, secret=SECRET, now=T)


def test_changed_timestamp_invalidates_the_signature() -> None:
    signature = compute_signature(BODY, secret=SECRET, timestamp=T)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(f"t={T + 1},v1={signature}", BODY, secret=SECRET, now=T)


def test_timestamp_older_than_five_minutes_is_rejected() -> None:
    header = signature_header(BODY, secret=SECRET, timestamp=T)
    assert verify_signature(header, BODY, secret=SECRET, now=T + 300) == T
    with pytest.raises(SignatureError, match="301 s away"):
        verify_signature(header, BODY, secret=SECRET, now=T + 301)


def test_timestamp_more_than_five_minutes_ahead_is_rejected() -> None:
    header = signature_header(BODY, secret=SECRET, timestamp=T + 301)
    with pytest.raises(SignatureError, match="away from now"):
        verify_signature(header, BODY, secret=SECRET, now=T)


def test_any_matching_v1_entry_is_accepted_during_secret_rotation() -> None:
    good = compute_signature(BODY, secret=SECRET, timestamp=T)
    header = f"t={T},v1={'0' * 64},v1={good}"
    assert verify_signature(header, BODY, secret=SECRET, now=T) == T


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("v1=abc", "no timestamp"),
        (f"t={T}", "no v1"),
        (f"t=abc,v1={'0' * 64}", "not a unix time"),
        (f"t=-5,v1={'0' * 64}", "not a unix time"),
        ("garbage", "no timestamp"),
    ],
)
def test_missing_or_malformed_header_is_rejected(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_signature(header, BODY, secret=SECRET, now=T)
