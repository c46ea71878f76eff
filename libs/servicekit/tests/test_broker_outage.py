"""Events written while the broker is stopped arrive after it starts again.

Stops and restarts the project's own local Kafka broker through deploy/local/stack.py, so it is
skipped when the tests run against an external broker that this project did not start.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from aos.events.v1.billing_pb2 import SCOPE_PROGRAMMING, EntitlementGranted
from servicekit.db import Database
from servicekit.outbox import record_event
from servicekit.relay import OutboxRelay

ROOT = Path(__file__).resolve().parents[3]
STACK = ROOT / "deploy" / "local" / "stack.py"
MIGRATIONS = Path(__file__).parent / "kit_migrations"


def stack(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(STACK), *args, "--only", "kafka"],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=4)
    yield db
    await db.dispose()


@pytest.fixture
def local_broker() -> None:
    if not (ROOT / ".local" / "kafka" / "kafka.pid").is_file():
        pytest.skip("the broker is external: this test stops and starts only our own broker")


async def unpublished(db: Database) -> int:
    async with db.transaction() as session:
        query = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return int((await session.execute(query)).scalar_one())


async def test_events_written_during_a_broker_outage_arrive_after_restart(
    database: Database, kafka_bootstrap_servers: str, topic_namespace: str, local_broker: None
) -> None:
    topic = topic_namespace + "billing.v1"
    relay = OutboxRelay(
        database, bootstrap_servers=kafka_bootstrap_servers, poll_interval=0.2, max_backoff=1.0
    )
    task = asyncio.create_task(relay.run())
    orgs = [str(uuid.uuid4()) for _ in range(3)]
    try:
        await asyncio.to_thread(stack, "down")
        for org in orgs:
            async with database.transaction() as session:
                await record_event(
                    session,
                    EntitlementGranted(organization_id=org, scope=SCOPE_PROGRAMMING),
                    topic=topic,
                    aggregate_id=org,
                    source="billing",
                )
        await asyncio.sleep(2)
        assert await unpublished(database) == 3
    finally:
        await asyncio.to_thread(stack, "up")
    try:
        async with asyncio.timeout(60):
            while await unpublished(database):
                await asyncio.sleep(0.2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap_servers,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    received: list[str] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < 3:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    received += [
                        EntitlementGranted.FromString(r.value).organization_id for r in records
                    ]
    finally:
        await consumer.stop()
    assert sorted(received) == sorted(orgs)
