"""Rate limits at the edge: per client IP and per account on the routes that check secrets or
send mail, per access token on the API; 429 problem+json with Retry-After and RateLimit-*."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.ratelimit import _FixedWindows
from servicekit.testing import TestTokenIssuer, assert_problem

GatewayFactory = Any  # the start_gateway fixture (conftest)
HIGH = "1000/minute"
LOGIN = "/api/identity/auth/login"


def _from(address: str) -> dict[str, str]:
    """Headers of a request that reached the gateway through a trusted proxy (127.0.0.1 by
    default) on behalf of ``address``."""
    return {"X-Forwarded-For": address}


def assert_rate_limited(response: httpx.Response, *, limit: int) -> None:
    body = assert_problem(response, 429, "rate-limited")
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    assert body["retry_after_seconds"] == retry_after
    assert response.headers["RateLimit-Limit"] == str(limit)
    assert response.headers["RateLimit-Remaining"] == "0"
    assert int(response.headers["RateLimit-Reset"]) == retry_after


async def test_login_is_limited_per_client_ip_and_other_clients_go_on(
    start_gateway: GatewayFactory,
) -> None:
    async with start_gateway(
        rate_limit_login_per_ip="3/minute", rate_limit_login_per_account=HIGH
    ) as client:
        answers = [
            await client.post(
                LOGIN, json={"email": f"u{n}@example.com"}, headers=_from("192.0.2.1")
            )
            for n in range(4)
        ]
        other_client = await client.post(
            LOGIN, json={"email": "u0@example.com"}, headers=_from("192.0.2.2")
        )

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3], limit=3)
    assert other_client.status_code == 200


async def test_login_is_limited_per_account_from_any_client(start_gateway: GatewayFactory) -> None:
    async with start_gateway(
        rate_limit_login_per_ip=HIGH, rate_limit_login_per_account="2/minute"
    ) as client:
        # The e-mail is compared as identity compares it: trimmed, case-insensitive.
        emails = ["victim@example.com", " Victim@Example.com", "VICTIM@example.com"]
        answers = [
            await client.post(LOGIN, json={"email": email}, headers=_from(f"192.0.2.{n}"))
            for n, email in enumerate(emails, start=10)
        ]
        other_account = await client.post(
            LOGIN, json={"email": "someone@example.com"}, headers=_from("192.0.2.10")
        )

    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_rate_limited(answers[2], limit=2)
    assert other_account.status_code == 200


async def test_a_limited_route_gets_its_body_and_the_client_address_unchanged(
    start_gateway: GatewayFactory,
) -> None:
    body = '{"email": "body@example.com", "password": "p\\u00e4ss"}'
    async with start_gateway() as client:
        response = await client.post(
            LOGIN,
            content=body,
            headers={"Content-Type": "application/json", **_from("198.51.100.7")},
        )

    assert response.status_code == 200
    echoed = response.json()
    assert echoed["body"] == body
    assert echoed["headers"]["x-real-ip"] == "198.51.100.7"


async def test_a_client_cannot_choose_its_address_from_an_untrusted_peer(
    start_gateway: GatewayFactory,
) -> None:
    # Nothing is trusted: X-Forwarded-For from the test (127.0.0.1) is the client's own say.
    async with start_gateway(
        trusted_proxies="", rate_limit_login_per_ip="1/minute", rate_limit_login_per_account=HIGH
    ) as client:
        # Nor by naming it in X-Real-IP, the gateway's own header to the services.
        first = await client.post(
            LOGIN,
            json={"email": "a@example.com"},
            headers={**_from("192.0.2.1"), "X-Real-IP": "192.0.2.99"},
        )
        second = await client.post(
            LOGIN, json={"email": "b@example.com"}, headers=_from("192.0.2.2")
        )

    assert first.json()["headers"]["x-real-ip"] == "127.0.0.1"
    assert_rate_limited(second, limit=1)


@pytest.mark.parametrize(
    ("name", "path", "request_for"),
    [
        (
            "registration",
            "/api/identity/organizations",
            lambda n: {"json": {"email": f"r{n}@x.example"}},
        ),
        (
            "refresh",
            "/api/identity/auth/refresh",
            lambda n: {"headers": {"Cookie": f"theme=dark; aos_refresh=t{n}", "X-AOS-CSRF": "1"}},
        ),
        (
            "password_reset",
            "/api/identity/password-resets",
            lambda n: {"json": {"email": f"p{n}@x.example"}},
        ),
        (
            "totp_reset",
            "/api/identity/auth/totp-reset",
            lambda n: {"json": {"email": f"t{n}@x.example", "password": "x", "recovery_code": "y"}},
        ),
        (
            "resend",
            "/api/identity/email-verifications/resend",
            lambda n: {"json": {"email": f"s{n}@x.example"}},
        ),
        (
            "totp_confirm",
            "/api/identity/totp/enrolment/confirm",
            lambda n: {"json": {"code": "123456"}, "headers": {"Authorization": f"Bearer e{n}"}},
        ),
        ("pairing", "/api/programming/agents/pair", lambda n: {"json": {"code": f"CODE-{n}"}}),
    ],
)
async def test_each_secret_checking_route_is_limited_per_ip_and_per_account(
    start_gateway: GatewayFactory, name: str, path: str, request_for: Any
) -> None:
    async with start_gateway(
        **{f"rate_limit_{name}_per_ip": "2/minute", f"rate_limit_{name}_per_account": "1/minute"}
    ) as client:
        same_account = [await client.post(path, **request_for(0)) for _ in range(2)]
        per_ip = [await client.post(path, **request_for(n)) for n in (1, 2)]

    # Whatever the test service answers (it has not every route), it is not a 429.
    assert same_account[0].status_code != 429
    assert_rate_limited(same_account[1], limit=1)
    assert per_ip[0].status_code != 429
    assert_rate_limited(per_ip[1], limit=2)


async def test_the_api_is_limited_per_access_token(
    start_gateway: GatewayFactory, edge_issuer: TestTokenIssuer
) -> None:
    first = {"Authorization": f"Bearer {edge_issuer.token()}"}
    second = {"Authorization": f"Bearer {edge_issuer.token(ttl=301)}"}
    async with start_gateway(rate_limit_api_per_token="2/minute") as client:
        answers = [await client.get("/api/billing/orders", headers=first) for _ in range(3)]
        other_token = await client.get("/api/billing/orders", headers=second)

    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_rate_limited(answers[2], limit=2)
    assert other_token.status_code == 200


async def test_limits_can_be_turned_off(
    start_gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with start_gateway(
        rate_limits_enabled=False, rate_limit_api_per_token="1/minute"
    ) as client:
        answers = [await client.get("/api/billing/orders", headers=auth) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_window_opens_at_the_first_hit_and_refuses_past_its_amount() -> None:
    clock = FakeClock()
    windows = _FixedWindows(2, seconds=60, clock=clock)

    first = windows.hit("k")
    clock.now += 30
    hits = [first, windows.hit("k"), windows.hit("k")]
    ends_at, left = windows.state("k")

    assert hits == [True, True, False]
    assert (ends_at, left) == (1_700_000_060.0, 0)
    assert windows.hit("other key")


def test_a_token_window_starts_again_once_it_ended() -> None:
    clock = FakeClock()
    windows = _FixedWindows(1, seconds=60, clock=clock)
    windows.hit("k")
    refused = windows.hit("k")

    clock.now += 60
    again = windows.hit("k")

    assert (refused, again) == (False, True)
    assert windows.state("k") == (1_700_000_120.0, 0)


def test_ended_token_windows_are_dropped_from_memory() -> None:
    clock = FakeClock()
    windows = _FixedWindows(5, seconds=60, clock=clock)
    for n in range(100):
        windows.hit(f"token {n}")

    clock.now += 61
    windows.hit("a new token")

    assert list(windows._windows) == ["a new token"]
