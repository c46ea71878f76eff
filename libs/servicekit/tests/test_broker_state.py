"""A lost broker costs a few log lines, not dozens a second, and shows in aos_kafka_connected.

The relay and a consumer reach the real broker through a TCP proxy (aiokafka's connections are
redirected to it: the broker advertises its own address, which would bypass the proxy); cutting
the proxy takes the broker away from them without stopping it for everybody else.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiokafka.client
import pytest
from aiokafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.consumer import EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.faults import TcpProxy
from servicekit.logging import SUPPRESSED_FIELD, RepeatFilter, configure_logging
from servicekit.outbox import record_event
from servicekit.relay import OutboxRelay, close_producer, new_producer

MIGRATIONS = Path(__file__).parent / "kit_migrations"
# aiokafka's own complaints we wait for during the outage: without a filter, each is a line.
LIBRARY_RECORDS = 100
# What may reach the log meanwhile: one line per distinct message, and our loops' warnings.
MAX_OUTAGE_LINES = 15


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


@pytest.fixture
def log_stream(restore_logging: None) -> io.StringIO:
    """Logging set up as in a service, into a buffer."""
    stream = io.StringIO()
    configure_logging(service="kit", stream=stream)
    return stream


class RecordCounter(logging.Handler):
    """Counts the records a library emits, before our handler filters them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def connected(service: str, role: str) -> float | None:
    samples = [
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "aos_kafka_connected"
        for sample in metric.samples
        if sample.labels.get("service") == service and sample.labels.get("role") == role
    ]
    return samples[0] if len(samples) == 1 else None


async def until(check: Callable[[], Any], *, what: str, timeout: float = 40.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await check():
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"{what} did not happen within {timeout} s")


async def stopped(tasks: list[asyncio.Task[None]], *, within: float = 15.0) -> None:
    """Cancel ``tasks``; fails the test if they do not end within ``within`` seconds."""
    for task in tasks:
        task.cancel()
    try:
        async with asyncio.timeout(within):
            await asyncio.gather(*tasks, return_exceptions=True)
    except TimeoutError:
        pytest.fail(f"cancelled Kafka clients still running after {within} s")


async def write_note(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
    await session.execute(
        text("INSERT INTO notes (event_id, text) VALUES (:id, :text)"),
        {"id": event.event_id, "text": event.message.organization_id},
    )


async def note_count(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT count(*) FROM notes"))).scalar_one())


def through_proxy(proxy: TcpProxy) -> Any:
    """aiokafka's create_conn, sending every broker connection to ``proxy`` (one broker)."""
    create_conn = aiokafka.client.create_conn

    async def redirected(host: str, port: int, **options: Any) -> Any:
        return await create_conn("127.0.0.1", proxy.port, **options)

    return redirected


async def test_a_broker_outage_logs_a_few_lines_and_flips_the_connected_metric(
    log_stream: io.StringIO,
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, _, port = kafka_bootstrap_servers.split(",")[0].rpartition(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    monkeypatch.setattr(aiokafka.client, "create_conn", through_proxy(proxy))
    service, topic = topic_namespace + "kit", topic_namespace + "billing.v1"
    bootstrap = f"127.0.0.1:{proxy.port}"
    consumer = EventConsumer(
        database,
        name=topic_namespace + "watch",
        topics=[topic],
        bootstrap_servers=bootstrap,
        subscriptions=dict([subscribe(EntitlementGranted, write_note)]),
        service=service,
        broker_check_seconds=0.5,
    )
    relay = OutboxRelay(
        database,
        bootstrap_servers=bootstrap,
        service=service,
        poll_interval=0.2,
        max_backoff=1.0,
        broker_check_seconds=0.5,
        publish_timeout=2.0,
    )
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run())]
    library = RecordCounter()

    async def both(value: float) -> bool:
        return connected(service, "consumer") == value and connected(service, "relay") == value

    try:
        await until(lambda: both(1), what="both clients connecting")
        logging.getLogger("aiokafka").addHandler(library)
        lines_before = len(log_stream.getvalue().splitlines())

        await proxy.cut()
        async with database.transaction() as session:  # paid while the broker is away
            await record_event(
                session,
                EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR),
                topic=topic,
                aggregate_id="org",
                source="billing",
            )
        await until(lambda: both(0), what="both clients reporting the broker lost")

        async def flooded() -> bool:
            return library.count >= LIBRARY_RECORDS

        await until(flooded, what=f"aiokafka complaining {LIBRARY_RECORDS} times")
        outage = log_stream.getvalue().splitlines()[lines_before:]

        await proxy.start()
        await until(lambda: both(1), what="both clients reporting the broker back")

        async def delivered() -> bool:
            return await note_count(database) == 1

        await until(delivered, what="the event written during the outage arriving")
    finally:
        logging.getLogger("aiokafka").removeHandler(library)
        await stopped(tasks)
        await proxy.close()

    events = [json.loads(line)["event"][:60] for line in outage]
    assert len(outage) <= MAX_OUTAGE_LINES, events
    warnings = [e for e in events if e.startswith("kafka unreachable")]
    assert len(warnings) == 2  # one from the consumer, one from the relay
    assert any("kafka reachable again" in line for line in log_stream.getvalue().splitlines())


def test_repeat_filter_lets_one_record_per_window_through_and_counts_the_rest() -> None:
    now = [0.0]
    repeats = RepeatFilter(10.0, clock=lambda: now[0])

    def record(message: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
        return logging.LogRecord("aiokafka", level, __file__, 1, message, args, None)

    template = "Unable connect to node with id %s: %s"
    assert repeats.filter(record(template, 1, "refused"))
    assert not any(repeats.filter(record(template, 1, f"try {n}")) for n in range(50))
    assert repeats.filter(record("Unable to update metadata from %s", [1]))  # another message
    assert repeats.filter(record("Unable to update metadata", level=logging.INFO))
    assert repeats.filter(record("Unable to update metadata", level=logging.INFO))

    now[0] = 10.0
    summary = record(template, 1, "refused")
    assert repeats.filter(summary)
    assert getattr(summary, SUPPRESSED_FIELD) == 50
    assert not repeats.filter(record(template, 1, "refused"))


async def test_a_producer_holding_undelivered_messages_closes_while_the_broker_is_away(
    kafka_bootstrap_servers: str, topic_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiokafka's idempotent producer never expires a batch, so its own stop() waits for the
    broker to come back: a service could not shut down during an outage."""
    host, _, port = kafka_bootstrap_servers.split(",")[0].rpartition(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    monkeypatch.setattr(aiokafka.client, "create_conn", through_proxy(proxy))
    producer = new_producer(f"127.0.0.1:{proxy.port}")
    topic = topic_namespace + "closing"
    try:
        await producer.start()
        await producer.send_and_wait(topic, b"before")  # the topic's leader is known now
        await proxy.cut()
        undelivered = await producer.send(topic, b"during")
        try:
            async with asyncio.timeout(20):
                await close_producer(producer, grace=0.5)
        except TimeoutError:
            pytest.fail("closing the producer waited for the broker")
    finally:
        await proxy.close()
    assert undelivered.done()
    assert isinstance(undelivered.exception(), KafkaTimeoutError)


async def test_a_relay_whose_publish_meets_an_outage_reports_it_and_stops_on_request(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No metadata check may notice the outage here (the interval is long): the publish itself
    must give up, report the broker lost and leave the row for later."""
    host, _, port = kafka_bootstrap_servers.split(",")[0].rpartition(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    monkeypatch.setattr(aiokafka.client, "create_conn", through_proxy(proxy))
    service, topic = topic_namespace + "kit", topic_namespace + "billing.v1"
    relay = OutboxRelay(
        database,
        bootstrap_servers=f"127.0.0.1:{proxy.port}",
        service=service,
        poll_interval=0.2,
        max_backoff=1.0,
        broker_check_seconds=3600,
        publish_timeout=1.0,
    )

    async def record() -> None:
        async with database.transaction() as session:
            await record_event(
                session,
                EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR),
                topic=topic,
                aggregate_id="org",
                source="billing",
            )

    async def unpublished() -> int:
        async with database.transaction() as session:
            count = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            return int((await session.execute(text(count))).scalar_one())

    tasks = [asyncio.create_task(relay.run())]
    try:
        await record()  # published while the broker is there: the topic's leader is known

        async def all_published() -> bool:
            return await unpublished() == 0

        await until(all_published, what="the first event being published")
        assert connected(service, "relay") == 1

        await proxy.cut()
        await record()

        async def reported_lost() -> bool:
            return connected(service, "relay") == 0

        await until(reported_lost, what="the relay reporting the broker lost", timeout=20)
        await stopped(tasks)
        assert await unpublished() == 1  # kept for when the broker is back
    finally:
        await stopped(tasks)
        await proxy.close()
