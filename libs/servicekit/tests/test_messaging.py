"""Outbox → Kafka → consumer against the real PostgreSQL and the real broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from aos.events.v1.envelope_pb2 import Envelope
from servicekit.consumer import BadEvent, EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.outbox import outbox_table, record_event
from servicekit.relay import OutboxRelay, new_producer
from servicekit.testing import topic_size

MIGRATIONS = Path(__file__).parent / "kit_migrations"


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


def granted(org: uuid.UUID) -> EntitlementGranted:
    start = Timestamp()
    start.GetCurrentTime()
    return EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(org),
        scope=SCOPE_AIR,
        valid_from=start,
        valid_until=start,
    )


async def write_note(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
    await session.execute(
        text("INSERT INTO notes (event_id, text) VALUES (:id, :text)"),
        {"id": event.event_id, "text": event.message.organization_id},
    )


async def note_count(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT count(*) FROM notes"))).scalar_one())


async def unpublished(db: Database) -> int:
    async with db.transaction() as session:
        query = select(func.count()).where(outbox_table.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


async def fetch_records(
    bootstrap: str, topic: str, count: int, timeout: float = 20.0
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for items in batch.values():
                    records.extend(items)
    finally:
        await consumer.stop()
    return records


async def test_relay_publishes_committed_event_with_envelope_headers(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    org = uuid.uuid4()
    async with database.transaction() as session:
        recorded = await record_event(
            session, granted(org), topic=topic, aggregate_id=str(org), source="billing"
        )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        assert await relay.publish_batch() == 1
    finally:
        await relay.close()

    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    headers = {k: v.decode() for k, v in record.headers}
    assert record.key == str(org).encode()
    assert headers["ce_id"] == str(recorded.event_id)
    assert headers["ce_type"] == "aos.events.v1.EntitlementGranted"
    assert headers["ce_source"] == "billing"
    assert EntitlementGranted.FromString(record.value).organization_id == str(org)
    assert await unpublished(database) == 0


async def test_rolled_back_transaction_publishes_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await record_event(
                session, granted(uuid.uuid4()), topic="x", aggregate_id="a", source="test"
            )
            raise RuntimeError("business rule failed after the event was recorded")
    async with database.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(outbox_table))).scalar() == 0


async def test_consumer_applies_a_redelivered_event_once(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    async with database.transaction() as session:
        await record_event(
            session, granted(uuid.uuid4()), topic=topic, aggregate_id="k", source="billing"
        )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay.close()
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    consumer = EventConsumer(
        database,
        name=topic_namespace + "notes",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, write_note)]),
    )
    assert await consumer.process(record, producer=None) is True
    assert await consumer.process(record, producer=None) is False
    assert await note_count(database) == 1


async def test_consumer_loop_retries_a_network_failure_then_applies_the_event_once(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    failures = {"left": 3}

    async def flaky(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        await write_note(session, event)  # rolled back with the failure below
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionRefusedError("database away")

    async with database.transaction() as session:
        await record_event(
            session, granted(uuid.uuid4()), topic=topic, aggregate_id="k", source="billing"
        )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay.close()
    consumer = EventConsumer(
        database,
        name=topic_namespace + "flaky",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, flaky)]),
        backoff_seconds=0.05,
    )
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(30):
            while await note_count(database) < 1:
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert failures["left"] == 0
    assert await note_count(database) == 1
    assert await topic_size(kafka_bootstrap_servers, topic + ".dlq") == 0


async def test_poison_and_bad_events_go_to_the_dead_letter_topic_at_once(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    calls = {"n": 0}

    async def strict(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        calls["n"] += 1
        raise BadEvent("this grant breaks a rule")

    producer = new_producer(kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            b"\xff\xfe not protobuf",
            key=b"p",
            headers=[
                ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_type", b"aos.events.v1.EntitlementGranted"),
                ("ce_time", b"2026-01-01T00:00:00+00:00"),
            ],
        )
        await producer.send_and_wait(
            topic,
            granted(uuid.uuid4()).SerializeToString(),
            key=b"q",
            headers=[
                ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_type", b"aos.events.v1.EntitlementGranted"),
                ("ce_time", b"2026-01-01T00:00:00+00:00"),
            ],
        )
        poison, bad = await fetch_records(kafka_bootstrap_servers, topic, 2)
        consumer = EventConsumer(
            database,
            name="dlq-test",
            topics=[topic],
            bootstrap_servers=kafka_bootstrap_servers,
            subscriptions=dict([subscribe(EntitlementGranted, strict)]),
        )
        assert await consumer.process(poison, producer) is False
        assert await consumer.process(bad, producer) is False
    finally:
        await producer.stop()

    dead = await fetch_records(kafka_bootstrap_servers, topic + ".dlq", 2)
    envelopes = sorted((Envelope.FromString(r.value) for r in dead), key=lambda e: e.attempts)
    assert envelopes[0].attempts == 0 and "cannot decode" in envelopes[0].failure
    assert envelopes[1].attempts == 1 and "breaks a rule" in envelopes[1].failure
    assert envelopes[1].consumer == "dlq-test"
    assert EntitlementGranted.FromString(envelopes[1].payload).scope == SCOPE_AIR
    assert calls["n"] == 1
    assert await note_count(database) == 0


async def test_an_unexpected_handler_error_is_raised_for_a_retry_not_dead_lettered(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"

    async def buggy(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        await write_note(session, event)
        raise KeyError("a bug, not the event's fault")

    async with database.transaction() as session:
        await record_event(
            session, granted(uuid.uuid4()), topic=topic, aggregate_id="k", source="billing"
        )
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers)
    try:
        await relay.publish_batch()
    finally:
        await relay.close()
    [record] = await fetch_records(kafka_bootstrap_servers, topic, 1)
    consumer = EventConsumer(
        database,
        name=topic_namespace + "buggy",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, buggy)]),
    )
    with pytest.raises(KeyError):
        await consumer.process(record, producer=None)
    assert await note_count(database) == 0


async def test_relay_and_consumer_loops_deliver_end_to_end(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    relay = OutboxRelay(database, bootstrap_servers=kafka_bootstrap_servers, poll_interval=0.2)
    consumer = EventConsumer(
        database,
        name=topic_namespace + "loop",
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, write_note)]),
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    try:
        for _ in range(3):
            async with database.transaction() as session:
                await record_event(
                    session,
                    granted(uuid.uuid4()),
                    topic=topic,
                    aggregate_id="org",
                    source="billing",
                )
        async with asyncio.timeout(30):
            while await note_count(database) < 3:
                await asyncio.sleep(0.1)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert await note_count(database) == 3
