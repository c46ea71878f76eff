"""The entitlement projection fed by billing's EntitlementGranted events (handler path)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aos.events.v1 import billing_pb2
from programming.consumers.entitlements import (
    CONSUMER_NAME,
    ENTITLEMENTS_CONSUMER,
    handle_entitlement_granted,
)
from servicekit.consumer import BadEvent, IncomingEvent

Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Revoke = Callable[..., Awaitable[billing_pb2.EntitlementRevoked]]


async def scopes(app: FastAPI) -> list[str]:
    async with app.state.database.transaction() as session:
        return list((await session.execute(text("SELECT scope FROM entitlements"))).scalars())


async def test_programming_grant_is_projected(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant
) -> None:
    await grant(uuid.uuid4())
    assert await scopes(app) == ["PROGRAMMING"]


async def test_air_grant_is_ignored(app: FastAPI, client: httpx.AsyncClient, grant: Grant) -> None:
    await grant(uuid.uuid4(), scope=billing_pb2.SCOPE_AIR)
    assert await scopes(app) == []


async def test_replayed_grant_is_stored_once(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant
) -> None:
    message = await grant(uuid.uuid4())
    event: IncomingEvent[Any] = IncomingEvent(
        event_id=uuid.uuid4(),
        event_type=message.DESCRIPTOR.full_name,
        source="billing",
        occurred_at=datetime.now(UTC),
        aggregate_id=message.entitlement_id,
        message=message,
    )
    async with app.state.database.transaction() as session:
        await handle_entitlement_granted(session, event)
    assert await scopes(app) == ["PROGRAMMING"]


async def test_grant_that_ends_before_it_starts_is_refused(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant
) -> None:
    now = datetime.now(UTC)
    with pytest.raises(BadEvent, match="ends before it starts"):
        await grant(uuid.uuid4(), valid_from=now, valid_until=now - timedelta(seconds=1))


def test_consumer_listens_to_billing_under_its_own_name() -> None:
    assert CONSUMER_NAME == "programming.entitlements"
    assert ENTITLEMENTS_CONSUMER.topics == ["billing.v1"]
    assert list(ENTITLEMENTS_CONSUMER.subscriptions) == [
        "aos.events.v1.EntitlementGranted",
        "aos.events.v1.EntitlementRevoked",
    ]


async def projection(app: FastAPI) -> list[tuple[Any, ...]]:
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT entitlement_id, vin, revoked_at, revocation_reason FROM entitlements")
        )
        return [tuple(row) for row in rows]


async def test_a_per_vin_grant_is_stored_with_its_vehicle(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant
) -> None:
    message = await grant(uuid.uuid4(), vin="WBA5F3103MFX12345")

    assert await projection(app) == [
        (uuid.UUID(message.entitlement_id), "WBA5F3103MFX12345", None, None)
    ]


async def test_a_revocation_marks_the_window_and_keeps_it(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant, revoke: Revoke
) -> None:
    message = await grant(uuid.uuid4())
    moment = datetime.now(UTC).replace(microsecond=0)

    await revoke(message, revoked_at=moment)

    assert await projection(app) == [(uuid.UUID(message.entitlement_id), None, moment, "REFUNDED")]


async def test_a_revocation_of_an_air_pass_or_an_unknown_one_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant, revoke: Revoke
) -> None:
    kept = await grant(uuid.uuid4())
    air = billing_pb2.EntitlementGranted()
    air.CopyFrom(kept)
    air.scope = billing_pb2.SCOPE_AIR
    unknown = billing_pb2.EntitlementGranted()
    unknown.CopyFrom(kept)
    unknown.entitlement_id = str(uuid.uuid4())

    await revoke(air)
    await revoke(unknown)

    assert await projection(app) == [(uuid.UUID(kept.entitlement_id), None, None, None)]


async def test_a_revocation_that_breaks_the_contract_is_refused(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant, revoke: Revoke
) -> None:
    message = await grant(uuid.uuid4())
    message.entitlement_id = "not-a-uuid"

    with pytest.raises(BadEvent, match="is no UUID"):
        await revoke(message)
