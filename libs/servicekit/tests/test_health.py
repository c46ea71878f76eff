"""Readiness follows the database; a broker outage is reported but keeps the service in rotation."""

from __future__ import annotations

import socket
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


async def test_a_kafka_outage_is_reported_but_does_not_make_the_service_unready(
    database_factory: Any, token_issuer: TestTokenIssuer
) -> None:
    settings = ServiceSettings(
        service_name="kit-health",
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=f"127.0.0.1:{unused_port()}",  # nothing listens there
        environment="test",
        run_background_workers=False,
    )
    app = create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )
    async with running_app(app) as client:
        response = await client.get("/readyz")
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["kafka"].startswith("error")
    assert response.status_code == 200
