"""The refresh token lives only in an HttpOnly cookie; refresh and logout need the CSRF header
and refuse a foreign Origin."""

from __future__ import annotations

import uuid
from http.cookies import SimpleCookie
from typing import Any

import httpx
from fastapi import Response

from identity.api.cookies import set_refresh_cookie
from identity.config import Settings
from identity.services.tokens import IssuedTokens


def refresh_cookie(response: httpx.Response) -> dict[str, Any]:
    """The attributes of the aos_refresh Set-Cookie of ``response`` (lower-case names)."""
    [header] = [v for v in response.headers.get_list("set-cookie") if v.startswith("aos_refresh=")]
    cookie = SimpleCookie()
    cookie.load(header)
    morsel = cookie["aos_refresh"]
    attributes = {key: morsel[key] for key in morsel if morsel[key] != ""}
    attributes["value"] = morsel.value
    attributes["raw"] = header
    return attributes


async def test_login_sets_an_httponly_strict_cookie_scoped_to_the_auth_paths(
    identity, settings: Settings
) -> None:
    account = await identity.ready_account()
    response = await identity.login(account, totp_code=account.next_code())
    assert response.status_code == 200, response.text
    cookie = refresh_cookie(response)
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/api/identity/auth"
    assert int(cookie["max-age"]) == settings.refresh_token_ttl_seconds
    # Plain HTTP in development and test: a Secure cookie would never come back.
    assert "secure" not in cookie
    assert len(cookie["value"]) >= 40


def test_refresh_cookie_is_secure_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    response = Response()
    tokens = IssuedTokens(
        access_token="a",
        expires_in=600,
        refresh_token="r",
        refresh_expires_in=60,
        session_id=uuid.uuid4(),
    )
    set_refresh_cookie(response, tokens, settings=production)
    header = response.headers["set-cookie"]
    assert "; Secure" in header
    assert "HttpOnly" in header
    assert "SameSite=strict" in header


async def test_no_json_answer_carries_the_refresh_token(identity, client) -> None:
    account = await identity.ready_account()
    login = await identity.login(account, totp_code=account.next_code())
    assert "refresh_token" not in login.json()
    refreshed = await identity.refresh(login.cookies["aos_refresh"])
    assert refreshed.status_code == 200, refreshed.text
    assert "refresh_token" not in refreshed.json()
    # No response model of the API can carry one.
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name, schema in schemas.items():
        assert "refresh_token" not in schema.get("properties", {}), name


async def test_refresh_rotates_the_cookie(identity) -> None:
    account = await identity.ready_account()
    first = await identity.tokens(account)
    response = await identity.refresh(first["refresh_token"])
    assert response.status_code == 200, response.text
    rotated = refresh_cookie(response)
    assert rotated["value"] != first["refresh_token"]
    assert rotated["httponly"] is True
    assert (await identity.refresh(rotated["value"])).status_code == 200


async def test_refresh_without_the_csrf_header_is_refused(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    # What a form on another site can send: the cookie, and no custom header.
    response = await client.post(
        "/auth/refresh", headers=identity.cookie_headers(tokens["refresh_token"], csrf=False)
    )
    problem(response, 403, "csrf-check-failed")
    # Refused before the token was looked at: it still works.
    assert (await identity.refresh(tokens["refresh_token"])).status_code == 200


async def test_refresh_from_a_foreign_origin_is_refused(identity, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    response = await identity.refresh(
        tokens["refresh_token"], headers={"Origin": "https://evil.example"}
    )
    problem(response, 403, "csrf-check-failed")


async def test_refresh_from_the_portal_origin_is_accepted(identity) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    response = await identity.refresh(
        tokens["refresh_token"], headers={"Origin": "http://portal.test"}
    )
    assert response.status_code == 200, response.text


async def test_refresh_from_the_origin_the_gateway_saw_is_accepted(identity) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    response = await identity.refresh(
        tokens["refresh_token"],
        headers={
            "Origin": "http://127.0.0.1:8080",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "127.0.0.1:8080",
        },
    )
    assert response.status_code == 200, response.text


async def test_logout_without_the_csrf_header_is_refused(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    response = await client.post(
        "/auth/logout", headers=identity.cookie_headers(tokens["refresh_token"], csrf=False)
    )
    problem(response, 403, "csrf-check-failed")
    assert (await identity.refresh(tokens["refresh_token"])).status_code == 200


async def test_logout_ends_the_login_and_clears_the_cookie(identity, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    response = await identity.logout(tokens["refresh_token"])
    assert response.status_code == 204
    cleared = refresh_cookie(response)
    assert cleared["value"] == ""
    assert int(cleared["max-age"]) == 0
    assert cleared["path"] == "/api/identity/auth"
    problem(await identity.refresh(tokens["refresh_token"]), 401, "refresh-token-invalid")
