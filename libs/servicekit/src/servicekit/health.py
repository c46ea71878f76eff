"""Liveness, readiness (the database; Kafka's last known state reported) and Prometheus metrics
endpoints."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from servicekit.db import Database
from servicekit.metrics import KAFKA_CONNECTED

router = APIRouter(tags=["operations"])

CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check_database(database: Database) -> str:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


def kafka_state(service: str) -> str:
    """What this process's Kafka clients (relay, consumers) last found, from
    ``aos_kafka_connected``: ``connected``, ``disconnected`` (one or more do not reach the
    broker) or ``not reported`` (none runs here). Asks the broker nothing."""
    states = [
        sample.value
        for metric in KAFKA_CONNECTED.collect()
        for sample in metric.samples
        if sample.labels.get("service") == service
    ]
    if not states:
        return "not reported"
    return "connected" if all(state == 1 for state in states) else "disconnected"


@router.get("/readyz", summary="Readiness: the database answers (Kafka's state is reported)")
async def readyz(request: Request) -> Response:
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            database_state = await _check_database(database)
    except Exception as exc:
        database_state = f"error: {type(exc).__name__}"
    # Only the database decides, and the broker is not asked: while Kafka is away the outbox
    # keeps the events and the service goes on answering; taking it out of rotation would turn
    # a broker outage into a full one. Kafka's state is the relay's and consumers' metric.
    ready = database_state == "ok"
    settings = getattr(request.app.state, "settings", None)
    service = settings.service_name if settings is not None else ""
    checks = {"database": database_state, "kafka": kafka_state(service)}
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    # With several workers, every worker's values (see servicekit.multiprocess_metrics).
    registry = getattr(request.app.state, "metrics_registry", REGISTRY)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
