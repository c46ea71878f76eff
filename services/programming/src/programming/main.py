"""The programming app: ``uvicorn programming.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from programming import __version__
from programming.api import ROUTERS
from programming.config import Settings
from programming.consumers.entitlements import ENTITLEMENTS_CONSUMER
from programming.metrics import programming_metrics
from programming.services.agent_builds import publish_agent_builds
from programming.services.catalog import SeedCounts, seed_catalog
from programming.services.ecu_secrets import load_secret_cipher
from programming.services.runner import keep_taking_over
from programming.services.runtime import Clock, Runtime, system_clock
from programming.services.signing import load_release_key
from servicekit.app import ServiceSpec, create_service_app
from servicekit.db import Database
from servicekit.envelope import EnvelopeCipher
from servicekit.logging import get_logger

__all__ = ["CONSUMERS", "MIGRATIONS_DIR", "create_app", "seed"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# The event consumers the service runs (and ``replay-dlq`` knows).
CONSUMERS = (ENTITLEMENTS_CONSUMER,)

log = get_logger(__name__)


async def seed(database: Database, key: Ed25519PrivateKey, cipher: EnvelopeCipher) -> SeedCounts:
    """Add the demo catalog (idempotent), log and return what was added."""
    async with database.transaction() as session:
        counts = await seed_catalog(session, key=key, cipher=cipher)
    log.info(
        "catalog seeded",
        ecu_types=counts.ecu_types,
        releases=counts.releases,
        targets=counts.targets,
    )
    return counts


async def _publish_agent_builds(runtime: Runtime) -> None:
    """Publish the builds of ``agent_builds_dir`` (if set); agents are offered them (and
    every other replica's) from the database."""
    directory = runtime.settings.agent_builds_dir
    if directory is None:
        return
    async with runtime.database.transaction() as session:
        added = await publish_agent_builds(session, directory, key=runtime.release_key)
    if added:
        log.info("agent builds published", files=added)
        runtime.agent_builds.forget()


def create_app(
    settings: Settings | None = None,
    *,
    jwks_http: httpx.AsyncClient | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    """Build the programming app; ``jwks_http`` lets tests serve token keys in-process, and
    ``clock`` lets them control the time that paid time and job deadlines are measured by."""
    settings = settings or Settings()
    # Read at build time so that a missing production key stops the start at once.
    release_key = load_release_key(settings)
    secret_cipher = load_secret_cipher(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(
            settings=settings,
            database=app.state.database,
            release_key=release_key,
            secret_cipher=secret_cipher,
            clock=clock,
        )
        app.state.runtime = runtime
        runtime.presence.start()
        if settings.should_seed_on_start:
            await seed(app.state.database, release_key, secret_cipher)
        await _publish_agent_builds(runtime)
        await runtime.cluster.start()
        # Sessions left RUNNING by an earlier process or a dead replica are taken over at
        # once, and then whenever their runner's lock is free.
        takeover = asyncio.create_task(keep_taking_over(runtime), name="session-takeover")
        try:
            yield
        finally:
            takeover.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await takeover
            await runtime.shutdown()
            await runtime.cluster.stop()

    spec = ServiceSpec(
        title="AOS programming",
        version=__version__,
        description=(
            "Remote ECU programming: pair VCI agents, the software catalog, programming "
            "sessions with flash-safe paid time. Sessions need a programming pass."
        ),
        routers=ROUTERS,
        migrations_dir=MIGRATIONS_DIR,
        consumers=CONSUMERS,
        lifespan=lifespan,
        metrics_refresh=programming_metrics(settings),
        openapi_tags=[
            {"name": "agents", "description": "Pairing and managing VCI agents"},
            {"name": "releases", "description": "The software catalog and images"},
            {"name": "downloads", "description": "The VCI agent's single-file builds"},
            {"name": "sessions", "description": "Programming sessions (pass required)"},
            {"name": "agent link", "description": "The agents' WebSocket (/agent/ws)"},
        ],
    )
    return create_service_app(settings, spec, jwks_http=jwks_http)
