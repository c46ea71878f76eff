"""The real consumer: EntitlementGranted on Kafka opens AIR content; redelivery is harmless."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from air.config import Settings
from air.main import create_app
from aos.events.v1 import billing_pb2
from servicekit.db import Database
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    new_producer,
)
from servicekit.testing import TestTokenIssuer, publish_event, running_app

DEADLINE_SECONDS = 15.0


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"run_background_workers": True})


@pytest.fixture
async def live_client(
    worker_settings: Settings, token_issuer: TestTokenIssuer
) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    async with token_issuer.http_client() as jwks_http:
        app = create_app(worker_settings, jwks_http=jwks_http)
        async with running_app(app) as client:
            yield client, app.state.database


def record_headers(
    message: billing_pb2.EntitlementGranted, event_id: uuid.UUID
) -> list[tuple[str, bytes]]:
    """The envelope headers exactly as servicekit.relay writes them."""
    return [
        (HEADER_ID, str(event_id).encode()),
        (HEADER_TYPE, message.DESCRIPTOR.full_name.encode()),
        (HEADER_SOURCE, b"billing"),
        (HEADER_TIME, datetime.now(UTC).isoformat().encode()),
        (HEADER_AGGREGATE, message.entitlement_id.encode()),
    ]


async def eventually(check: Callable[[], object], *, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not await check():  # type: ignore[misc]
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {DEADLINE_SECONDS} s")
        await asyncio.sleep(0.25)


async def test_entitlement_from_kafka_opens_search_and_a_redelivery_changes_nothing(
    live_client: tuple[httpx.AsyncClient, Database],
    worker_settings: Settings,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
    make_entitlement: Callable[..., billing_pb2.EntitlementGranted],
) -> None:
    client, database = live_client
    organization_id = uuid.uuid4()
    headers = {"Authorization": f"Bearer {token_issuer.token(organization_id=organization_id)}"}
    now = datetime.now(UTC)
    message = make_entitlement(
        organization_id, valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(days=1)
    )
    topic = worker_settings.topic("billing.v1")
    first_id, replay_id = uuid.uuid4(), uuid.uuid4()
    search = {"q": "brake"}
    assert (
        await client.get("/documents/search", params=search, headers=headers)
    ).status_code == 403

    producer = new_producer(kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            value=message.SerializeToString(),
            key=message.entitlement_id.encode(),
            headers=record_headers(message, first_id),
        )

        async def search_open() -> bool:
            response = await client.get("/documents/search", params=search, headers=headers)
            return response.status_code == 200

        await eventually(search_open, what="search answering 200")

        # The same record again (same event id), then a replay under a new event id; same key,
        # so same partition: once the replay is in the inbox, the duplicate was handled too.
        for event_id in (first_id, replay_id):
            await producer.send_and_wait(
                topic,
                value=message.SerializeToString(),
                key=message.entitlement_id.encode(),
                headers=record_headers(message, event_id),
            )
    finally:
        await producer.stop()

    async def replay_seen() -> bool:
        async with database.transaction() as session:
            found = await session.execute(
                text("SELECT 1 FROM inbox WHERE event_id = :id"), {"id": replay_id}
            )
            return found.first() is not None

    await eventually(replay_seen, what="the replayed event reaching the inbox")
    async with database.transaction() as session:
        projected = (
            await session.execute(
                text("SELECT count(*) FROM entitlements WHERE entitlement_id = :id"),
                {"id": uuid.UUID(message.entitlement_id)},
            )
        ).scalar_one()
        inbox = (await session.execute(text("SELECT count(*) FROM inbox"))).scalar_one()

    assert projected == 1
    assert inbox == 2


async def test_revocation_from_kafka_closes_the_content_it_opened(
    live_client: tuple[httpx.AsyncClient, Database],
    worker_settings: Settings,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
    make_entitlement: Callable[..., billing_pb2.EntitlementGranted],
) -> None:
    client, _ = live_client
    organization_id = uuid.uuid4()
    headers = {"Authorization": f"Bearer {token_issuer.token(organization_id=organization_id)}"}
    now = datetime.now(UTC)
    grant = make_entitlement(
        organization_id, valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(days=1)
    )
    revocation = billing_pb2.EntitlementRevoked(
        entitlement_id=grant.entitlement_id,
        organization_id=grant.organization_id,
        scope=grant.scope,
        order_id=grant.order_id,
        reason=billing_pb2.REVOCATION_REASON_REFUNDED,
        revoked_at=grant.valid_from,
    )
    topic = worker_settings.topic("billing.v1")
    # Billing keys both by organisation: one partition, so the grant is applied first.
    for message in (grant, revocation):
        await publish_event(
            kafka_bootstrap_servers,
            topic,
            message,
            source="billing",
            aggregate_id=str(organization_id),
        )

    async def search_refused() -> bool:
        response = await client.get("/documents/search", params={"q": "brake"}, headers=headers)
        if response.status_code == 200:
            return False
        assert response.json()["code"] == "air-pass-required", response.text
        return await revoked_in_projection()

    async def revoked_in_projection() -> bool:
        async with live_client[1].transaction() as session:
            found = await session.execute(
                text(
                    "SELECT 1 FROM entitlements WHERE entitlement_id = :id "
                    "AND revoked_at IS NOT NULL"
                ),
                {"id": uuid.UUID(grant.entitlement_id)},
            )
            return found.first() is not None

    await eventually(search_refused, what="the revoked pass refusing search")
