"""All four services built in-process, each with the database given, for tests of the public API
as a whole (its merged OpenAPI document, behaviour every service shares)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from air.config import Settings as AirSettings
from air.main import MIGRATIONS_DIR as AIR_MIGRATIONS
from air.main import create_app as create_air
from billing.config import Settings as BillingSettings
from billing.main import MIGRATIONS_DIR as BILLING_MIGRATIONS
from billing.main import create_app as create_billing
from gateway.openapi import merge_openapi
from gateway.public import PublicRoutes
from identity.config import Settings as IdentitySettings
from identity.main import MIGRATIONS_DIR as IDENTITY_MIGRATIONS
from identity.main import create_app as create_identity
from programming.config import Settings as ProgrammingSettings
from programming.main import MIGRATIONS_DIR as PROGRAMMING_MIGRATIONS
from programming.main import create_app as create_programming
from servicekit.testing import DatabaseFactory, TestTokenIssuer, running_app

MIGRATIONS: dict[str, Path] = {
    "identity": IDENTITY_MIGRATIONS,
    "billing": BILLING_MIGRATIONS,
    "air": AIR_MIGRATIONS,
    "programming": PROGRAMMING_MIGRATIONS,
}

BuildApps = Callable[..., dict[str, FastAPI]]


@pytest.fixture(scope="module")
def migrations() -> dict[str, Path]:
    """Service name → its migrations folder (for DatabaseFactory.create)."""
    return dict(MIGRATIONS)


@pytest.fixture(scope="module")
def build_apps(kafka_bootstrap_servers: str, tmp_path_factory: pytest.TempPathFactory) -> BuildApps:
    """``build_apps(database_urls, jwks_http=..., seed=...)``: service name → app (not started).

    No background workers run (no mail, no relay, no consumers), only the HTTP API, unless
    ``background_workers`` (then on topics prefixed with ``topic_namespace``).
    """
    keys = tmp_path_factory.mktemp("keys")

    def build(
        database_urls: dict[str, str],
        *,
        jwks_http: httpx.AsyncClient,
        seed: bool,
        background_workers: bool = False,
        topic_namespace: str | None = None,
    ) -> dict[str, FastAPI]:
        common: dict[str, Any] = {
            "environment": "test",
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "topic_namespace": topic_namespace or f"t{uuid.uuid4().hex[:10]}.",
            "migrate_on_start": False,
            "run_background_workers": background_workers,
            "log_level": "WARNING",
        }
        return {
            "identity": create_identity(
                IdentitySettings(
                    **common,
                    database_url=database_urls["identity"],
                    smtp_port=9,  # nothing is mailed
                    run_mail_sender=False,
                    jwt_private_key_file=keys / "jwt.pem",
                ),
                jwks_http=jwks_http,
            ),
            "billing": create_billing(
                BillingSettings(
                    **common,
                    database_url=database_urls["billing"],
                    payment_webhook_secret=secrets.token_urlsafe(32),
                    seed_on_start=seed,
                ),
                jwks_http=jwks_http,
            ),
            "air": create_air(
                AirSettings(**common, database_url=database_urls["air"], seed_on_start=seed),
                jwks_http=jwks_http,
            ),
            "programming": create_programming(
                ProgrammingSettings(
                    **common,
                    database_url=database_urls["programming"],
                    release_signing_key_file=keys / "release.pem",
                    seed_on_start=seed,
                ),
                jwks_http=jwks_http,
            ),
        }

    return build


def merged_document(apps: dict[str, FastAPI]) -> dict[str, Any]:
    """The OpenAPI document the gateway would serve for ``apps`` (its own merge function)."""
    return merge_openapi(
        {name: app.openapi() for name, app in apps.items()}, public=PublicRoutes(), version="test"
    )


@pytest.fixture(scope="module")
def openapi_document(build_apps: BuildApps) -> dict[str, Any]:
    """The merged OpenAPI document of the four services (built, not started: no database)."""
    unused = "postgresql+asyncpg://nobody@127.0.0.1:9/unused"
    apps = build_apps(dict.fromkeys(MIGRATIONS, unused), jwks_http=httpx.AsyncClient(), seed=False)
    return merged_document(apps)


@pytest.fixture(scope="module")
async def services(
    database_factory: DatabaseFactory, build_apps: BuildApps, migrations: dict[str, Path]
) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], TestTokenIssuer, dict[str, Any]]]:
    """All four services running in-process on fresh seeded databases, their clients, the
    issuer their tokens are signed by, and the merged OpenAPI document."""
    issuer = TestTokenIssuer()
    urls = {name: await database_factory.create(folder) for name, folder in migrations.items()}
    async with AsyncExitStack() as stack:
        jwks_http = await stack.enter_async_context(issuer.http_client())
        apps = build_apps(urls, jwks_http=jwks_http, seed=True)
        clients = {
            name: await stack.enter_async_context(running_app(app)) for name, app in apps.items()
        }
        yield clients, issuer, merged_document(apps)
