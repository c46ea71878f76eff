"""Forgot password: the mailed single-use link, its expiry, and what a reset ends.

"No mail" is checked in the outgoing mail table, where every mail is written in the request's
transaction: it has committed when the answer arrives, so nothing can slip past the check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from identity.config import Settings
from identity.mailsink import MailSink, extract_link_token
from identity.main import create_app
from servicekit.testing import ManualClock, running_app

NEW_PASSWORD = "a brand new passphrase for the workshop"


async def mails_to(app: FastAPI, recipient: str) -> int:
    async with app.state.database.transaction() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM outgoing_mail WHERE recipient = :recipient"),
            {"recipient": recipient},
        )
    return int(count or 0)


async def reset_token(sink: MailSink, email: str) -> str:
    """The token of the first mail to ``email`` with a reset link (the verification mail
    comes before it)."""
    count = 1
    while True:
        mail = await sink.wait_for(recipient=email, count=count)
        try:
            return extract_link_token(mail.message, page="reset-password")
        except ValueError:
            count += 1


async def test_forgot_password_answers_unknown_addresses_exactly_like_known_ones(
    identity, client, app: FastAPI
) -> None:
    account = await identity.ready_account()
    unknown = "nobody-here@workshop.example"
    known = await client.post("/password-resets", json={"email": account.email})
    stranger = await client.post("/password-resets", json={"email": unknown})
    assert known.status_code == stranger.status_code == 202
    assert known.json() == stranger.json()
    assert known.headers["content-type"] == stranger.headers["content-type"]
    # Only the account's owner gets a link.
    assert await mails_to(app, account.email) >= 1
    assert await mails_to(app, unknown) == 0


async def test_reset_link_sets_the_password_and_ends_every_login(
    identity, client, mail_sink: MailSink, problem
) -> None:
    account = await identity.ready_account()
    first = await identity.tokens(account)
    codes = account.recovery_codes
    second = identity.with_refresh_cookie(await identity.login(account, totp_code=codes[0]))
    await client.post("/password-resets", json={"email": account.email})
    token = await reset_token(mail_sink, account.email)

    response = await client.post(
        "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert response.status_code == 204, response.text

    for login in (first, second):
        problem(await identity.refresh(login["refresh_token"]), 401, "refresh-token-invalid")
    old_password = await identity.login(account, totp_code=codes[1])
    problem(old_password, 401, "login-failed")
    account.password = NEW_PASSWORD
    # The mailbox alone does not open the account: the authenticator is still asked for.
    problem(await identity.login(account), 401, "totp-required")
    assert (await identity.login(account, totp_code=codes[1])).status_code == 200
    changed = await mail_sink.wait_for(recipient=account.email, count=3)
    assert "password was changed" in changed.subject


async def test_reset_link_works_only_once(identity, client, mail_sink: MailSink, problem) -> None:
    account = await identity.ready_account()
    await client.post("/password-resets", json={"email": account.email})
    token = await reset_token(mail_sink, account.email)
    first = await client.post(
        "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert first.status_code == 204, first.text
    again = await client.post(
        "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD + "!"}
    )
    problem(again, 409, "password-reset-token-used")


async def test_unknown_reset_link_is_a_400_problem(client, problem) -> None:
    response = await client.post(
        "/password-resets/confirm", json={"token": "made-up", "password": NEW_PASSWORD}
    )
    problem(response, 400, "password-reset-token-invalid")


async def test_reset_refuses_a_too_short_password_naming_the_field(client, problem) -> None:
    response = await client.post(
        "/password-resets/confirm", json={"token": "whatever", "password": "short"}
    )
    body = problem(response, 422, "validation-error")
    assert [error["field"] for error in body["errors"]] == ["password"]


async def test_forgot_password_with_a_malformed_address_is_422_problem(client, problem) -> None:
    problem(await client.post("/password-resets", json={"email": "nope"}), 422)


class TestExpiry:
    """The link expires after IDENTITY_PASSWORD_RESET_TTL_SECONDS, measured by the app's clock."""

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    async def client(
        self, settings: Settings, clock: ManualClock
    ) -> AsyncIterator[httpx.AsyncClient]:
        async with running_app(create_app(settings, clock=clock)) as http:
            yield http

    async def test_reset_link_is_refused_after_an_hour(
        self, identity, client, clock: ManualClock, mail_sink: MailSink, problem
    ) -> None:
        account = await identity.ready_account()
        await client.post("/password-resets", json={"email": account.email})
        token = await reset_token(mail_sink, account.email)
        clock.advance(3600)
        response = await client.post(
            "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        body = problem(response, 410, "password-reset-token-expired")
        assert "60 minutes" in body["detail"]

    async def test_reset_link_works_until_just_before_the_hour(
        self, identity, client, clock: ManualClock, mail_sink: MailSink
    ) -> None:
        account = await identity.ready_account()
        await client.post("/password-resets", json={"email": account.email})
        token = await reset_token(mail_sink, account.email)
        clock.advance(3599)
        response = await client.post(
            "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert response.status_code == 204, response.text


async def test_the_reset_token_never_reaches_the_logs(
    identity, settings: Settings, mail_sink: MailSink, capsys: pytest.CaptureFixture[str]
) -> None:
    """The access log records each request's path: the token must not be in one."""
    verbose = settings.model_copy(update={"log_level": "INFO"})
    async with running_app(create_app(verbose)) as http:
        identity.http = http
        account = await identity.ready_account()
        await http.post("/password-resets", json={"email": account.email})
        token = await reset_token(mail_sink, account.email)
        response = await http.post(
            "/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert response.status_code == 204, response.text
    logs = capsys.readouterr().err
    assert "/password-resets/confirm" in logs
    assert token not in logs
