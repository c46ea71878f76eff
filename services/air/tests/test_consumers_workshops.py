"""The workshops projection fed by identity's organisation events (handler path): the company
name and city a service book entry shows, newest data wins, closure is kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from google.protobuf.message import Message
from sqlalchemy import text

from air.consumers.workshops import (
    WORKSHOPS_CONSUMER,
    handle_organization_closed,
    handle_organization_registered,
    handle_organization_updated,
)
from aos.events.v1 import identity_pb2
from servicekit.consumer import BadEvent
from servicekit.testing import incoming_event, timestamp

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HANDLERS: dict[str, Any] = {
    "OrganizationRegistered": handle_organization_registered,
    "OrganizationUpdated": handle_organization_updated,
    "OrganizationClosed": handle_organization_closed,
}


async def apply(app: FastAPI, message: Message) -> None:
    event = incoming_event(message, source="identity", aggregate_id="x")
    async with app.state.database.transaction() as session:
        await HANDLERS[message.DESCRIPTOR.name](session, event)


async def row(app: FastAPI, organization_id: uuid.UUID) -> dict[str, Any] | None:
    async with app.state.database.transaction() as session:
        found = await session.execute(
            text(
                "SELECT name, city, country, closed_at, source_updated_at FROM workshops "
                "WHERE organization_id = :id"
            ),
            {"id": organization_id},
        )
        result = found.mappings().first()
        return dict(result) if result is not None else None


def registered(organization_id: uuid.UUID, at: datetime, name: str = "Kfz Meier") -> Message:
    return identity_pb2.OrganizationRegistered(
        organization_id=str(organization_id), name=name, country="de", registered_at=timestamp(at)
    )


def updated(
    organization_id: uuid.UUID, at: datetime, *, legal_name: str, city: str = "Bremen"
) -> Message:
    return identity_pb2.OrganizationUpdated(
        organization_id=str(organization_id),
        legal_name=legal_name,
        street="Am Markt 1",
        postcode="28195",
        city=city,
        country="DE",
        vat_id="DE123456789",
        invoice_email="rechnung@example.com",
        updated_at=timestamp(at),
    )


async def test_a_registration_stores_the_name_without_a_city(app: FastAPI, client: object) -> None:
    organization_id = uuid.uuid4()

    await apply(app, registered(organization_id, T0))

    assert await row(app, organization_id) == {
        "name": "Kfz Meier",
        "city": None,
        "country": "DE",
        "closed_at": None,
        "source_updated_at": T0,
    }


async def test_company_data_sets_the_legal_name_and_city(app: FastAPI, client: object) -> None:
    organization_id = uuid.uuid4()
    await apply(app, registered(organization_id, T0))

    await apply(app, updated(organization_id, T0 + timedelta(hours=1), legal_name="Meier GmbH"))

    stored = await row(app, organization_id)
    assert stored is not None
    assert (stored["name"], stored["city"]) == ("Meier GmbH", "Bremen")


async def test_an_older_event_is_ignored(app: FastAPI, client: object) -> None:
    organization_id = uuid.uuid4()
    await apply(app, updated(organization_id, T0 + timedelta(hours=2), legal_name="New GmbH"))

    await apply(app, updated(organization_id, T0 + timedelta(hours=1), legal_name="Old GmbH"))
    await apply(app, registered(organization_id, T0, name="Registration name"))

    stored = await row(app, organization_id)
    assert stored is not None
    assert (stored["name"], stored["city"]) == ("New GmbH", "Bremen")
    assert stored["source_updated_at"] == T0 + timedelta(hours=2)


async def test_closure_is_kept_and_a_later_update_does_not_reopen(
    app: FastAPI, client: object
) -> None:
    organization_id = uuid.uuid4()
    await apply(app, registered(organization_id, T0))
    closure = identity_pb2.OrganizationClosed(
        organization_id=str(organization_id), closed_at=timestamp(T0 + timedelta(days=1))
    )

    await apply(app, closure)
    await apply(app, closure)  # replayed under a new event id
    await apply(app, updated(organization_id, T0 + timedelta(days=2), legal_name="Meier GmbH"))

    stored = await row(app, organization_id)
    assert stored is not None
    assert stored["closed_at"] == T0 + timedelta(days=1)
    assert stored["name"] == "Meier GmbH"


async def test_a_closure_before_the_registration_is_filled_in_later(
    app: FastAPI, client: object
) -> None:
    organization_id = uuid.uuid4()
    await apply(
        app,
        identity_pb2.OrganizationClosed(
            organization_id=str(organization_id), closed_at=timestamp(T0 + timedelta(days=1))
        ),
    )

    await apply(app, registered(organization_id, T0))

    stored = await row(app, organization_id)
    assert stored is not None
    assert (stored["name"], stored["closed_at"]) == ("Kfz Meier", T0 + timedelta(days=1))


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            identity_pb2.OrganizationRegistered(organization_id="nope", name="x", country="DE"),
            "UUID",
        ),
        (
            identity_pb2.OrganizationRegistered(organization_id=str(uuid.uuid4()), country="DE"),
            "no name",
        ),
        (
            identity_pb2.OrganizationRegistered(
                organization_id=str(uuid.uuid4()), name="x", country="Germany"
            ),
            "alpha-2",
        ),
        (
            identity_pb2.OrganizationUpdated(organization_id=str(uuid.uuid4()), country="DE"),
            "no legal name",
        ),
        (identity_pb2.OrganizationClosed(organization_id=""), "UUID"),
    ],
)
async def test_events_breaking_the_contract_are_refused(
    app: FastAPI, client: object, message: Message, reason: str
) -> None:
    with pytest.raises(BadEvent, match=reason):
        await apply(app, message)


def test_consumer_listens_to_identity_for_organisation_events() -> None:
    assert WORKSHOPS_CONSUMER.name == "air.workshops"
    assert WORKSHOPS_CONSUMER.topics == ["identity.v1"]
    assert sorted(WORKSHOPS_CONSUMER.subscriptions) == [
        "aos.events.v1.OrganizationClosed",
        "aos.events.v1.OrganizationRegistered",
        "aos.events.v1.OrganizationUpdated",
    ]
