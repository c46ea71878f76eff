"""The real consumer: a PROGRAMMING EntitlementGranted on Kafka opens the session gate."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from aos.events.v1 import billing_pb2
from programming.config import Settings
from programming.main import create_app
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    new_producer,
)
from servicekit.testing import TestTokenIssuer, publish_event, running_app, timestamp

DEADLINE_SECONDS = 15.0
VIN = "WBA5F3103MFX12345"


@pytest.fixture
async def live_client(
    settings: Settings, token_issuer: TestTokenIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    worker_settings = settings.model_copy(update={"run_background_workers": True})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(worker_settings, jwks_http=jwks_http)
        async with running_app(app) as client:
            yield client


async def test_programming_pass_from_kafka_lets_a_session_past_the_gate(
    live_client: httpx.AsyncClient,
    settings: Settings,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
) -> None:
    organization_id = uuid.uuid4()
    headers = {"Authorization": f"Bearer {token_issuer.token(organization_id=organization_id)}"}
    code = (await live_client.post("/agents/pairing-codes", headers=headers)).json()["code"]
    agent_id = (await live_client.post("/agents/pair", json={"code": code, "name": "bay"})).json()[
        "agent_id"
    ]
    body = {"agent_id": agent_id, "vin": VIN}
    assert (await live_client.post("/sessions", json=body, headers=headers)).status_code == 403

    now = datetime.now(UTC)
    message = billing_pb2.EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        scope=billing_pb2.SCOPE_PROGRAMMING,
        order_id=str(uuid.uuid4()),
    )
    message.valid_from.FromDatetime(now - timedelta(minutes=1))
    message.valid_until.FromDatetime(now + timedelta(hours=1))
    producer = new_producer(kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic("billing.v1"),
            value=message.SerializeToString(),
            key=str(organization_id).encode(),
            headers=[
                (HEADER_ID, str(uuid.uuid4()).encode()),
                (HEADER_TYPE, message.DESCRIPTOR.full_name.encode()),
                (HEADER_SOURCE, b"billing"),
                (HEADER_TIME, now.isoformat().encode()),
                (HEADER_AGGREGATE, message.entitlement_id.encode()),
            ],
        )
    finally:
        await producer.stop()

    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        response = await live_client.post("/sessions", json=body, headers=headers)
        if response.status_code != 403:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the pass did not arrive within {DEADLINE_SECONDS} s")
        await asyncio.sleep(0.25)
    # Past the pass gate; the agent is not connected in this test.
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/agent-offline"


async def test_a_per_vin_pass_and_its_revocation_from_kafka_open_and_close_the_gate(
    live_client: httpx.AsyncClient,
    settings: Settings,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
) -> None:
    organization_id = uuid.uuid4()
    headers = {"Authorization": f"Bearer {token_issuer.token(organization_id=organization_id)}"}
    code = (await live_client.post("/agents/pairing-codes", headers=headers)).json()["code"]
    agent_id = (await live_client.post("/agents/pair", json={"code": code, "name": "bay"})).json()[
        "agent_id"
    ]
    body = {"agent_id": agent_id, "vin": VIN}
    now = datetime.now(UTC)
    grant = billing_pb2.EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        scope=billing_pb2.SCOPE_PROGRAMMING,
        order_id=str(uuid.uuid4()),
        vin=VIN,
        valid_from=timestamp(now - timedelta(minutes=1)),
        valid_until=timestamp(now + timedelta(hours=24)),
    )
    topic = settings.topic("billing.v1")
    await publish_event(
        kafka_bootstrap_servers, topic, grant, source="billing", aggregate_id=str(organization_id)
    )

    async def gate_answer(expected: int) -> httpx.Response:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            response = await live_client.post("/sessions", json=body, headers=headers)
            if response.status_code == expected:
                return response
            if time.monotonic() > deadline:
                pytest.fail(f"the gate did not answer {expected} within {DEADLINE_SECONDS} s")
            await asyncio.sleep(0.25)

    # Past the pass gate for its VIN (the agent is not connected in this test).
    await gate_answer(409)
    revocation = billing_pb2.EntitlementRevoked(
        entitlement_id=grant.entitlement_id,
        organization_id=grant.organization_id,
        scope=grant.scope,
        order_id=grant.order_id,
        vin=VIN,
        reason=billing_pb2.REVOCATION_REASON_REFUNDED,
        revoked_at=timestamp(datetime.now(UTC)),
    )
    await publish_event(
        kafka_bootstrap_servers,
        topic,
        revocation,
        source="billing",
        aggregate_id=str(organization_id),
    )

    refused = await gate_answer(403)
    assert refused.json()["code"] == "programming-pass-required"
