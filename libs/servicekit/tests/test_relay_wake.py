"""A commit that lands while the relay publishes a batch makes it look again at once.

The relay's fallback poll is an hour here, so an event that arrives proves it was woken.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from aos.events.v1.billing_pb2 import SCOPE_AIR, EntitlementGranted
from servicekit.db import Database
from servicekit.outbox import outbox_table, record_event
from servicekit.relay import OutboxRelay

MIGRATIONS = Path(__file__).parent / "kit_migrations"
AN_HOUR = 3600.0
TIMEOUT_SECONDS = 30.0


@pytest.fixture
async def databases(database_factory: Any) -> AsyncIterator[tuple[Database, Database]]:
    """The relay's replica and another replica that writes."""
    url = await database_factory.create(MIGRATIONS)
    relay_side, writer = Database(url, pool_size=2), Database(url, pool_size=2)
    yield relay_side, writer
    await relay_side.dispose()
    await writer.dispose()


async def write(writer: Database, topic: str) -> None:
    async with writer.transaction() as session:
        await record_event(
            session,
            EntitlementGranted(organization_id=str(uuid.uuid4()), scope=SCOPE_AIR),
            topic=topic,
            aggregate_id="k",
            source="kit",
        )


async def unpublished(database: Database) -> int:
    async with database.transaction() as session:
        query = select(func.count()).where(outbox_table.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


class WritingDuringItsFirstBatch(OutboxRelay):
    """A relay during whose first batch another replica commits an event, and whose batch ends
    only once that commit's notification has reached it."""

    def __init__(self, *args: Any, writer: Database, topic: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writer = writer
        self.topic = topic
        self.batches_with_rows = 0

    async def publish_batch(self) -> int:
        published = await super().publish_batch()
        if published:
            self.batches_with_rows += 1
            if self.batches_with_rows == 1:
                await write(self.writer, self.topic)
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    await self.database.outbox_signal.wait()
        return published


async def test_a_commit_during_a_batch_is_published_without_waiting_for_the_poll(
    databases: tuple[Database, Database], kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    relay_side, writer = databases
    topic = topic_namespace + "kit.v1"
    relay = WritingDuringItsFirstBatch(
        relay_side,
        bootstrap_servers=kafka_bootstrap_servers,
        service=topic_namespace + "kit",
        poll_interval=AN_HOUR,
        writer=writer,
        topic=topic,
    )
    await write(writer, topic)  # the first batch's row, there before the relay starts
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            while relay.published < 2:
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert relay.batches_with_rows == 2
    assert await unpublished(writer) == 0
