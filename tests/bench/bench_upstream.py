"""The upstream of the gateway benchmark: a small servicekit app with one JSON endpoint.

It is built with ``create_service_app`` like every AOS service (problem handlers, request-id,
body-limit and metrics middleware, JSON access log), so "direct" numbers are those of a real
service, not of a bare socket. It also publishes the benchmark's token key at
``/.well-known/jwks.json``, as identity does, so the gateway verifies real tokens.

Run by ``gateway_bench.py`` as ``uvicorn bench_upstream:create_app --factory``; no database or
Kafka is touched (no migrations, no background workers, nothing reads the database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from pydantic_settings import SettingsConfigDict

from servicekit.app import ServiceSpec, create_service_app
from servicekit.settings import ServiceSettings


class BenchUpstreamSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_UPSTREAM_", extra="ignore", frozen=True)

    service_name: str = "bench-upstream"
    migrate_on_start: bool | None = False
    run_background_workers: bool = False
    log_level: str = "WARNING"
    # The JWKS document (JSON) to publish; the benchmark generates the key at run time.
    jwks_document: str = '{"keys": []}'


router = APIRouter()

# A typical small API answer: a page of a list, about 600 bytes of JSON.
ITEMS: dict[str, Any] = {
    "items": [
        {"code": f"AIR-{n:03d}", "name": f"Repair information pass {n}", "price_minor": 1000 * n}
        for n in range(1, 9)
    ],
    "total": 8,
}


@router.get("/items")
async def list_items() -> dict[str, Any]:
    return ITEMS


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> Any:
    return orjson.loads(request.app.state.settings.jwks_document)


def create_app() -> FastAPI:
    settings = BenchUpstreamSettings()
    spec = ServiceSpec(
        title="bench upstream",
        version="0",
        routers=[router],
        migrations_dir=Path(__file__).parent,
        token_revocations=False,  # no database: it stands for a service's HTTP path only
    )
    return create_service_app(settings, spec)
