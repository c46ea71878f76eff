"""A consumer that dies around its offset commit applies each event exactly once.

The consumer commits an event's effect (with its inbox row) first and its Kafka offset second.
These tests kill it at both points, against the real PostgreSQL and broker, and restart it as a
new member of the same consumer group: they fail if the two steps are swapped.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.consumer import EventConsumer, Handler, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.relay import new_producer
from servicekit.testing import committed_offsets

MIGRATIONS = Path(__file__).parent / "kit_migrations"


class ProcessKilled(BaseException):
    """The consumer process dies here. A BaseException, as no ``except Exception`` of the
    consumer may survive it: nothing after this point runs."""


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


async def write_note(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
    await session.execute(
        text("INSERT INTO notes (event_id, text) VALUES (:id, :text)"),
        {"id": event.event_id, "text": event.message.organization_id},
    )


async def counts(db: Database) -> tuple[int, int]:
    """(effects, inbox rows) in the consumer's database."""
    async with db.transaction() as session:
        notes = (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one()
        inbox = (await session.execute(text("SELECT count(*) FROM inbox"))).scalar_one()
    return int(notes), int(inbox)


async def publish_one(bootstrap: str, topic: str) -> TopicPartition:
    """One EntitlementGranted as the relay writes it; returns its partition (at offset 0)."""
    message = EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR)
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic,
            message.SerializeToString(),
            key=b"org",
            headers=[
                ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_type", message.DESCRIPTOR.full_name.encode()),
                ("ce_time", b"2026-01-01T00:00:00+00:00"),
            ],
        )
    finally:
        await producer.stop()
    assert sent.offset == 0
    return TopicPartition(topic, sent.partition)


def consumer_of(
    database: Database, bootstrap: str, group: str, topic: str, handler: Handler
) -> EventConsumer:
    return EventConsumer(
        database,
        name=group,
        topics=[topic],
        bootstrap_servers=bootstrap,
        subscriptions=dict([subscribe(EntitlementGranted, handler)]),
    )


async def run_until_killed(consumer: EventConsumer) -> None:
    with pytest.raises(ProcessKilled):
        async with asyncio.timeout(60):
            await consumer.run()


async def restart_until_committed(
    consumer: EventConsumer, bootstrap: str, expected: dict[TopicPartition, int]
) -> None:
    """Run a fresh consumer of the group until it has committed ``expected``."""
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(60):
            while await committed_offsets(bootstrap, consumer.name) != expected:
                await asyncio.sleep(0.2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_killed_after_the_effect_before_the_offset_commit_applies_the_event_once(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic, group = topic_namespace + "billing.v1", topic_namespace + "notes"
    partition = await publish_one(kafka_bootstrap_servers, topic)
    at_commit: list[tuple[int, int]] = []
    commit = AIOKafkaConsumer.commit

    async def killed_at_first_commit(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        if not at_commit:
            at_commit.append(await counts(database))  # what the offset commit would follow
            raise ProcessKilled
        await commit(self, offsets)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", killed_at_first_commit)

    await run_until_killed(consumer_of(database, kafka_bootstrap_servers, group, topic, write_note))
    # The effect and its inbox row had committed before the offset commit began...
    assert at_commit == [(1, 1)]
    # ...which never happened, so the event will be delivered again.
    assert await committed_offsets(kafka_bootstrap_servers, group) == {}

    restarted = consumer_of(database, kafka_bootstrap_servers, group, topic, write_note)
    await restart_until_committed(restarted, kafka_bootstrap_servers, {partition: 1})
    assert await counts(database) == (1, 1)


async def test_killed_inside_the_effect_leaves_the_offset_uncommitted_and_nothing_applied(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic, group = topic_namespace + "billing.v1", topic_namespace + "notes"
    partition = await publish_one(kafka_bootstrap_servers, topic)

    async def killed_mid_effect(
        session: AsyncSession, event: IncomingEvent[EntitlementGranted]
    ) -> None:
        await write_note(session, event)
        raise ProcessKilled

    await run_until_killed(
        consumer_of(database, kafka_bootstrap_servers, group, topic, killed_mid_effect)
    )
    assert await committed_offsets(kafka_bootstrap_servers, group) == {}
    assert await counts(database) == (0, 0)

    restarted = consumer_of(database, kafka_bootstrap_servers, group, topic, write_note)
    await restart_until_committed(restarted, kafka_bootstrap_servers, {partition: 1})
    assert await counts(database) == (1, 1)
