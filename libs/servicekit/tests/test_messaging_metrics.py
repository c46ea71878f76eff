"""Metrics beyond request rates, read from /metrics as a scrape would: the outbox backlog and its
oldest row's age, consumer lag per partition, dead letters. Real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.app import ServiceSpec, create_service_app
from servicekit.consumer import BadEvent, EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.outbox import record_event
from servicekit.relay import OutboxRelay
from servicekit.settings import ServiceSettings
from servicekit.testing import TestTokenIssuer, publish_event, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"


async def scrape(client: httpx.AsyncClient, name: str, **labels: str) -> float | None:
    """The value of sample ``name`` with ``labels`` in the app's /metrics answer."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


def registry_value(name: str, **labels: str) -> float | None:
    value = REGISTRY.get_sample_value(name, labels)
    return None if value is None else float(value)


async def until(check: Callable[[], Any], *, what: str, timeout: float = 30.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


def grant() -> EntitlementGranted:
    return EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR)


async def test_the_outbox_backlog_rises_with_an_unpublished_row_and_falls_once_published(
    database_factory: Any,
    token_issuer: TestTokenIssuer,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
) -> None:
    service = f"kit-backlog-{uuid.uuid4().hex[:6]}"
    settings = ServiceSettings(
        service_name=service,
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        run_background_workers=False,  # no relay: the row stays until this test publishes it
        metrics_refresh_seconds=0.05,
    )
    app = create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )
    async with running_app(app) as client:
        database: Database = app.state.database
        await until(
            lambda: _equals(scrape(client, "aos_outbox_backlog", service=service), 0),
            what="an empty backlog",
        )
        async with database.transaction() as session:
            await record_event(
                session, grant(), topic=topic_namespace + "kit.v1", aggregate_id="k", source="k"
            )
        await until(
            lambda: _equals(scrape(client, "aos_outbox_backlog", service=service), 1),
            what="the backlog of one row",
        )
        age = await scrape(client, "aos_outbox_oldest_unpublished_age_seconds", service=service)
        assert age is not None and age >= 0

        relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers, service=service)
        try:
            assert await relay.publish_batch() == 1
        finally:
            await relay.close()
        await until(
            lambda: _equals(scrape(client, "aos_outbox_backlog", service=service), 0),
            what="the backlog emptied by the relay",
        )
        assert await scrape(
            client, "aos_outbox_oldest_unpublished_age_seconds", service=service
        ) == pytest.approx(0)
        assert await scrape(client, "aos_outbox_published_total", service=service) == 1


async def _equals(value: Any, expected: float) -> bool:
    return bool(await value == expected)


async def test_consumer_lag_counts_the_events_a_paused_partition_holds_back_then_drops_to_zero(
    database_factory: Any, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    database = Database(await database_factory.create(MIGRATIONS), pool_size=2)
    topic = topic_namespace + "kit.v1"
    name = topic_namespace + "lagging"
    database_away = asyncio.Event()
    database_away.set()

    async def apply(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        if database_away.is_set():
            raise ConnectionRefusedError("database away")
        await session.execute(
            text("INSERT INTO notes (event_id, text) VALUES (:id, 'x')"), {"id": event.event_id}
        )

    for _ in range(3):  # one key: one partition
        await publish_event(kafka_bootstrap_servers, topic, grant(), source="k", aggregate_id="k")
    consumer = EventConsumer(
        database,
        name=name,
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, apply)]),
        service="kit-lag",
        backoff_seconds=0.05,
        max_backoff_seconds=0.2,
    )
    task = asyncio.create_task(consumer.run())

    async def lag(expected: float) -> bool:
        samples = [
            sample.value
            for metric in REGISTRY.collect()
            if metric.name == "aos_consumer_lag"
            for sample in metric.samples
            if sample.labels["consumer"] == name and sample.labels["topic"] == topic
        ]
        return sum(samples) == expected and bool(samples)

    try:
        await until(lambda: lag(3), what="a lag of the three events held back")
        database_away.clear()
        await until(lambda: lag(0), what="the lag gone once the events are applied")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await database.dispose()


async def test_a_dead_lettered_event_is_counted(
    database_factory: Any, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    database = Database(await database_factory.create(MIGRATIONS), pool_size=2)
    topic = topic_namespace + "kit.v1"
    name = topic_namespace + "strict"

    async def refuse(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        raise BadEvent("breaks the contract")

    await publish_event(kafka_bootstrap_servers, topic, grant(), source="k", aggregate_id="k")
    consumer = EventConsumer(
        database,
        name=name,
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, refuse)]),
        service="kit-dlq",
    )
    task = asyncio.create_task(consumer.run())

    async def counted() -> bool:
        labels = {"service": "kit-dlq", "consumer": name}
        return registry_value("aos_consumer_dead_letters_total", **labels) == 1

    try:
        await until(counted, what="the dead letter counted")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await database.dispose()
