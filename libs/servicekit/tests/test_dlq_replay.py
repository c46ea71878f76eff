"""Dead letters go back to their topic, as they were, once; the consumer then applies them.

Against the real broker and PostgreSQL: a consumer dead-letters an event under a rule that is
later relaxed; the replay republishes it with its original key, headers and event id.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.consumer import BadEvent, EventConsumer, Handler, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.dlq import replay_dead_letters, replay_group
from servicekit.relay import new_producer
from servicekit.testing import committed_offsets, topic_size

MIGRATIONS = Path(__file__).parent / "kit_migrations"


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


async def refuse(session: AsyncSession, event: IncomingEvent[EntitlementGranted]) -> None:
    raise BadEvent("refused under a rule that was relaxed since")


async def note_event_ids(db: Database) -> list[uuid.UUID]:
    async with db.transaction() as session:
        return list((await session.execute(text("SELECT event_id FROM notes"))).scalars())


async def read_all(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await reader.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < count:
                for batch in (await reader.getmany(timeout_ms=500)).values():
                    records.extend(batch)
    finally:
        await reader.stop()
    return sorted(records, key=lambda r: r.offset)


async def run_until(consumer: EventConsumer, done: Any) -> None:
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(40):
            while not await done():
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def consumer_of(
    database: Database, bootstrap: str, name: str, topic: str, handler: Handler
) -> EventConsumer:
    return EventConsumer(
        database,
        name=name,
        topics=[topic],
        bootstrap_servers=bootstrap,
        subscriptions=dict([subscribe(EntitlementGranted, handler)]),
    )


async def test_replay_republishes_a_consumers_dead_letters_once_with_key_headers_and_id(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    bootstrap = kafka_bootstrap_servers
    topic, dlq = topic_namespace + "billing.v1", topic_namespace + "billing.v1.dlq"
    ours, theirs = topic_namespace + "notes", topic_namespace + "other"
    event_id = uuid.uuid4()
    message = EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR)
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            message.SerializeToString(),
            key=b"org-1",
            headers=[
                ("ce_id", str(event_id).encode()),
                ("ce_type", message.DESCRIPTOR.full_name.encode()),
                ("ce_source", b"billing"),
                ("ce_time", b"2026-01-01T00:00:00+00:00"),
                ("ce_aggregateid", b"org-1"),
                # The replayed event goes on in the trace that recorded it.
                ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ],
        )
    finally:
        await producer.stop()
    # Two consumers of the topic refuse it: one dead letter each.
    for name in (ours, theirs):
        refusing = consumer_of(database, bootstrap, name, topic, refuse)
        dead_letters = await topic_size(bootstrap, dlq)

        async def dead_lettered(before: int = dead_letters) -> bool:
            return await topic_size(bootstrap, dlq) == before + 1

        await run_until(refusing, dead_lettered)

    lines: list[str] = []
    dry = await replay_dead_letters(
        bootstrap_servers=bootstrap,
        consumer=ours,
        topics=[topic],
        dry_run=True,
        progress=lines.append,
    )
    assert (dry.found, dry.replayed, dry.other_consumers) == (1, 1, 1)
    assert await topic_size(bootstrap, topic) == 1  # nothing sent
    assert await committed_offsets(bootstrap, replay_group(ours)) == {}  # nothing remembered
    assert str(event_id) in lines[0] and "would replay" in lines[0]
    assert "nothing was sent (--dry-run)" in lines[-1]

    report = await replay_dead_letters(
        bootstrap_servers=bootstrap, consumer=ours, topics=[topic], progress=lines.append
    )
    assert (report.found, report.replayed, report.other_consumers) == (1, 1, 1)
    original, replayed = await read_all(bootstrap, topic, 2)
    assert replayed.key == original.key
    assert replayed.headers == original.headers
    assert replayed.value == original.value
    assert replayed.partition == original.partition

    again = await replay_dead_letters(
        bootstrap_servers=bootstrap, consumer=ours, topics=[topic], progress=lines.append
    )
    assert (again.found, again.replayed) == (0, 0)
    assert await topic_size(bootstrap, topic) == 2

    # The rule is relaxed: the consumer applies the replayed event, and only it, once.
    fixed = consumer_of(database, bootstrap, ours, topic, write_note)

    expected = {TopicPartition(topic, replayed.partition): replayed.offset + 1}

    async def committed_past_the_replay() -> bool:
        return await committed_offsets(bootstrap, ours) == expected

    await run_until(fixed, committed_past_the_replay)
    assert await note_event_ids(database) == [event_id]
