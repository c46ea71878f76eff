"""Answers that carry a secret (enrolment token, TOTP secret, recovery codes, tokens) are never
stored by a browser or proxy cache, and are never sniffed as another type."""

from __future__ import annotations

import httpx
import pyotp


def _assert_not_cached(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store", response.request.url
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_answer_with_a_secret_is_no_store(identity) -> None:
    account = await identity.register()
    await identity.verify(account)

    enrolment = await identity.login(account)  # 403 with the enrolment token
    assert "enrolment_token" in enrolment.json()
    _assert_not_cached(enrolment)

    auth = {"Authorization": f"Bearer {enrolment.json()['enrolment_token']}"}
    started = await identity.http.post("/totp/enrolment", headers=auth)
    assert "secret" in started.json()
    _assert_not_cached(started)

    secret = started.json()["secret"]
    confirmed = await identity.http.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.json()["recovery_codes"]
    _assert_not_cached(confirmed)

    account.totp_secret = secret
    tokens = await identity.login(account, totp_code=account.next_code())
    assert "access_token" in tokens.json()
    _assert_not_cached(tokens)


async def test_api_answers_and_problems_are_no_store_by_default(client: httpx.AsyncClient) -> None:
    for response in (
        await client.post("/auth/login", json={}),  # a problem
        await client.get("/me"),  # a 401 problem
    ):
        _assert_not_cached(response)
    # A route that chose its own caching keeps it.
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.headers["cache-control"] == "public, max-age=300"
    assert jwks.headers["x-content-type-options"] == "nosniff"
