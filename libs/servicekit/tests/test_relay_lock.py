"""One relay per service publishes, whatever the number of replicas, and it wakes on a commit.

Each "replica" is an OutboxRelay with a connection pool of its own on the same real database;
the events go to the real broker.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.db import Database
from servicekit.outbox import outbox_table, record_event
from servicekit.relay import OutboxRelay

MIGRATIONS = Path(__file__).parent / "kit_migrations"
SERVICE = "kit-relay"


@pytest.fixture
async def database_url(database_factory: Any) -> str:
    return str(await database_factory.create(MIGRATIONS))


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[Callable[[], Database]]:
    """Connection pools on the one database, one per replica (and one for the writers)."""
    created: list[Database] = []

    def replica() -> Database:
        created.append(Database(database_url, pool_size=2))
        return created[-1]

    yield replica
    for database in created:
        await database.dispose()


def event(sequence: int) -> EntitlementGranted:
    """An event numbered in its entitlement id's last digits, to check the order it came in."""
    return EntitlementGranted(
        entitlement_id=f"00000000-0000-0000-0000-{sequence:012d}",
        organization_id=str(uuid.uuid4()),
        scope=SCOPE_AIR,
        valid_from=Timestamp(seconds=1),
        valid_until=Timestamp(seconds=2),
    )


async def write(writer: Database, topic: str, keys: list[str], sequences: range) -> None:
    """One transaction per event, the keys interleaved: k0, k1, k0, k1 ..."""
    for sequence in sequences:
        async with writer.transaction() as session:
            await record_event(
                session,
                event(sequence),
                topic=topic,
                aggregate_id=keys[sequence % len(keys)],
                source="kit",
            )


async def read(
    bootstrap: str, topic: str, count: int, *, timeout: float = 40.0
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        metadata_max_age_ms=500,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < count:
                batch = await consumer.getmany(timeout_ms=200)
                for items in batch.values():
                    records.extend(items)
        # Anything more (a row published twice) would be here by now, behind what we read.
        extra = await consumer.getmany(timeout_ms=500)
        for items in extra.values():
            records.extend(items)
    finally:
        await consumer.stop()
    return records


def sequences_by_key(records: list[ConsumerRecord[bytes, bytes]]) -> dict[str, list[int]]:
    by_key: dict[str, list[int]] = {}
    for record in records:
        message = EntitlementGranted.FromString(record.value or b"")
        by_key.setdefault((record.key or b"").decode(), []).append(
            int(message.entitlement_id.rsplit("-", 1)[1])
        )
    return by_key


async def unpublished(database: Database) -> int:
    async with database.transaction() as session:
        query = select(func.count()).where(outbox_table.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


async def until(check: Callable[[], bool], *, what: str, timeout: float = 20.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


def relay_of(database: Database, bootstrap: str, **options: Any) -> OutboxRelay:
    values: dict[str, Any] = {"poll_interval": 0.2, "lock_retry_seconds": 0.2, **options}
    return OutboxRelay(database, bootstrap_servers=bootstrap, service=SERVICE, **values)


async def stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_one_of_two_relays_publishes_in_order_and_the_other_takes_over_when_it_stops(
    replicas: Callable[[], Database], kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "kit.v1"
    keys = ["k0", "k1", "k2"]
    first = relay_of(replicas(), kafka_bootstrap_servers)
    second = relay_of(replicas(), kafka_bootstrap_servers)
    writer = replicas()
    first_task = asyncio.create_task(first.run())
    await until(lambda: first._lock.held, what="the first relay taking the lock")
    second_task = asyncio.create_task(second.run())
    try:
        # Both are running; a batch per commit at most, so the two would interleave if both
        # published.
        await write(writer, topic, keys, range(0, 60))
        records = await read(kafka_bootstrap_servers, topic, 60)
        assert len(records) == 60, "a row was published twice"
        assert first.published == 60
        assert second.published == 0
        assert not second._lock.held

        await stop(first_task)  # the active replica goes away
        await write(writer, topic, keys, range(60, 90))
        records = await read(kafka_bootstrap_servers, topic, 90)
        assert second.published == 30
        assert first.published == 60
    finally:
        await stop(first_task, second_task)
    assert len(records) == 90, "a row was published twice"
    for key, sequences in sequences_by_key(records).items():
        assert sequences == sorted(sequences), f"events of {key} out of order"
        assert len(sequences) == 30
    assert await unpublished(writer) == 0


async def test_a_relay_whose_lock_connection_is_ended_stops_and_another_replica_publishes(
    replicas: Callable[[], Database],
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    database_url: str,
) -> None:
    topic = topic_namespace + "kit.v1"
    # Once it lost its lock, the first leaves it alone for a minute: the second must take it.
    first = relay_of(replicas(), kafka_bootstrap_servers, lock_retry_seconds=60.0)
    second = relay_of(replicas(), kafka_bootstrap_servers)
    writer = replicas()
    tasks = [asyncio.create_task(first.run())]
    try:
        await until(lambda: first._lock.held, what="the first relay taking the lock")
        tasks.append(asyncio.create_task(second.run()))
        # The database ends the active relay's lock connection (as when its replica's network
        # is cut): the lock is free at once, and that relay must not publish any more.
        admin = await asyncpg.connect(writer.dsn)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first._lock.backend_pid)
        finally:
            await admin.close()
        await until(lambda: not first._lock.held, what="the first relay letting go")
        await until(lambda: second._lock.held, what="the second relay taking over")
        await write(writer, topic, ["k"], range(0, 10))
        records = await read(kafka_bootstrap_servers, topic, 10)
    finally:
        await stop(*tasks)
    assert len(records) == 10
    assert second.published == 10
    assert first.published == 0
    assert sequences_by_key(records)["k"] == list(range(10))


async def test_a_commit_on_another_replica_wakes_the_active_relay_before_its_next_poll(
    replicas: Callable[[], Database], kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    topic = topic_namespace + "kit.v1"
    # It would not look for rows on its own for a minute: only the notification can wake it.
    relay = relay_of(replicas(), kafka_bootstrap_servers, poll_interval=60.0)
    writer = replicas()
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: relay._lock.held, what="the relay taking the lock")
        # Its first look at the outbox (empty) is done once its producer exists.
        await until(lambda: relay._producer is not None, what="the relay's first look")
        await write(writer, topic, ["k"], range(0, 3))
        records = await read(kafka_bootstrap_servers, topic, 3, timeout=30.0)
    finally:
        await stop(task)
    assert len(records) == 3
    assert relay.published == 3


async def test_a_rolled_back_event_does_not_wake_the_relay(
    replicas: Callable[[], Database], database_url: str
) -> None:
    listener = await asyncpg.connect(replicas().dsn)
    heard: list[str] = []
    try:
        await listener.add_listener("aos_outbox", lambda *args: heard.append(args[2]))
        writer = replicas()
        with pytest.raises(RuntimeError):
            async with writer.transaction() as session:
                await record_event(session, event(1), topic="t", aggregate_id="k", source="kit")
                raise RuntimeError("rolled back")
        async with writer.transaction() as session:
            await record_event(session, event(2), topic="t", aggregate_id="k", source="kit")
        await until(lambda: bool(heard), what="the committed event's notification")
        # The notification of the committed transaction came; the rolled-back one sent none,
        # and notifications arrive in commit order, so none can still be on its way.
        assert heard == ["aos_outbox"]
    finally:
        await listener.close()
