"""What the gateway adds to answers (no caching, no sniffing, HSTS in production), and what it
does not publish (the services' probes and metrics)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

GatewayFactory = Any  # fixture type from conftest


@pytest.mark.parametrize(
    "path",
    [
        "/api/identity/metrics",
        "/api/billing/metrics",
        "/api/identity/readyz",
        "/api/identity/healthz",
        "/api/identity/metrics/",
        "/api/identity//metrics",
        "/api/identity/%6Detrics",
        "/api/identity/x/../metrics",
        "/api/identity/metrics?format=text",
    ],
)
async def test_service_probes_and_metrics_are_not_published(
    gateway: httpx.AsyncClient, auth: dict[str, str], path: str
) -> None:
    response = await gateway.get(path, headers=auth)

    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not-found"
    assert "aos_http_requests_total" not in response.text


async def test_a_service_route_that_only_starts_like_a_probe_is_proxied(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identity/echo/metrics", headers=auth)

    assert response.status_code == 200


async def test_the_gateways_own_api_problems_are_no_store_and_nosniff(
    gateway: httpx.AsyncClient,
) -> None:
    for response in (
        await gateway.get("/api/billing/orders"),  # 401 at the edge
        await gateway.get("/api/nothing/here"),  # 404 unknown service
        await gateway.get("/api/air/anything"),  # 502: air is down
    ):
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_proxied_answers_keep_the_services_headers(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identity/echo/x", headers=auth)

    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert [v for k, v in response.headers.multi_items() if k == "cache-control"] == ["no-store"]


async def test_hsts_is_sent_in_production_only(
    gateway: httpx.AsyncClient, start_gateway: GatewayFactory
) -> None:
    assert "strict-transport-security" not in (await gateway.get("/healthz")).headers
    async with start_gateway(environment="production") as production:
        for response in (
            await production.get("/healthz"),
            await production.get("/api/billing/catalog/products"),
            await production.get("/api/billing/orders"),
        ):
            assert response.headers["strict-transport-security"] == "max-age=31536000"
