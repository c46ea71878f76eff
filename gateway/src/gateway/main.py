"""The app factory: ``uvicorn gateway.main:create_app --factory``."""

from __future__ import annotations

import httpx

from gateway.app import VERSION, Gateway
from gateway.config import GatewaySettings
from servicekit.logging import configure_logging
from servicekit.tracing import configure_tracing

__all__ = ["create_app"]


def create_app(
    settings: GatewaySettings | None = None, *, jwks_http: httpx.AsyncClient | None = None
) -> Gateway:
    """The gateway ASGI app. ``jwks_http`` lets tests serve signing keys without identity."""
    settings = settings or GatewaySettings()
    configure_logging(service=settings.service_name, level=settings.log_level)
    configure_tracing(
        service=settings.service_name,
        version=VERSION,
        environment=settings.environment,
        otlp_endpoint=settings.otlp_endpoint,
        sample_ratio=settings.trace_sample_ratio,
    )
    return Gateway(settings, jwks_http=jwks_http)
