"""The gateway's own metrics: on a listener of their own (GATEWAY_METRICS_PORT), never on the
public port, and with several workers the sum of all of them."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from gateway.config import GatewaySettings
from gateway.public import is_public

# Fixture types from conftest (not importable under --import-mode=importlib).
GatewayFactory = Any
ServedGateway = Any

CATALOG = "/api/billing/catalog/products"  # public: no token needed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def requests_counted(metrics: str, *, route: str, status: int) -> float:
    """The gateway's request counter for one route and status (0 when it has no sample yet)."""
    match = re.search(
        rf'^aos_http_requests_total\{{method="GET",route="{re.escape(route)}",'
        rf'service="gateway",status="{status}"\}} ([0-9.e+]+)$',
        metrics,
        re.MULTILINE,
    )
    return float(match.group(1)) if match else 0.0


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
async def test_metrics_are_not_served_on_the_public_port(
    gateway: httpx.AsyncClient, method: str
) -> None:
    response = await gateway.request(method, "/metrics")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "aos_http_requests_total" not in response.text


async def test_metrics_path_is_no_portal_route_either(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_bytes(b"<!doctype html><title>portal</title>")

    async with start_gateway(web_root=dist) as client:
        client_route = await client.get("/passes")
        metrics = await client.get("/metrics")

    assert client_route.status_code == 200  # the portal is built: client routes get index.html
    assert metrics.status_code == 404
    assert metrics.json()["code"] == "not-found"


def test_metrics_are_not_on_the_public_routes_list() -> None:
    assert not is_public("GET", "/metrics")


def test_metrics_port_must_not_be_the_public_port() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_METRICS_PORT"):
        GatewaySettings(port=9000, metrics_port=9000)


async def test_metrics_listener_serves_the_gateways_metrics(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    metrics_port = free_port()
    async with served_gateway(
        tmp_path / "gateway.log", GATEWAY_METRICS_PORT=str(metrics_port)
    ) as port:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get(CATALOG)).status_code == 200
            assert (await client.get(CATALOG)).status_code == 200
            public = await client.get("/metrics")
        async with httpx.AsyncClient() as client:
            scraped = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")

    assert public.status_code == 404
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert requests_counted(scraped.text, route="/api/billing", status=200) == 2
    # The public port's 404 for /metrics is counted like any other unknown path.
    assert requests_counted(scraped.text, route="other", status=404) == 1


async def test_metrics_listener_sums_the_counts_of_every_worker(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    metrics_port = free_port()
    requests = 12
    async with served_gateway(
        tmp_path / "gateway.log", GATEWAY_METRICS_PORT=str(metrics_port), GATEWAY_WORKERS="2"
    ) as port:
        # A new connection per request, so the kernel hands them to either worker.
        for _ in range(requests):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                assert (await client.get(CATALOG)).status_code == 200
        async with httpx.AsyncClient() as client:
            scraped = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")

    assert scraped.status_code == 200
    assert requests_counted(scraped.text, route="/api/billing", status=200) == requests
