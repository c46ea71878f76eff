"""Bad input gets a problem+json answer naming what is wrong, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

VALID = {
    "company_name": "Muster Kfz-Service GmbH",
    "country": "DE",
    "vat_id": "DE123456704",
    "owner_name": "Max Mustermann",
    "email": "bad-input@workshop.example",
    "password": "correct horse battery staple",
}


async def test_malformed_json_is_400_problem(client, problem) -> None:
    response = await client.post(
        "/organizations",
        content=b'{"company_name": "Muster",',
        headers={"Content-Type": "application/json"},
    )
    problem(response, 400, "malformed-json")


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", 49), ("password", ["a", "list"]), ("email", None), ("company_name", {})],
)
async def test_wrong_types_are_422_problem_naming_the_field(
    client, problem, field: str, value: Any
) -> None:
    response = await client.post("/organizations", json={**VALID, field: value})
    body = problem(response, 422, "validation-error")
    assert field in [error["field"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "ISO 3166-1 alpha-2"),
        ("country", "Germany", "ISO 3166-1 alpha-2"),
        ("vat_id", "DE811907981", "check digits"),
        ("vat_id", "ATU13585627", "starts with DE, not AT"),
        ("vat_id", "123456789", "two-letter country prefix"),
        ("password", "short", "at least 12"),
        ("password", "x" * 129, "at most 128"),
        ("email", "not-an-address", "not a valid e-mail address"),
        ("company_name", "   ", "must not be empty"),
    ],
)
async def test_invalid_values_are_422_problem_with_the_rule(
    client, problem, field: str, value: str, message: str
) -> None:
    response = await client.post("/organizations", json={**VALID, field: value})
    body = problem(response, 422, "validation-error")
    assert message in body["detail"]
    assert [error["field"] for error in body["errors"]] == [field]


async def test_password_never_echoed_in_the_problem(client, problem) -> None:
    response = await client.post("/organizations", json={**VALID, "password": "secret-pw"})
    problem(response, 422)
    assert "secret-pw" not in response.text


async def test_missing_fields_are_422_problem(client, problem) -> None:
    response = await client.post("/organizations", json={"company_name": "Only a name"})
    body = problem(response, 422, "validation-error")
    assert {"email", "password", "country"} <= {error["field"] for error in body["errors"]}


async def test_unknown_field_is_422_problem(client, problem) -> None:
    response = await client.post("/organizations", json={**VALID, "pasword": "typo"})
    body = problem(response, 422, "validation-error")
    assert "pasword" in [error["field"] for error in body["errors"]]


async def test_oversized_body_is_413_problem(client, problem) -> None:
    response = await client.post(
        "/organizations",
        content=b'{"company_name": "' + b"x" * 1_100_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    problem(response, 413, "payload-too-large")


async def test_login_with_wrong_types_is_422_problem(client, problem) -> None:
    response = await client.post("/auth/login", json={"email": 1, "password": 2})
    problem(response, 422, "validation-error")


async def test_login_with_malformed_json_is_400_problem(client, problem) -> None:
    response = await client.post(
        "/auth/login", content=b"{", headers={"Content-Type": "application/json"}
    )
    problem(response, 400, "malformed-json")


async def test_login_with_a_malformed_email_is_login_failed(client, problem) -> None:
    response = await client.post(
        "/auth/login", json={"email": "not an address", "password": "whatever it is"}
    )
    problem(response, 401, "login-failed")


async def test_verification_with_an_empty_token_is_422_problem(client, problem) -> None:
    problem(await client.post("/email-verifications", json={"token": ""}), 422)


async def test_resend_with_a_malformed_address_is_422_problem(client, problem) -> None:
    response = await client.post("/email-verifications/resend", json={"email": "nope"})
    problem(response, 422, "validation-error")


async def test_refresh_without_a_cookie_is_401_problem(client, problem) -> None:
    response = await client.post("/auth/refresh", headers={"X-AOS-CSRF": "1"})
    problem(response, 401, "refresh-token-invalid")


async def test_me_with_a_garbage_token_is_401_problem(client, problem) -> None:
    response = await client.get("/me", headers={"Authorization": "Bearer not.a.jwt"})
    problem(response, 401, "invalid-token")


async def test_unknown_route_is_404_problem(client, problem) -> None:
    problem(await client.get("/no-such-thing"), 404)


async def test_wrong_method_is_405_problem(client, problem) -> None:
    problem(await client.get("/organizations"), 405)


async def test_empty_totp_code_counts_as_missing(identity, problem) -> None:
    account = await identity.ready_account()
    problem(await identity.login(account, totp_code=""), 401, "totp-required")


async def test_openapi_lists_every_endpoint_with_its_problems(client) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/organizations",
        "/email-verifications",
        "/email-verifications/resend",
        "/auth/login",
        "/auth/refresh",
        "/auth/logout",
        "/totp/enrolment",
        "/totp/enrolment/confirm",
        "/me",
        "/.well-known/jwks.json",
    ):
        assert path in paths, path
    login_errors = paths["/auth/login"]["post"]["responses"]
    assert {"401", "403", "429"} <= set(login_errors)
    assert "/problems/totp-enrolment-required" in login_errors["403"]["description"]
