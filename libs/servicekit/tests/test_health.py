"""Readiness follows the database alone and never waits for the broker; Kafka's last known state
(the relay's and consumers' ``aos_kafka_connected``) is reported beside it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from servicekit.app import ServiceSpec, create_service_app
from servicekit.settings import ServiceSettings
from servicekit.testing import TestTokenIssuer, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SilentBroker:
    """A listener that accepts connections and never answers: a broker that hangs. Counts the
    connections made to it."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def _accept(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"127.0.0.1:{port}"

    async def __aexit__(self, *_: Any) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@asynccontextmanager
async def app_client(
    database_factory: Any,
    token_issuer: TestTokenIssuer,
    *,
    service: str,
    bootstrap: str,
    workers: bool,
) -> AsyncIterator[Any]:
    settings = ServiceSettings(
        service_name=service,
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=bootstrap,
        environment="test",
        run_background_workers=workers,
    )
    app = create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )
    async with running_app(app) as client:
        yield client


async def test_readiness_asks_the_broker_nothing_even_when_it_hangs(
    database_factory: Any, token_issuer: TestTokenIssuer
) -> None:
    broker = SilentBroker()
    async with (
        broker as bootstrap,
        app_client(
            database_factory,
            token_issuer,
            service="kit-ready-hang",
            bootstrap=bootstrap,
            workers=False,
        ) as client,
    ):
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "kafka": "not reported"},
    }
    assert broker.connections == 0


async def test_a_broker_nobody_answers_for_is_reported_and_the_service_stays_ready(
    database_factory: Any, token_issuer: TestTokenIssuer
) -> None:
    async with app_client(
        database_factory,
        token_issuer,
        service="kit-ready-no-broker",
        bootstrap=f"127.0.0.1:{unused_port()}",  # nothing listens there
        workers=True,
    ) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "kafka": "disconnected"}
