"""Passes paid while AIR's database refuses connections all arrive, once, in order, none
dead-lettered.

A TCP proxy stands between AIR and its PostgreSQL; cutting it makes every connection attempt
fail with "connection refused" (and resets the open ones), as when the database is away.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text

from air.config import Settings
from air.consumers.entitlements import CONSUMER_NAME
from air.main import create_app
from aos.events.v1 import billing_pb2
from servicekit.db import Database
from servicekit.faults import TcpProxy
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    new_producer,
)
from servicekit.testing import TestTokenIssuer, running_app, topic_size

OUTAGE_SECONDS = 30.0  # the outage of the audit (15 s) doubled, as the issue asks
PASSES = 20


def infrastructure_retries(consumer: str) -> float:
    value = REGISTRY.get_sample_value(
        "aos_consumer_retries_total",
        {"service": "air", "consumer": consumer, "reason": "infrastructure"},
    )
    return value or 0.0


async def test_passes_paid_during_a_database_outage_all_arrive_once_in_order(
    settings: Settings,
    database_url: str,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
    make_entitlement: Callable[..., billing_pb2.EntitlementGranted],
) -> None:
    proxy = TcpProxy.in_front_of(database_url)
    await proxy.start()
    worker_settings = settings.model_copy(
        update={"database_url": proxy.proxied(database_url), "run_background_workers": True}
    )
    consumer = worker_settings.topic(CONSUMER_NAME)
    topic = worker_settings.topic("billing.v1")
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    passes = [
        make_entitlement(organization_id, valid_from=now, valid_until=now + timedelta(hours=1))
        for _ in range(PASSES)
    ]
    event_ids = [uuid.uuid4() for _ in passes]
    retries_before = infrastructure_retries(consumer)
    direct = Database(database_url, pool_size=1)
    producer = new_producer(kafka_bootstrap_servers)
    try:
        async with token_issuer.http_client() as jwks_http:
            async with running_app(create_app(worker_settings, jwks_http=jwks_http)):
                await proxy.cut()
                outage_ends = asyncio.get_running_loop().time() + OUTAGE_SECONDS
                await producer.start()
                # As billing's relay publishes them: keyed by organisation, so one partition.
                for message, event_id in zip(passes, event_ids, strict=True):
                    await producer.send_and_wait(
                        topic,
                        value=message.SerializeToString(),
                        key=str(organization_id).encode(),
                        headers=[
                            (HEADER_ID, str(event_id).encode()),
                            (HEADER_TYPE, message.DESCRIPTOR.full_name.encode()),
                            (HEADER_SOURCE, b"billing"),
                            (HEADER_TIME, datetime.now(UTC).isoformat().encode()),
                            (HEADER_AGGREGATE, str(organization_id).encode()),
                        ],
                    )
                await asyncio.sleep(outage_ends - asyncio.get_running_loop().time())
                await proxy.start()

                applied = await inbox_order(direct)
                deadline = asyncio.get_running_loop().time() + 60
                while len(applied) < PASSES and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.25)
                    applied = await inbox_order(direct)
            projected = await projected_entitlements(direct, organization_id)
            dead_letters = await topic_size(kafka_bootstrap_servers, topic + ".dlq")
    finally:
        await producer.stop()
        await direct.dispose()
        await proxy.close()

    assert (len(applied), dead_letters) == (PASSES, 0), "passes applied, dead-lettered"
    assert applied == event_ids  # every one, once, in the order paid
    assert sorted(projected) == sorted(uuid.UUID(p.entitlement_id) for p in passes)
    # The consumer did meet the outage, and saw it for what it is.
    assert infrastructure_retries(consumer) > retries_before


async def inbox_order(database: Database) -> list[uuid.UUID]:
    async with database.transaction() as session:
        rows = await session.execute(text("SELECT event_id FROM inbox ORDER BY processed_at"))
        return [row.event_id for row in rows]


async def projected_entitlements(database: Database, organization_id: uuid.UUID) -> list[uuid.UUID]:
    async with database.transaction() as session:
        rows = await session.execute(
            text("SELECT entitlement_id FROM entitlements WHERE organization_id = :org"),
            {"org": organization_id},
        )
        return [row.entitlement_id for row in rows]
