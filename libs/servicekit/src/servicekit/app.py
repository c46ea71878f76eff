"""The application factory every service uses: one place that wires the infrastructure.

A service describes itself with a :class:`ServiceSpec` (routers, migrations, consumers, its own
start-up hook); :func:`create_service_app` builds the FastAPI app with logging, problem errors,
request ids, database, JWT verification, outbox relay, consumers, health and metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI

from servicekit.auth import JwksCache, TokenVerifier
from servicekit.consumer import EventConsumer, Subscription
from servicekit.db import Database
from servicekit.health import router as health_router
from servicekit.inputs import reject_nul_characters
from servicekit.logging import configure_logging, get_logger
from servicekit.messaging_metrics import MetricsRefresh, refresh_metrics_forever
from servicekit.middleware import RequestContextMiddleware
from servicekit.migrations import upgrade
from servicekit.multiprocess_metrics import (
    forget_dead_processes,
    metrics_registry,
    process_stopping,
)
from servicekit.problems import document_validation_problems, install_problem_handlers
from servicekit.relay import OutboxRelay
from servicekit.revocations import (
    IDENTITY_TOPIC,
    TokenRevocations,
    revocation_subscriptions,
    revocations_consumer_name,
)
from servicekit.roles import annotate_roles
from servicekit.settings import ServiceSettings
from servicekit.tracing import TracingMiddleware, configure_tracing

log = get_logger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    topics: list[str]
    subscriptions: dict[str, Subscription]


@dataclass
class ServiceSpec:
    title: str
    version: str
    routers: Sequence[APIRouter]
    migrations_dir: Path
    consumers: Sequence[ConsumerSpec] = ()
    # Extra start-up/shutdown work of the service itself (clients, seed data).
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
    description: str = ""
    openapi_tags: list[dict[str, str]] = field(default_factory=list)
    # The service's own database-backed gauges, refreshed with the outbox's in every process
    # (servicekit.messaging_metrics).
    metrics_refresh: MetricsRefresh | None = None
    # Apply the token deny list (servicekit.revocations): every service does; only an app with
    # no database of its own (a test double of a service) turns it off.
    token_revocations: bool = True


def revocations_consumer(service_name: str, revocations: TokenRevocations) -> ConsumerSpec:
    """The service's consumer of identity's access changes, filling its token deny list."""
    return ConsumerSpec(
        name=revocations_consumer_name(service_name),
        topics=[IDENTITY_TOPIC],
        subscriptions=revocation_subscriptions(revocations),
    )


def create_service_app(
    settings: ServiceSettings, spec: ServiceSpec, *, jwks_http: httpx.AsyncClient | None = None
) -> FastAPI:
    """Build the app. ``jwks_http`` lets tests serve signing keys without an identity process."""
    configure_logging(
        service=settings.service_name,
        level=settings.log_level,
        repeat_window_seconds=settings.log_repeat_window_seconds,
    )
    configure_tracing(
        service=settings.service_name,
        version=spec.version,
        environment=settings.environment,
        otlp_endpoint=settings.otlp_endpoint,
        sample_ratio=settings.trace_sample_ratio,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.should_migrate_on_start:
            await asyncio.to_thread(upgrade, spec.migrations_dir, settings.database_url)
        database = Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            pool_timeout=settings.database_pool_timeout_seconds,
        )
        jwks = JwksCache(settings.jwks_url, http=jwks_http)
        app.state.settings = settings
        multiprocess_dir = settings.metrics_multiprocess_dir
        app.state.metrics_registry = metrics_registry(multiprocess_dir)
        if multiprocess_dir is not None:
            # A worker that uvicorn starts in place of a crashed one: the crashed one's live
            # gauges go now, not at the next scrape.
            forget_dead_processes(multiprocess_dir)
        app.state.database = database
        app.state.token_verifier = TokenVerifier(
            jwks,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
        )
        tasks: list[asyncio.Task[None]] = []
        consumers = list(spec.consumers)
        if spec.token_revocations:
            revocations = TokenRevocations(
                max_token_lifetime_seconds=settings.jwt_max_lifetime_seconds,
                refresh_seconds=settings.token_revocation_refresh_seconds,
                service=settings.service_name,
            )
            app.state.token_revocations = revocations
            await revocations.load(database)
            # In every process, workers or not: each one answers requests.
            tasks.append(asyncio.create_task(revocations.run(database), name="token-revocations"))
            consumers.append(revocations_consumer(settings.service_name, revocations))
        if settings.metrics_refresh_seconds > 0:
            # In every process: with several workers each keeps its share of the gauges fresh.
            tasks.append(
                asyncio.create_task(
                    refresh_metrics_forever(
                        database,
                        service=settings.service_name,
                        interval=settings.metrics_refresh_seconds,
                        extra=spec.metrics_refresh,
                    ),
                    name="metrics-refresh",
                )
            )
        if settings.run_background_workers:
            relay = OutboxRelay(
                database,
                bootstrap_servers=settings.kafka_bootstrap_servers,
                service=settings.service_name,
                topic_namespace=settings.topic_namespace,
            )
            tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
            for consumer in consumers:
                worker = EventConsumer(
                    database,
                    name=settings.topic(consumer.name),
                    topics=[settings.topic(topic) for topic in consumer.topics],
                    bootstrap_servers=settings.kafka_bootstrap_servers,
                    subscriptions=consumer.subscriptions,
                    service=settings.service_name,
                )
                tasks.append(asyncio.create_task(worker.run(), name=f"consumer-{consumer.name}"))
        try:
            if spec.lifespan is not None:
                async with spec.lifespan(app):
                    log.info("service started", version=spec.version)
                    yield
            else:
                log.info("service started", version=spec.version)
                yield
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                # Bounded: a worker that ignores its cancellation must not hang the shutdown.
                _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
                for task in pending:
                    log.warning("background task did not stop in time", task=task.get_name())
            await jwks.aclose()
            await database.dispose()
            process_stopping(multiprocess_dir)

    app = FastAPI(
        title=spec.title,
        version=spec.version,
        description=spec.description,
        lifespan=lifespan,
        openapi_tags=spec.openapi_tags or None,
        # Once for every route, before its own dependencies (see servicekit.inputs).
        dependencies=[Depends(reject_nul_characters)],
    )
    install_problem_handlers(app)
    generate_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        return document_validation_problems(generate_openapi())

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(
        RequestContextMiddleware,
        service=settings.service_name,
        max_body_bytes=settings.max_body_bytes,
    )
    # Outermost, so that the access log and the problem answers are written inside the span.
    # The caller's traceparent is continued: a service is reached only from the gateway and
    # from within the deployment.
    app.add_middleware(TracingMiddleware)
    app.include_router(health_router)
    for router in spec.routers:
        annotate_roles(router)
        app.include_router(router)
    return app
