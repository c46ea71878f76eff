"""Settings of the AIR service, read from ``AIR_*`` variables (and the shared ``AOS_*`` ones)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

DEFAULT_PORT = 8103


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AIR_", extra="ignore", frozen=True)

    service_name: str = "air"
    database_url: str = "postgresql+asyncpg://127.0.0.1:5432/aos_air"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    # Page size of /documents/search when the caller sends no ``limit`` (1..100).
    search_default_limit: int = Field(default=20, ge=1, le=100)
