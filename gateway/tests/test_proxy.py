"""Proxying through the gateway to real services: routing, headers, bodies, upstream failures."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from servicekit.testing import TestTokenIssuer

PROBLEM = "application/problem+json"
MIB = 1024 * 1024
# Fixture types from conftest (not importable under --import-mode=importlib).
GatewayFactory = Any
Services = Any


async def test_request_is_routed_to_its_service_with_the_prefix_stripped(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/billing/orders?x=1&next=a%2Fb", headers=auth)

    assert response.status_code == 200
    seen = response.json()
    assert seen["path"] == "/orders"
    assert seen["query"] == "x=1&next=a%2Fb"


async def test_each_service_gets_its_own_requests(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identity/echo/a/b", headers=auth)

    assert response.status_code == 200
    assert response.json()["path"] == "/echo/a/b"


async def test_percent_encoding_of_the_path_is_kept(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identity/echo/a%2Fb%20c", headers=auth)

    assert response.json()["raw_path"] == "/echo/a%2Fb%20c"


async def test_a_nul_in_a_public_path_reaches_the_service_and_is_a_422_naming_it(
    gateway: httpx.AsyncClient,
) -> None:
    # The audit's request: no token needed, and it used to end in a 500 in the service.
    response = await gateway.get("/api/billing/catalog/products/%00")

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "path.code"
    assert response.json()["errors"][0]["code"] == "nul-character"


async def test_escaped_service_name_still_only_extends_that_services_url(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identit%79/echo/z", headers=auth)

    assert response.status_code == 200
    assert response.json()["path"] == "/echo/z"


async def test_all_methods_and_request_bodies_are_forwarded(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await gateway.request(
            method, "/api/identity/echo/x", headers=auth, content=b'{"a": 1}'
        )
        assert response.status_code == 200, method
        assert response.json()["method"] == method


async def test_unknown_service_is_a_404_problem(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/nosuch/things", headers=auth)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "/problems/unknown-service"
    assert "nosuch" in problem["detail"]


async def test_path_outside_the_api_without_a_built_portal_is_a_problem(
    gateway: httpx.AsyncClient,
) -> None:
    # Paths outside /api belong to the web portal (see test_spa.py); here none is built.
    response = await gateway.get("/wp-admin")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM


async def test_hop_by_hop_headers_are_removed_and_forwarding_headers_added(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get(
        "/api/identity/echo/h",
        headers={
            **auth,
            "Connection": "keep-alive, X-Private-Hop",
            "X-Private-Hop": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic abc",
            "X-Forwarded-For": "203.0.113.7",
            "X-Custom": "kept",
        },
    )

    seen = response.json()["headers"]
    for name in ("x-private-hop", "keep-alive", "te", "proxy-authorization"):
        assert name not in seen, name
    assert seen["x-custom"] == "kept"
    assert seen["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == gateway.base_url.netloc.decode()
    # Host is the service's own, not the gateway's.
    assert seen["host"] != gateway.base_url.netloc.decode()


async def test_authorization_is_forwarded_unchanged_for_the_service_to_verify(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer
) -> None:
    user = uuid.uuid4()
    token = edge_issuer.token(user_id=user)

    response = await gateway.get("/api/identity/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"user_id": str(user)}


async def test_cookies_pass_through_unchanged_both_ways(gateway: httpx.AsyncClient) -> None:
    """The refresh token lives in a cookie: the gateway hands the client's Cookie header to
    identity as sent, and every Set-Cookie of the answer back to the client, attributes and
    all (a proxy merging or dropping them would break the login across tabs)."""
    cookie = 'aos_refresh=abc-123_x; theme="dark blue"'
    response = await gateway.post(
        "/api/identity/auth/refresh", headers={"Cookie": cookie, "X-AOS-CSRF": "1"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["headers"]["cookie"] == cookie
    assert response.headers.get_list("set-cookie") == [
        "aos_refresh=rotated; HttpOnly; Path=/api/identity/auth; SameSite=strict",
        "aos_other=x; Max-Age=60; Path=/; SameSite=lax",
    ]


async def test_service_errors_pass_through_unchanged(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/billing/no-such-route", headers=auth)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["instance"] == "/no-such-route"  # the service's own problem


async def test_service_that_is_down_is_a_502_problem(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/air/documents", headers=auth)

    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "air is unavailable; retry shortly."


async def test_service_that_does_not_answer_in_time_is_a_504_problem(
    start_gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with start_gateway(upstream_timeout_seconds=0.3) as gateway:
        response = await gateway.get("/api/identity/slow?seconds=2", headers=auth)

    assert response.status_code == 504
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/upstream-timeout"


async def test_declared_oversized_body_is_a_413_problem(
    start_gateway: GatewayFactory, services: Services, auth: dict[str, str]
) -> None:
    hits = services.identity.state.hits
    async with start_gateway(max_body_bytes=1024) as gateway:
        response = await gateway.post("/api/identity/echo/x", headers=auth, content=b"x" * 1025)

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "1024 bytes" in response.json()["detail"]
    assert services.identity.state.hits == hits  # never reached the service


async def test_streamed_oversized_body_is_a_413_problem(
    start_gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 1024

    async with start_gateway(max_body_bytes=16 * 1024) as gateway:
        # No Content-Length: the body comes chunked and is counted while it streams.
        response = await gateway.post("/api/identity/uploads", headers=auth, content=chunks())

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_multi_megabyte_request_body_is_streamed_to_the_service(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    block = bytes(range(256)) * 1024

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(24):  # 6 MiB
            yield block

    response = await gateway.post("/api/identity/uploads", headers=auth, content=chunks())

    assert response.status_code == 200
    assert response.json() == {
        "size": 24 * len(block),
        "sha256": hashlib.sha256(block * 24).hexdigest(),
    }


async def test_multi_megabyte_response_is_streamed_through_without_buffering(
    gateway: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    gate: asyncio.Event = services.identity.state.download_gate
    gate.clear()
    digest = hashlib.sha256()
    size = 0
    async with gateway.stream(
        "GET", "/api/identity/downloads?mib=8&gated=true", headers=auth
    ) as response:
        assert response.status_code == 200
        chunks = response.aiter_raw()
        # The first MiB arrives while the service still holds back the rest.
        async with asyncio.timeout(10):
            while size < MIB:
                chunk = await anext(chunks)
                digest.update(chunk)
                size += len(chunk)
        gate.set()
        async for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)

    assert size == 8 * MIB
    assert digest.hexdigest() == hashlib.sha256((bytes(range(256)) * 4096) * 8).hexdigest()
