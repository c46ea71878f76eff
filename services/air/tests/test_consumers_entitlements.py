"""The entitlement projection fed by billing's EntitlementGranted events (handler path)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from air.consumers.entitlements import ENTITLEMENTS_CONSUMER, handle_entitlement_granted
from aos.events.v1 import billing_pb2
from servicekit.consumer import BadEvent
from servicekit.db import Database

MakeEntitlement = Callable[..., billing_pb2.EntitlementGranted]
MakeIncoming = Callable[..., object]

START = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
VIN = "WBA6K5105MFK54321"


async def project(database: Database, event: object) -> None:
    async with database.transaction() as session:
        await handle_entitlement_granted(session, event)  # type: ignore[arg-type]


async def rows(database: Database) -> list[tuple[object, ...]]:
    async with database.transaction() as session:
        result = await session.execute(
            text(
                "SELECT entitlement_id, organization_id, scope, valid_from, valid_until, order_id "
                "FROM entitlements"
            )
        )
        return [tuple(row) for row in result]


async def test_granted_event_is_stored_with_its_window(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    organization_id = uuid.uuid4()
    message = make_entitlement(
        organization_id, valid_from=START, valid_until=START + timedelta(hours=1)
    )

    await project(app.state.database, make_incoming(message))

    assert await rows(app.state.database) == [
        (
            uuid.UUID(message.entitlement_id),
            organization_id,
            "AIR",
            START,
            START + timedelta(hours=1),
            uuid.UUID(message.order_id),
        )
    ]


async def test_same_entitlement_under_a_new_event_id_is_stored_once(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    message = make_entitlement(
        uuid.uuid4(), valid_from=START, valid_until=START + timedelta(days=1)
    )

    await project(app.state.database, make_incoming(message))
    await project(app.state.database, make_incoming(message))

    assert len(await rows(app.state.database)) == 1


async def test_event_without_an_end_is_refused_and_nothing_is_stored(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    message = make_entitlement(uuid.uuid4(), valid_from=START, valid_until=START)
    message.ClearField("valid_until")

    with pytest.raises(BadEvent, match="has no valid_until"):
        await project(app.state.database, make_incoming(message))
    assert await rows(app.state.database) == []


async def test_event_that_ends_before_it_starts_is_refused(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    message = make_entitlement(
        uuid.uuid4(), valid_from=START, valid_until=START - timedelta(seconds=1)
    )

    with pytest.raises(BadEvent, match="ends before it starts"):
        await project(app.state.database, make_incoming(message))


async def test_event_with_a_malformed_organisation_id_is_refused(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    message = make_entitlement(
        uuid.uuid4(), valid_from=START, valid_until=START + timedelta(hours=1)
    )
    message.organization_id = "not-a-uuid"

    with pytest.raises(BadEvent, match="is no UUID"):
        await project(app.state.database, make_incoming(message))


def test_consumer_listens_to_billing_for_grants_and_revocations() -> None:
    assert ENTITLEMENTS_CONSUMER.name == "air.entitlements"
    assert ENTITLEMENTS_CONSUMER.topics == ["billing.v1"]
    assert list(ENTITLEMENTS_CONSUMER.subscriptions) == [
        "aos.events.v1.EntitlementGranted",
        "aos.events.v1.EntitlementRevoked",
    ]


async def test_a_programming_grant_is_not_stored(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    message = make_entitlement(
        uuid.uuid4(),
        valid_from=START,
        valid_until=START + timedelta(hours=1),
        scope=billing_pb2.SCOPE_PROGRAMMING,
    )

    await project(app.state.database, make_incoming(message))

    assert await rows(app.state.database) == []


async def test_the_same_grant_applied_concurrently_is_stored_once(
    app: FastAPI, client: object, make_entitlement: MakeEntitlement, make_incoming: MakeIncoming
) -> None:
    """Two consumers (say, after a rebalance) apply one grant at the same moment: the second
    waits on the first's row and then changes nothing, without an error to retry."""
    message = make_entitlement(
        uuid.uuid4(), valid_from=START, valid_until=START + timedelta(hours=24), vin=VIN
    )

    await asyncio.gather(*(project(app.state.database, make_incoming(message)) for _ in range(5)))

    assert len(await rows(app.state.database)) == 1
