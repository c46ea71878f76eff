"""AIR writes its usage (AirSearchPerformed, AirDocumentRead) in the request's transaction, and
its relay publishes them on air.v1."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from sqlalchemy import text

from air.config import Settings
from air.consumers.entitlements import handle_entitlement_granted
from air.main import create_app
from aos.events.v1 import air_pb2, billing_pb2
from servicekit.consumer import IncomingEvent
from servicekit.relay import HEADER_TYPE
from servicekit.testing import TestTokenIssuer, running_app

Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Headers = Callable[..., dict[str, str]]

VIN_G21 = "WBA6K5105MFK54321"
G21_DOCUMENT = "ri-g21-tailgate-spindle-drive"


@pytest.fixture
def member(token_issuer: TestTokenIssuer) -> Headers:
    def headers(organization_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, str]:
        token = token_issuer.token(
            organization_id=organization_id, user_id=user_id, roles=("technician",)
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


async def outbox(app: FastAPI) -> list[tuple[str, str, str, bytes]]:
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT topic, event_type, aggregate_id, payload FROM outbox ORDER BY id")
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]


async def test_a_keyword_search_for_a_vin_is_reported_with_member_vin_and_pass(
    app: FastAPI, client: httpx.AsyncClient, member: Headers, grant: Grant
) -> None:
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    await grant(organization_id)
    vin_pass = await grant(organization_id, vin=VIN_G21)

    response = await client.get(
        "/documents/search",
        params={"q": "tailgate", "vin": VIN_G21.lower()},
        headers=member(organization_id, user_id),
    )

    assert response.status_code == 200, response.text
    [(topic, event_type, aggregate_id, payload)] = await outbox(app)
    assert (topic, event_type, aggregate_id) == (
        "air.v1",
        "aos.events.v1.AirSearchPerformed",
        str(organization_id),
    )
    event = air_pb2.AirSearchPerformed.FromString(payload)
    assert (event.organization_id, event.user_id) == (str(organization_id), str(user_id))
    assert (event.kind, event.vin) == (air_pb2.SEARCH_KIND_KEYWORD, VIN_G21)
    assert event.result_count == response.json()["total"] == 1
    # The vehicle's own pass is the one used, though a time pass would also have allowed it.
    assert event.entitlement_id == vin_pass.entitlement_id
    uuid.UUID(event.search_id)


async def test_a_search_by_vin_alone_is_a_vin_search(
    app: FastAPI, client: httpx.AsyncClient, member: Headers, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    time_pass = await grant(organization_id)

    response = await client.get(
        "/documents/search", params={"vin": VIN_G21}, headers=member(organization_id, uuid.uuid4())
    )

    [(_, _, _, payload)] = await outbox(app)
    event = air_pb2.AirSearchPerformed.FromString(payload)
    assert (event.kind, event.vin) == (air_pb2.SEARCH_KIND_VIN, VIN_G21)
    assert event.result_count == response.json()["total"]
    assert event.entitlement_id == time_pass.entitlement_id


async def test_a_document_read_is_reported_with_the_vehicle_it_was_opened_for(
    app: FastAPI, client: httpx.AsyncClient, member: Headers, grant: Grant
) -> None:
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    vin_pass = await grant(organization_id, vin=VIN_G21)

    response = await client.get(
        f"/documents/{G21_DOCUMENT}",
        params={"vin": VIN_G21},
        headers=member(organization_id, user_id),
    )

    assert response.status_code == 200, response.text
    [(topic, event_type, _, payload)] = await outbox(app)
    assert (topic, event_type) == ("air.v1", "aos.events.v1.AirDocumentRead")
    event = air_pb2.AirDocumentRead.FromString(payload)
    assert (event.organization_id, event.user_id) == (str(organization_id), str(user_id))
    assert (event.document_id, event.vin) == (G21_DOCUMENT, VIN_G21)
    assert event.entitlement_id == vin_pass.entitlement_id
    assert event.HasField("read_at")


async def test_refused_and_failed_requests_report_nothing(
    app: FastAPI, client: httpx.AsyncClient, member: Headers, grant: Grant
) -> None:
    holder, stranger = uuid.uuid4(), uuid.uuid4()
    await grant(holder)
    headers = member(holder, uuid.uuid4())

    stranger_headers = member(stranger, uuid.uuid4())
    answers = [
        await client.get("/documents/search", params={"q": "brake"}, headers=stranger_headers),
        # O is no VIN character: 422 (read before the pass check).
        await client.get("/documents/search", params={"vin": "WBA6K5105MFO54321"}, headers=headers),
        await client.get("/documents/no-such-document", headers=headers),
        await client.get("/documents/search", params={"q": "a\x00b"}, headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [403, 422, 404, 422]
    assert await outbox(app) == []


@pytest.fixture
async def live_app(settings: Settings, token_issuer: TestTokenIssuer) -> AsyncIterator[FastAPI]:
    worker_settings = settings.model_copy(update={"run_background_workers": True})
    async with token_issuer.http_client() as jwks_http:
        yield create_app(worker_settings, jwks_http=jwks_http)


async def test_the_relay_publishes_usage_on_the_air_topic(
    live_app: FastAPI,
    member: Headers,
    make_entitlement: Callable[..., billing_pb2.EntitlementGranted],
    make_incoming: Callable[..., IncomingEvent[billing_pb2.EntitlementGranted]],
    topic_namespace: str,
    kafka_bootstrap_servers: str,
) -> None:
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    message = make_entitlement(
        organization_id, valid_from=now - timedelta(minutes=1), valid_until=now + timedelta(hours=1)
    )
    async with running_app(live_app) as client:
        async with live_app.state.database.transaction() as session:
            await handle_entitlement_granted(session, make_incoming(message))
        response = await client.get(
            f"/documents/{G21_DOCUMENT}", headers=member(organization_id, user_id)
        )
        assert response.status_code == 200, response.text

        consumer = AIOKafkaConsumer(
            f"{topic_namespace}air.v1",
            bootstrap_servers=kafka_bootstrap_servers,
            group_id=f"{topic_namespace}usage-reader",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            async with asyncio.timeout(30):
                record = await consumer.getone()
        finally:
            await consumer.stop()
    assert dict(record.headers)[HEADER_TYPE] == b"aos.events.v1.AirDocumentRead"
    assert record.key == str(organization_id).encode()
    event = air_pb2.AirDocumentRead.FromString(record.value)  # type: ignore[arg-type]
    assert (event.organization_id, event.user_id) == (str(organization_id), str(user_id))
    assert (event.document_id, event.entitlement_id) == (G21_DOCUMENT, message.entitlement_id)
