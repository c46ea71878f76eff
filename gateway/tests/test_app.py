"""The gateway's own behaviour: request ids, probes, metrics."""

from __future__ import annotations

import re
from typing import Any

import httpx
from prometheus_client import generate_latest

GatewayFactory = Any  # fixture type from conftest


def gateway_metrics() -> str:
    """What the metrics listener would export: the gateway under test runs in this process
    (test_metrics.py scrapes a real listener)."""
    return generate_latest().decode()


async def test_request_id_is_generated_sent_to_the_service_and_returned(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/identity/echo/rid", headers=auth)

    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert response.json()["headers"]["x-request-id"] == request_id


async def test_well_formed_incoming_request_id_is_kept(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get(
        "/api/identity/echo/rid", headers={**auth, "X-Request-ID": "spa-1234.abc"}
    )

    assert response.headers["x-request-id"] == "spa-1234.abc"
    assert response.json()["headers"]["x-request-id"] == "spa-1234.abc"


async def test_malformed_incoming_request_id_is_replaced(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get(
        "/api/identity/echo/rid", headers={**auth, "X-Request-ID": "bad id; drop table"}
    )

    request_id = response.headers["x-request-id"]
    assert request_id != "bad id; drop table"
    assert response.json()["headers"]["x-request-id"] == request_id


async def test_request_id_is_in_the_gateways_problems(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/billing/orders", headers={"X-Request-ID": "trace-42"})

    assert response.status_code == 401
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["request_id"] == "trace-42"


async def test_healthz_answers_without_asking_the_services(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_each_service_and_fails_while_one_is_down(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["identity"] == "ok"
    assert checks["billing"] == "ok"
    assert checks["air"].startswith("error")


async def test_readyz_is_ready_when_every_service_answers(
    start_gateway: GatewayFactory, services: Any
) -> None:
    async with start_gateway(air_url=services.urls["billing"]) as gateway:
        response = await gateway.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_metrics_count_proxied_requests_per_service(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await gateway.get("/api/billing/orders", headers=auth)

    metrics = gateway_metrics()

    assert re.search(
        r'aos_http_requests_total\{method="GET",route="/api/billing",service="gateway",'
        r'status="200"\} [1-9]',
        metrics,
    )


async def test_unknown_methods_share_one_metric_label(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await gateway.request("PROPFIND", "/api/identity/echo/x", headers=auth)

    metrics = gateway_metrics()

    gateway_lines = [line for line in metrics.splitlines() if 'service="gateway"' in line]
    assert not [line for line in gateway_lines if 'method="PROPFIND"' in line]
    assert [line for line in gateway_lines if 'method="OTHER",route="/api/identity"' in line]


async def test_own_paths_refuse_other_methods_with_a_405_problem(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.post("/healthz")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
