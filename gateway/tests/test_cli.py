"""``python -m gateway``: the command line, and the gateway as its own process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def test_served_gateway_proxies_and_logs_each_request_as_a_json_line(
    services: Any, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "GATEWAY_IDENTITY_URL": services.urls["identity"],
        "GATEWAY_BILLING_URL": services.urls["billing"],
        "GATEWAY_AIR_URL": services.urls["air"],
        "AOS_JWKS_URL": f"{services.urls['identity']}/.well-known/jwks.json",
    }
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "serve", env=env, stdout=log, stderr=log
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async with asyncio.timeout(60):
                while True:
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
            response = await client.get(
                "/api/billing/catalog/products", headers={"X-Request-ID": "cli-test-1"}
            )
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)

    assert response.status_code == 200
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "cli-test-1"]
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
