"""Identity's settings refuse combinations that cannot work."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from identity.config import Settings


def test_access_tokens_may_not_outlive_what_verifiers_accept() -> None:
    with pytest.raises(ValidationError, match="AOS_JWT_MAX_LIFETIME_SECONDS"):
        Settings(access_token_ttl_seconds=7200, jwt_max_lifetime_seconds=3600)
    assert Settings(access_token_ttl_seconds=3600).access_token_ttl_seconds == 3600
