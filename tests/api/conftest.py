"""All four services built in-process, each with the database given, for tests of the public API
as a whole (its merged OpenAPI document, behaviour every service shares)."""

from __future__ import annotations

import secrets
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
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
from gateway.openapi import BEARER_SCHEME, HTTP_METHODS, merge_openapi
from gateway.public import PublicRoutes
from identity.config import Settings as IdentitySettings
from identity.main import MIGRATIONS_DIR as IDENTITY_MIGRATIONS
from identity.main import create_app as create_identity
from programming.config import Settings as ProgrammingSettings
from programming.main import MIGRATIONS_DIR as PROGRAMMING_MIGRATIONS
from programming.main import create_app as create_programming
from servicekit.roles import OPENAPI_ROLES_KEY
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


def build_service_apps(
    database_urls: dict[str, str],
    *,
    keys: Path,
    kafka_bootstrap_servers: str,
    jwks_http: httpx.AsyncClient,
    seed: bool,
    background_workers: bool = False,
    topic_namespace: str | None = None,
) -> dict[str, FastAPI]:
    """Service name → app (not started), with generated keys in ``keys``.

    No background workers run (no mail, no relay, no consumers), only the HTTP API, unless
    ``background_workers`` (then on topics prefixed with ``topic_namespace``).
    """
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


@pytest.fixture(scope="module")
def build_apps(kafka_bootstrap_servers: str, tmp_path_factory: pytest.TempPathFactory) -> BuildApps:
    """``build_apps(database_urls, jwks_http=..., seed=...)``: see :func:`build_service_apps`."""
    keys = tmp_path_factory.mktemp("keys")

    def build(database_urls: dict[str, str], **options: Any) -> dict[str, FastAPI]:
        return build_service_apps(
            database_urls, keys=keys, kafka_bootstrap_servers=kafka_bootstrap_servers, **options
        )

    return build


def merged_document(apps: dict[str, FastAPI]) -> dict[str, Any]:
    """The OpenAPI document the gateway would serve for ``apps`` (its own merge function)."""
    return merge_openapi(
        {name: app.openapi() for name, app in apps.items()}, public=PublicRoutes(), version="test"
    )


def unstarted_document() -> dict[str, Any]:
    """The merged document of the four services, built without starting them (no database,
    no broker is contacted), e.g. to generate tests from it at collection time."""
    unused = "postgresql+asyncpg://nobody@127.0.0.1:9/unused"
    with tempfile.TemporaryDirectory() as keys:
        apps = build_service_apps(
            dict.fromkeys(MIGRATIONS, unused),
            keys=Path(keys),
            kafka_bootstrap_servers="127.0.0.1:9",
            jwks_http=httpx.AsyncClient(),
            seed=False,
        )
        return merged_document(apps)


@pytest.fixture(scope="module")
def openapi_document() -> dict[str, Any]:
    """The merged OpenAPI document of the four services (built, not started)."""
    return unstarted_document()


@dataclass(frozen=True)
class DocumentOperation:
    """One operation of the merged document."""

    method: str
    path: str  # /api/<service>/...
    roles: tuple[str, ...] | None  # its x-aos-roles; None: public (no bearer requirement)
    has_body: bool

    @property
    def service(self) -> str:
        return self.path.split("/")[2]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def document_operations(document: dict[str, Any]) -> list[DocumentOperation]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            guarded = any(BEARER_SCHEME in need for need in operation.get("security", []))
            found.append(
                DocumentOperation(
                    method=method.upper(),
                    path=path,
                    roles=tuple(operation.get(OPENAPI_ROLES_KEY, ())) if guarded else None,
                    has_body="requestBody" in operation,
                )
            )
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``guarded_operation`` / ``public_operation``: one test per operation of the merged
    document that needs an access token / does not, named after it."""
    wanted = {"guarded_operation", "public_operation"} & set(metafunc.fixturenames)
    if not wanted:
        return
    every = document_operations(unstarted_document())
    for name in wanted:
        chosen = [op for op in every if (op.roles is None) == (name == "public_operation")]
        metafunc.parametrize(name, chosen, ids=[str(op) for op in chosen])


@dataclass(frozen=True)
class RunningServices:
    """The four services started in-process (service name → app and client)."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    issuer: TestTokenIssuer  # signs tokens every service accepts
    document: dict[str, Any]  # the merged OpenAPI document


@pytest.fixture(scope="module")
async def services(
    database_factory: DatabaseFactory, build_apps: BuildApps, migrations: dict[str, Path]
) -> AsyncIterator[RunningServices]:
    """All four services running in-process on fresh seeded databases."""
    issuer = TestTokenIssuer()
    urls = {name: await database_factory.create(folder) for name, folder in migrations.items()}
    async with AsyncExitStack() as stack:
        jwks_http = await stack.enter_async_context(issuer.http_client())
        apps = build_apps(urls, jwks_http=jwks_http, seed=True)
        clients = {
            name: await stack.enter_async_context(running_app(app)) for name, app in apps.items()
        }
        yield RunningServices(apps, clients, issuer, merged_document(apps))
