"""A service of the kit alone, served by ``servicekit.cli.serve`` with ``KITMW_WORKERS`` worker
processes (started by test_multiprocess_metrics.py: ``python multiworker_app.py``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi import APIRouter, FastAPI
from pydantic_settings import SettingsConfigDict

from servicekit import cli
from servicekit.app import ServiceSpec, create_service_app
from servicekit.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "kit_migrations"
router = APIRouter()


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KITMW_", extra="ignore", frozen=True)
    service_name: str = "kit-multiworker"


@router.get("/pid")
async def pid() -> dict[str, int]:
    """Which worker process answered."""
    return {"pid": os.getpid()}


@router.get("/busy")
async def busy() -> dict[str, int]:
    """Hold this worker's event loop for a second (it accepts nothing meanwhile), so that
    requests sent now go to another worker."""
    time.sleep(1.0)  # noqa: ASYNC251 - blocking on purpose
    return {"pid": os.getpid()}


def create_app() -> FastAPI:
    spec = ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS)
    return create_service_app(Settings(), spec)


if __name__ == "__main__":
    cli.serve("multiworker_app:create_app", Settings())
