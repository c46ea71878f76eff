"""The programming service behind the gateway: its routes and which of them are public."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.config import GatewaySettings

PROBLEM = "application/problem+json"
Services = Any  # fixture type from conftest


def test_programming_url_comes_from_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PROGRAMMING_URL", "http://127.0.0.1:9104/")

    assert GatewaySettings().upstreams["programming"] == ("http://127.0.0.1:9104",)


def test_programming_url_defaults_to_port_8104(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_PROGRAMMING_URL", raising=False)

    assert GatewaySettings().upstreams["programming"] == ("http://127.0.0.1:8104",)


async def test_pairing_reaches_the_service_without_an_access_token(
    gateway: httpx.AsyncClient, services: Services
) -> None:
    hits = services.programming.state.hits

    response = await gateway.post("/api/programming/agents/pair", json={"code": "K7Q-22M"})

    assert response.status_code == 200
    assert response.json()["path"] == "/agents/pair"
    assert services.programming.state.hits == hits + 1


async def test_image_download_reaches_the_service_with_its_download_token(
    gateway: httpx.AsyncClient,
) -> None:
    # The per-job download token is not a JWT: the gateway passes it on for programming to check.
    response = await gateway.get(
        "/api/programming/releases/r-42/image", headers={"Authorization": "Download dl-token-1"}
    )

    assert response.status_code == 200
    assert response.content == b"r-42:Download dl-token-1"


async def test_other_programming_routes_need_an_access_token(
    gateway: httpx.AsyncClient, services: Services
) -> None:
    hits = services.programming.state.hits

    response = await gateway.get("/api/programming/sessions")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert services.programming.state.hits == hits


async def test_programming_routes_reach_the_service_with_an_access_token(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await gateway.get("/api/programming/sessions", headers=auth)

    assert response.status_code == 200
    assert response.json()["path"] == "/sessions"


async def test_agent_socket_path_is_public_only_for_websocket_handshakes(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/api/programming/agent/ws")

    assert response.status_code == 401
