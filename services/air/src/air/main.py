"""The AIR application: ``uvicorn air.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from air.api import catalog, documents, service_book, vehicles
from air.api.deps import system_clock
from air.config import Settings
from air.consumers.entitlements import ENTITLEMENTS_CONSUMER
from air.consumers.workshops import WORKSHOPS_CONSUMER
from air.content import load_pack
from air.db.documents import UpsertCounts
from air.services.seeding import seed_content
from servicekit.app import ServiceSpec, create_service_app
from servicekit.db import Database
from servicekit.logging import get_logger

VERSION = "0.1.0"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# The event consumers the service runs (and ``replay-dlq`` knows).
CONSUMERS = (ENTITLEMENTS_CONSUMER, WORKSHOPS_CONSUMER)

log = get_logger(__name__)


async def seed(database: Database) -> UpsertCounts:
    """Load the shipped content pack (idempotent), log and return what changed."""
    pack = load_pack()
    async with database.transaction() as session:
        counts = await seed_content(session, pack)
    log.info(
        "content pack loaded",
        pack_version=pack.version,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
    )
    return counts


def create_app(
    settings: Settings | None = None,
    *,
    jwks_http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> FastAPI:
    """Build the AIR app; ``jwks_http`` lets tests serve signing keys in-process, ``clock`` is
    the time service book entries are written and their edit window measured by (tests move
    it)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.should_seed_on_start:
            await seed(app.state.database)
        yield

    spec = ServiceSpec(
        title="AOS AIR",
        version=VERSION,
        description=(
            "Aftersales Information Research: decode VINs, search and read repair instructions, "
            "wiring diagrams and technical bulletins. Reading content needs an AIR pass."
        ),
        routers=[vehicles.router, catalog.router, documents.router, service_book.router],
        migrations_dir=MIGRATIONS_DIR,
        consumers=CONSUMERS,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "vehicles", "description": "VIN decoding"},
            {"name": "documents", "description": "Repair information (AIR pass required)"},
            {
                "name": "service book",
                "description": (
                    "A vehicle's service history and what is due; writing needs no pass, "
                    "reading needs an AIR pass"
                ),
            },
        ],
    )
    app = create_service_app(settings, spec, jwks_http=jwks_http)
    app.state.clock = clock
    return app


__all__ = ["CONSUMERS", "MIGRATIONS_DIR", "create_app", "seed"]
