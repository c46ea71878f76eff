"""``python -m gateway``: the command line, and the gateway as its own process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

ServedGateway = Any  # the served_gateway fixture (conftest)


def test_help_lists_the_serve_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--help"], capture_output=True, text=True, check=True
    )

    assert "serve" in result.stdout


def test_serve_help_lists_host_port_and_workers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )

    for option in ("--host", "--port", "--workers"):
        assert option in result.stdout


def _log_lines(log_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]


async def test_served_gateway_proxies_and_logs_each_request_as_a_json_line(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    log_path = tmp_path / "gateway.log"
    async with (
        served_gateway(log_path) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        response = await client.get(
            "/api/billing/catalog/products", headers={"X-Request-ID": "cli-test-1"}
        )

    assert response.status_code == 200
    access = [line for line in _log_lines(log_path) if line.get("request_id") == "cli-test-1"]
    assert len(access) == 1
    entry = access[0]
    assert entry["event"] == "request"
    assert entry["service"] == "gateway"
    assert (entry["method"], entry["path"], entry["status"]) == (
        "GET",
        "/api/billing/catalog/products",
        200,
    )
    assert entry["upstream"] == "billing"
    assert isinstance(entry["duration_ms"], float)


async def test_served_gateway_logs_each_websocket_session_with_its_message_counts(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    log_path = tmp_path / "gateway.log"
    headers = {"Authorization": "Device dev-1.secret", "X-Request-ID": "cli-ws-1"}
    async with served_gateway(log_path) as port:
        url = f"ws://127.0.0.1:{port}/api/programming/agent/ws"
        async with connect(url, additional_headers=headers, proxy=None) as ws:
            for _ in range(3):  # the agent socket speaks first
                await ws.recv()
            await ws.send("hello")
            await ws.recv()
            await ws.close(code=4000)
        # The session is logged when the gateway has closed its side too.
        async with asyncio.timeout(10):
            while not [line for line in _log_lines(log_path) if line.get("event") == "websocket"]:
                await asyncio.sleep(0.05)

    lines = [line for line in _log_lines(log_path) if line.get("request_id") == "cli-ws-1"]
    (entry,) = [line for line in lines if line.get("event") == "websocket"]
    assert (entry["path"], entry["upstream"], entry["outcome"]) == (
        "/api/programming/agent/ws",
        "programming",
        "proxied",
    )
    assert (entry["status"], entry["close_code"], entry["closed_by"]) == (101, 4000, "client")
    assert (entry["messages_to_client"], entry["messages_to_service"]) == (4, 1)
    assert entry["size_to_service"] == len("hello")
    assert isinstance(entry["duration_ms"], float)


async def _offered_deflate_answer(port: int) -> str | None:
    """The Sec-WebSocket-Extensions the gateway answers a client offering per-message deflate
    (the websockets client offers it by default)."""
    url = f"ws://127.0.0.1:{port}/api/programming/agent/ws"
    headers = {"Authorization": "Device dev-1.secret"}
    async with connect(url, additional_headers=headers, compression="deflate", proxy=None) as ws:
        # Messages still pass both ways, whether compressed or not.
        assert await ws.recv() == b"\x00\x01"
        assert ws.response is not None
        return ws.response.headers.get("Sec-WebSocket-Extensions")


async def test_served_gateway_declines_websocket_deflate_by_default(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    async with served_gateway(tmp_path / "gateway.log") as port:
        extensions = await _offered_deflate_answer(port)

    assert extensions is None


async def test_served_gateway_accepts_websocket_deflate_when_the_setting_is_on(
    served_gateway: ServedGateway, tmp_path: Path
) -> None:
    async with served_gateway(
        tmp_path / "gateway.log", GATEWAY_WEBSOCKET_PER_MESSAGE_DEFLATE="true"
    ) as port:
        extensions = await _offered_deflate_answer(port)

    assert extensions is not None
    assert extensions.startswith("permessage-deflate")
