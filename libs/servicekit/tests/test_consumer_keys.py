"""What an event waits for in a consumer: its own key's earlier events, nothing else.

Events of one aggregate share a key, and the order that matters is per key; one partition holds
many keys. An event that must be retried holds up the later events of its own key only: the
other keys of its partition go on, and when the partition is sought back to the failed event
their events are delivered again and dropped by the inbox. Nor does the next batch wait for the
group coordinator to acknowledge the previous batch's offsets.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiokafka
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.consumer import EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    close_producer,
    new_producer,
)

MIGRATIONS = Path(__file__).parent / "kit_migrations"
TIMEOUT_SECONDS = 30.0


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


async def publish_to_one_partition(
    bootstrap: str, topic: str, events: list[tuple[str, str]]
) -> None:
    """Publish ``(key, label)`` events, in this order, all to partition 0 of ``topic``."""
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        for key, label in events:
            message = EntitlementGranted(entitlement_id=label, organization_id=key, scope=SCOPE_AIR)
            headers = [
                (HEADER_ID, str(uuid.uuid4()).encode()),
                (HEADER_TYPE, EntitlementGranted.DESCRIPTOR.full_name.encode()),
                (HEADER_SOURCE, b"billing"),
                (HEADER_TIME, datetime.now(UTC).isoformat().encode()),
                (HEADER_AGGREGATE, key.encode()),
            ]
            await (
                await producer.send(
                    topic,
                    value=message.SerializeToString(),
                    key=key.encode(),
                    partition=0,
                    headers=headers,
                )
            )
    finally:
        await close_producer(producer)


async def notes(db: Database) -> list[str]:
    """The labels of the events applied, in the order they were applied."""
    async with db.transaction() as session:
        rows = await session.execute(text("SELECT text FROM notes ORDER BY id"))
        return [row[0] for row in rows]


async def committed(bootstrap: str, group: str, partition: TopicPartition) -> int | None:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await reader.start()
    try:
        return await reader.committed(partition)
    finally:
        await reader.stop()


async def test_an_event_being_retried_holds_up_its_own_key_only(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "billing.v1"
    group = topic_namespace + "keys"
    released = asyncio.Event()
    attempts = {"a1": 0}

    async def note(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        label = event.message.entitlement_id
        await session.execute(
            text("INSERT INTO notes (event_id, text) VALUES (:id, :text)"),
            {"id": event.event_id, "text": label},
        )
        if label == "a1":
            attempts["a1"] += 1
            if not released.is_set():
                raise ConnectionRefusedError("the database is away for this one")

    await publish_to_one_partition(
        kafka_bootstrap_servers, topic, [("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2")]
    )
    consumer = EventConsumer(
        database,
        name=group,
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, note)]),
        backoff_seconds=0.05,
        max_backoff_seconds=0.2,
    )
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while set(await notes(database)) != {"b1", "b2"}:
                await asyncio.sleep(0.05)
        # b went on while a1 kept failing; a2 waits behind a1, its own key.
        assert attempts["a1"] >= 1
        assert await notes(database) == ["b1", "b2"]

        released.set()
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while await committed(kafka_bootstrap_servers, group, TopicPartition(topic, 0)) != 4:
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # a in its order after a1's retries; b's events, delivered again with a1, applied once.
    assert await notes(database) == ["b1", "b2", "a1", "a2"]


async def test_the_next_batch_is_applied_while_the_previous_offsets_are_being_committed(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = topic_namespace + "billing.v1"
    group = topic_namespace + "commits"
    # The coordinator "answers" the first commit only when the test lets it.
    answer_first = asyncio.Event()
    commits: list[dict[TopicPartition, int]] = []
    commit = aiokafka.AIOKafkaConsumer.commit

    async def slow_first_commit(consumer: AIOKafkaConsumer, offsets: Any = None) -> None:
        commits.append(dict(offsets or {}))
        if len(commits) == 1:
            await answer_first.wait()
        await commit(consumer, offsets)

    monkeypatch.setattr(aiokafka.AIOKafkaConsumer, "commit", slow_first_commit)

    async def note(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
        await session.execute(
            text("INSERT INTO notes (event_id, text) VALUES (:id, :text)"),
            {"id": event.event_id, "text": event.message.entitlement_id},
        )

    consumer = EventConsumer(
        database,
        name=group,
        topics=[topic],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, note)]),
    )
    await publish_to_one_partition(kafka_bootstrap_servers, topic, [("a", "first")])
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while not commits:
                await asyncio.sleep(0.05)
        assert await notes(database) == ["first"]
        await publish_to_one_partition(kafka_bootstrap_servers, topic, [("a", "second")])
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while await notes(database) != ["first", "second"]:
                await asyncio.sleep(0.05)
        assert not answer_first.is_set()  # applied while the first commit was unanswered

        answer_first.set()
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while await committed(kafka_bootstrap_servers, group, TopicPartition(topic, 0)) != 2:
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # In order, one at a time: the second batch's offsets after the first's.
    assert commits == [{TopicPartition(topic, 0): 1}, {TopicPartition(topic, 0): 2}]
