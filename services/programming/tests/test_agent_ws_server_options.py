"""The WebSocket options ``python -m programming serve`` runs with (servicekit.server's
WebSocketOptions from the settings): no per-message deflate unless configured, the message size
limit. Run as its own process, so that the options are those of the real command."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import websockets.asyncio.client
from websockets.exceptions import ConnectionClosed

from programming.db.models import Agent
from programming.domain.credentials import digest, new_credential
from servicekit.db import Database

Serve = Callable[..., Awaitable[str]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def serve(database_url: str, tmp_path: Path) -> AsyncIterator[Serve]:
    """Start the service with extra ``PROGRAMMING_*`` variables; returns its ws:// URL."""
    processes: list[asyncio.subprocess.Process] = []

    async def start(**variables: str) -> str:
        port = _free_port()
        env = {
            **os.environ,
            "AOS_ENVIRONMENT": "test",
            "PROGRAMMING_DATABASE_URL": database_url,
            "PROGRAMMING_RUN_BACKGROUND_WORKERS": "false",
            "PROGRAMMING_MIGRATE_ON_START": "false",
            "PROGRAMMING_SEED_ON_START": "false",
            "PROGRAMMING_LOG_LEVEL": "WARNING",
            "PROGRAMMING_RELEASE_SIGNING_KEY_FILE": str(tmp_path / "release.pem"),
            "PROGRAMMING_SECRET_KEYS_FILE": str(tmp_path / "secret-keys"),
            **{f"PROGRAMMING_{name.upper()}": value for name, value in variables.items()},
        }
        log_path = tmp_path / f"programming-{port}.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "programming", "serve", "--port", str(port),
                env=env, stdout=log, stderr=log,
            )  # fmt: skip
        processes.append(process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async with asyncio.timeout(60):
                while True:
                    assert process.returncode is None, log_path.read_text()
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.2)
        return f"ws://127.0.0.1:{port}/agent/ws"

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def add_agent(database_url: str) -> str:
    credential = new_credential()
    database = Database(database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            session.add(
                Agent(
                    id=uuid.uuid4(),
                    organization_id=uuid.uuid4(),
                    name="bay",
                    credential_hash=digest(credential),
                    created_by=uuid.uuid4(),
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        await database.dispose()
    return credential


async def test_the_agent_link_declines_per_message_deflate_by_default(serve: Serve) -> None:
    url = await serve()
    # The client offers permessage-deflate, as the real agent (websockets' default) does.
    async with websockets.asyncio.client.connect(url) as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        assert ws.protocol.extensions == []


async def test_per_message_deflate_is_accepted_when_configured(serve: Serve) -> None:
    url = await serve(websocket_per_message_deflate="true")
    async with websockets.asyncio.client.connect(url) as ws:
        assert ws.response is not None
        assert ws.response.headers["Sec-WebSocket-Extensions"].startswith("permessage-deflate")


async def test_a_message_over_the_limit_closes_the_link_with_1009(
    serve: Serve, database_url: str
) -> None:
    url = await serve(websocket_max_message_bytes="1024")
    credential = await add_agent(database_url)
    headers = {"Authorization": f"Bearer {credential}"}
    async with websockets.asyncio.client.connect(url, additional_headers=headers) as ws:
        await ws.send(b"\x00" * 2048)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
