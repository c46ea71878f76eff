import pytest

from billing.domain.idempotency import (
    InvalidIdempotencyKey,
    MissingIdempotencyKey,
    request_fingerprint,
    validate_idempotency_key,
)


@pytest.mark.parametrize("key", ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "!~", "x" * 255])
def test_visible_ascii_keys_up_to_255_characters_are_accepted(key: str) -> None:
    assert validate_idempotency_key(key) == key


@pytest.mark.parametrize("key", [None, ""])
def test_absent_key_is_reported_missing(key: str | None) -> None:
    with pytest.raises(MissingIdempotencyKey):
        validate_idempotency_key(key)


@pytest.mark.parametrize("key", ["x" * 256, "has space", "tab\t", "umlaut-ä", "nul\x00", "del\x7f"])
def test_long_or_non_visible_ascii_keys_are_rejected(key: str) -> None:
    with pytest.raises(InvalidIdempotencyKey):
        validate_idempotency_key(key)


def test_fingerprint_ignores_key_order_of_the_payload() -> None:
    first = request_fingerprint(method="POST", path="/orders", payload={"a": 1, "b": 2})
    second = request_fingerprint(method="post", path="/orders", payload={"b": 2, "a": 1})
    assert first == second


def test_fingerprint_differs_for_another_payload_path_or_method() -> None:
    base = request_fingerprint(method="POST", path="/orders", payload={"product_code": "AIR_1H"})
    assert base != request_fingerprint(
        method="POST", path="/orders", payload={"product_code": "AIR_1D"}
    )
    assert base != request_fingerprint(
        method="POST", path="/orders/x/payment", payload={"product_code": "AIR_1H"}
    )
    assert base != request_fingerprint(
        method="PUT", path="/orders", payload={"product_code": "AIR_1H"}
    )
