"""The service kit's connection limits on a real service: ``python -m identity serve`` as its own
process, over raw connections (header size, slow headers, slow bodies)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from identity.mailsink import MailSink
from servicekit.testing import raw_exchange

HEADER_LIMIT = 4096


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def port(database_url: str, mail_sink: MailSink, tmp_path: Path) -> AsyncIterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "AOS_ENVIRONMENT": "test",
        "IDENTITY_DATABASE_URL": database_url,
        "IDENTITY_SMTP_PORT": str(mail_sink.port),
        "IDENTITY_JWT_PRIVATE_KEY_FILE": str(tmp_path / "jwt-signing-key.pem"),
        "IDENTITY_RUN_BACKGROUND_WORKERS": "false",
        "IDENTITY_MIGRATE_ON_START": "false",
        "IDENTITY_LOG_LEVEL": "WARNING",
        "IDENTITY_MAX_HEADER_BYTES": str(HEADER_LIMIT),
        "IDENTITY_HEADER_TIMEOUT_SECONDS": "1",
        "IDENTITY_BODY_TIMEOUT_SECONDS": "1",
    }
    log_path = tmp_path / "identity.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "identity", "serve", "--port", str(port),
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async with asyncio.timeout(60):
                while True:
                    assert process.returncode is None, log_path.read_text()
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def test_the_service_refuses_headers_over_its_limit_with_431_and_slow_requests_with_408(
    port: int,
) -> None:
    padding = "a" * 5000
    too_large = await raw_exchange(
        port, f"GET /healthz HTTP/1.1\r\nHost: identity\r\nX-Padding: {padding}\r\n\r\n".encode()
    )
    slow_headers = await raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: identity\r\n")
    slow_body = await raw_exchange(
        port,
        b"POST /auth/login HTTP/1.1\r\nHost: identity\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"email": "slow@example.com"',
    )

    assert too_large.status == 431
    assert too_large.problem()["type"] == "/problems/request-header-too-large"
    assert slow_headers.status == 408
    assert slow_body.status == 408
    assert slow_body.problem()["type"] == "/problems/request-timeout"
    assert slow_body.headers["connection"] == "close"
