"""Liveness, readiness (the database; Kafka reported) and Prometheus metrics endpoints."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.client import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from servicekit.db import Database

router = APIRouter(tags=["operations"])

CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check_database(database: Database) -> str:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


class KafkaProbe:
    """Asks the brokers for metadata; connects lazily so a missing broker does not block start."""

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._client: AIOKafkaClient | None = None

    async def check(self) -> str:
        if self._client is None:
            client = AIOKafkaClient(bootstrap_servers=self.bootstrap_servers)
            try:
                await client.bootstrap()
            except BaseException:
                await client.close()
                raise
            self._client = client
        await self._client.fetch_all_metadata()
        return "ok"

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


async def _check_kafka(probe: KafkaProbe | None) -> str:
    if probe is None:
        return "not configured"
    return await probe.check()


@router.get("/readyz", summary="Readiness: the database answers (Kafka's state is reported)")
async def readyz(request: Request) -> Response:
    checks: dict[str, Any] = {}
    database: Database = request.app.state.database
    probe: KafkaProbe | None = getattr(request.app.state, "kafka_probe", None)
    for name, check in (("database", _check_database(database)), ("kafka", _check_kafka(probe))):
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                checks[name] = await check
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
    # Only the database decides: while Kafka is away the outbox keeps the events and the service
    # goes on answering; taking it out of rotation would turn a broker outage into a full one.
    ready = checks["database"] == "ok"
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
