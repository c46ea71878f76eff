"""Secrets stay out of the text representations that logs and tracebacks may show."""

from __future__ import annotations

import uuid

from identity.services.login import LoginAttempt
from identity.services.registration import Registration
from identity.services.tokens import IssuedTokens


def test_login_attempt_repr_hides_password_and_code() -> None:
    text = repr(
        LoginAttempt(email="a@b.example", password="hunter2-hunter2", second_factor="123456")
    )
    assert "a@b.example" in text
    assert "hunter2" not in text
    assert "123456" not in text


def test_registration_repr_hides_the_password() -> None:
    registration = Registration(
        company_name="Muster GmbH",
        country="DE",
        vat_id="DE123456704",
        owner_name="Max",
        email="a@b.example",
        password="hunter2-hunter2",
    )
    assert "hunter2" not in repr(registration)


def test_issued_tokens_repr_hides_the_tokens() -> None:
    tokens = IssuedTokens(
        access_token="access-secret",
        expires_in=600,
        refresh_token="refresh-secret",
        refresh_expires_in=60,
        session_id=uuid.uuid4(),
    )
    assert "secret" not in repr(tokens)
