"""Every write, edit and void of a service book entry records ServiceEntryRecorded in the same
transaction (keyed by the VIN); the relay publishes it on air.v1. Identity's organisation events
on Kafka reach the workshops projection."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from sqlalchemy import text

from air.config import Settings
from air.main import create_app
from aos.events.v1 import air_pb2, identity_pb2
from servicekit.relay import HEADER_TYPE
from servicekit.testing import (
    ManualClock,
    TestTokenIssuer,
    publish_event,
    running_app,
    timestamp,
)

Workshop = Callable[..., Awaitable[uuid.UUID]]
VIN = "WBA5F3103MFX12345"
DEADLINE_SECONDS = 30.0


def headers_of(
    token_issuer: TestTokenIssuer, organization_id: uuid.UUID, user_id: uuid.UUID
) -> dict[str, str]:
    token = token_issuer.token(
        organization_id=organization_id, user_id=user_id, roles=("technician",)
    )
    return {"Authorization": f"Bearer {token}"}


def body(clock: ManualClock, **changes: Any) -> dict[str, Any]:
    return {
        "performed_on": clock().date().isoformat(),
        "mileage_km": 45_000,
        "kind": "oil_service",
        **changes,
    }


async def recorded(app: FastAPI) -> list[tuple[str, str, air_pb2.ServiceEntryRecorded]]:
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT topic, aggregate_id, event_type, payload FROM outbox ORDER BY id")
        )
        return [
            (row[0], row[1], air_pb2.ServiceEntryRecorded.FromString(row[3]))
            for row in rows
            if row[2] == "aos.events.v1.ServiceEntryRecorded"
        ]


async def test_write_edit_and_void_each_record_an_event_with_the_revision(
    app: FastAPI,
    client: httpx.AsyncClient,
    workshop: Workshop,
    token_issuer: TestTokenIssuer,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    writer, editor = uuid.uuid4(), uuid.uuid4()
    written = await client.post(
        f"/vehicles/{VIN}/service-entries",
        json=body(clock),
        headers=headers_of(token_issuer, organization_id, writer),
    )
    entry_id = written.json()["id"]
    editor_headers = headers_of(token_issuer, organization_id, editor)
    await client.patch(
        f"/service-entries/{entry_id}",
        json={"revision": 1, "kind": "inspection", "mileage_km": 45_100},
        headers=editor_headers,
    )
    await client.post(
        f"/service-entries/{entry_id}/void", json={"revision": 2}, headers=editor_headers
    )

    events = await recorded(app)

    assert [(topic, key) for topic, key, _ in events] == [("air.v1", VIN)] * 3
    messages = [message for _, _, message in events]
    assert [(m.revision, m.voided) for m in messages] == [(1, False), (2, False), (3, True)]
    assert [m.user_id for m in messages] == [str(writer), str(editor), str(editor)]
    assert {m.entry_id for m in messages} == {entry_id}
    assert {m.organization_id for m in messages} == {str(organization_id)}
    assert [m.kind for m in messages] == [
        air_pb2.SERVICE_ENTRY_KIND_OIL_SERVICE,
        air_pb2.SERVICE_ENTRY_KIND_INSPECTION,
        air_pb2.SERVICE_ENTRY_KIND_INSPECTION,
    ]
    assert [m.mileage_km for m in messages] == [45_000, 45_100, 45_100]
    assert messages[0].performed_on == clock().date().isoformat()
    assert messages[0].corrects_entry_id == ""


async def test_a_correction_names_the_entry_it_corrects(
    app: FastAPI,
    client: httpx.AsyncClient,
    workshop: Workshop,
    token_issuer: TestTokenIssuer,
    clock: ManualClock,
) -> None:
    headers = headers_of(token_issuer, await workshop(), uuid.uuid4())
    first = await client.post(f"/vehicles/{VIN}/service-entries", json=body(clock), headers=headers)
    clock.advance(20 * 24 * 3600)
    await client.post(
        f"/vehicles/{VIN}/service-entries",
        json=body(clock, corrects=first.json()["id"]),
        headers=headers,
    )

    events = await recorded(app)

    assert [message.corrects_entry_id for _, _, message in events] == ["", first.json()["id"]]


async def test_refused_changes_record_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    workshop: Workshop,
    token_issuer: TestTokenIssuer,
    clock: ManualClock,
) -> None:
    headers = headers_of(token_issuer, await workshop(), uuid.uuid4())
    no_company = headers_of(token_issuer, await workshop(city=None), uuid.uuid4())
    written = await client.post(
        f"/vehicles/{VIN}/service-entries", json=body(clock), headers=headers
    )
    entry_id = written.json()["id"]

    answers = [
        await client.post(f"/vehicles/{VIN}/service-entries", json=body(clock), headers=no_company),
        await client.post(
            f"/vehicles/{VIN}/service-entries", json=body(clock, mileage_km=-1), headers=headers
        ),
        await client.patch(
            f"/service-entries/{entry_id}", json={"revision": 7, "note": "x"}, headers=headers
        ),
        await client.post(
            f"/service-entries/{entry_id}/void", json={"revision": 1}, headers=no_company
        ),
    ]

    assert [answer.status_code for answer in answers] == [409, 422, 409, 404]
    assert [message.revision for _, _, message in await recorded(app)] == [1]


@pytest.fixture
async def live_app(
    settings: Settings, token_issuer: TestTokenIssuer
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    worker_settings = settings.model_copy(update={"run_background_workers": True})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(worker_settings, jwks_http=jwks_http)
        async with running_app(app) as client:
            yield app, client


async def test_company_data_from_kafka_lets_a_workshop_write_and_the_entry_reaches_kafka(
    live_app: tuple[FastAPI, httpx.AsyncClient],
    settings: Settings,
    token_issuer: TestTokenIssuer,
    topic_namespace: str,
    kafka_bootstrap_servers: str,
) -> None:
    _, client = live_app
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    headers = headers_of(token_issuer, organization_id, user_id)
    now = datetime.now(UTC)
    entry = {"performed_on": now.date().isoformat(), "mileage_km": 12_345, "kind": "brake_fluid"}
    refused = await client.post(f"/vehicles/{VIN}/service-entries", json=entry, headers=headers)
    assert refused.status_code == 409, refused.text

    for message in (
        identity_pb2.OrganizationRegistered(
            organization_id=str(organization_id),
            name="Kfz Meier",
            country="DE",
            registered_at=timestamp(now - timedelta(minutes=2)),
        ),
        identity_pb2.OrganizationUpdated(
            organization_id=str(organization_id),
            legal_name="Kfz-Meisterbetrieb Meier GmbH",
            city="Bremen",
            country="DE",
            updated_at=timestamp(now - timedelta(minutes=1)),
        ),
    ):
        await publish_event(
            kafka_bootstrap_servers,
            settings.topic("identity.v1"),
            message,
            source="identity",
            aggregate_id=str(organization_id),
        )

    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        written = await client.post(f"/vehicles/{VIN}/service-entries", json=entry, headers=headers)
        if written.status_code == 201:
            break
        assert written.json()["code"] == "workshop-details-missing", written.text
        if time.monotonic() > deadline:
            pytest.fail("the company data did not reach the workshops projection")
        await asyncio.sleep(0.25)
    assert written.json()["workshop"] == {"name": "Kfz-Meisterbetrieb Meier GmbH", "city": "Bremen"}

    consumer = AIOKafkaConsumer(
        f"{topic_namespace}air.v1",
        bootstrap_servers=kafka_bootstrap_servers,
        group_id=f"{topic_namespace}service-book-reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async with asyncio.timeout(DEADLINE_SECONDS):
            record = await consumer.getone()
    finally:
        await consumer.stop()
    assert dict(record.headers)[HEADER_TYPE] == b"aos.events.v1.ServiceEntryRecorded"
    assert record.key == VIN.encode()
    event = air_pb2.ServiceEntryRecorded.FromString(record.value)  # type: ignore[arg-type]
    assert event.entry_id == written.json()["id"]
    assert (event.organization_id, event.user_id) == (str(organization_id), str(user_id))
    assert (event.vin, event.kind, event.mileage_km) == (
        VIN,
        air_pb2.SERVICE_ENTRY_KIND_BRAKE_FLUID,
        12_345,
    )
    assert (event.revision, event.voided) == (1, False)
