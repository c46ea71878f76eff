"""The gateway's own behaviour: request ids, probes, metrics."""

from __future__ import annotations

import re
import socket
from pathlib import Path
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


async def test_readyz_is_ready_while_a_service_is_down_and_shows_each_services_state(
    gateway: httpx.AsyncClient, services: Any
) -> None:
    """air is down: the gateway still serves the others (and the portal), so it stays ready."""
    response = await gateway.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"started": "ok", "signing_keys": "ok", "portal": "not served"}
    upstreams = body["upstreams"]
    assert (upstreams["identity"], upstreams["billing"], upstreams["programming"]) == (
        "ok",
        "ok",
        "ok",
    )
    assert upstreams["air"].startswith("error: ")
    metrics = gateway_metrics()
    air, identity = services.urls["air"], services.urls["identity"]
    assert f'aos_gateway_upstream_up{{service="air",upstream="{air}"}} 0.0' in metrics
    assert f'aos_gateway_upstream_up{{service="identity",upstream="{identity}"}} 1.0' in metrics


async def test_readyz_shows_a_service_up_again_once_it_answers(
    start_gateway: GatewayFactory, services: Any
) -> None:
    async with start_gateway(air_url=services.urls["billing"]) as gateway:
        response = await gateway.get("/readyz")

    assert response.status_code == 200
    assert set(response.json()["upstreams"].values()) == {"ok"}
    billing = services.urls["billing"]
    assert f'aos_gateway_upstream_up{{service="air",upstream="{billing}"}} 1.0' in (
        gateway_metrics()
    )


async def test_readyz_answers_ready_while_a_service_accepts_connections_but_never_answers(
    start_gateway: GatewayFactory,
) -> None:
    """A hung service (its backlog accepts, nothing reads) is reported, and the gateway's own
    answer does not wait on it for longer than its check."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(8)
    try:
        async with start_gateway(air_url=f"http://127.0.0.1:{hung.getsockname()[1]}") as gateway:
            response = await gateway.get("/readyz", timeout=10)
    finally:
        hung.close()

    assert response.status_code == 200
    assert response.json()["upstreams"]["air"] == "error: TimeoutError"


async def test_readyz_is_a_503_problem_while_no_signing_keys_can_be_fetched(
    start_gateway: GatewayFactory, services: Any
) -> None:
    unreachable = f"{services.urls['air']}/.well-known/jwks.json"
    async with start_gateway(jwks_url=unreachable) as gateway:
        response = await gateway.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/not-ready")
    assert unreachable in problem["detail"]
    assert problem["checks"]["signing_keys"].startswith("error: ")
    assert problem["checks"]["started"] == "ok"
    assert problem["upstreams"]["identity"] == "ok"
    assert problem["request_id"] == response.headers["x-request-id"]


async def test_readyz_needs_the_signing_keys_not_the_identity_service_behind_it(
    start_gateway: GatewayFactory, services: Any, auth: dict[str, str]
) -> None:
    """identity's replica for the proxy is down while its keys are held: tokens are still
    checked and other services served, so the gateway is ready; identity shows as down."""
    async with start_gateway(identity_url=services.urls["air"]) as gateway:
        first = await gateway.get("/readyz")
        proxied = await gateway.get("/api/billing/orders", headers=auth)

    assert first.status_code == 200
    assert first.json()["upstreams"]["identity"].startswith("error: ")
    assert proxied.status_code == 200


async def test_readyz_is_a_503_problem_while_a_required_portal_is_not_built(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    root = tmp_path / "dist"
    async with start_gateway(web_root=root, portal_required=True) as gateway:
        unbuilt = await gateway.get("/readyz")
        root.mkdir()
        (root / "index.html").write_text("<!doctype html><title>AOS</title>")
        built = await gateway.get("/readyz")

    assert unbuilt.status_code == 503
    assert unbuilt.headers["content-type"] == "application/problem+json"
    assert unbuilt.json()["checks"]["portal"].startswith("error: the portal is not built")
    assert built.status_code == 200
    assert built.json()["checks"]["portal"] == "ok"


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
