"""Reading the bearer token at the edge."""

from __future__ import annotations

from gateway.tokens import bearer_token


def test_bearer_token_is_read_from_the_header_value() -> None:
    assert bearer_token(b"Bearer abc.def") == "abc.def"
    assert bearer_token(b"bearer  abc ") == "abc"
    assert bearer_token(b"Basic dXNlcg==") is None
    assert bearer_token(b"Bearer ") is None
    assert bearer_token(None) is None
