"""The customers projection from identity's events: handlers against real PostgreSQL (stale
events ignored, the owner's e-mail as invoice address until one is set, a closed organisation's
addresses forgotten, contract breaks dead-lettered) and the consumer end to end over Kafka."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import pytest

from aos.events.v1 import identity_pb2
from billing.consumers.customers import (
    handle_organization_closed,
    handle_organization_registered,
    handle_organization_updated,
    handle_user_registered,
)
from billing.db.models import Customer
from servicekit.consumer import BadEvent
from servicekit.db import Database
from servicekit.testing import incoming_event, publish_event, timestamp

from .conftest import NOW


def registered(org: uuid.UUID, *, at: Any = NOW, **fields: Any) -> Any:
    values = {"name": "Werkstatt Muster GmbH", "country": "DE", "vat_id": "DE136695976"}
    values.update(fields)
    return identity_pb2.OrganizationRegistered(
        organization_id=str(org), registered_at=timestamp(at), **values
    )


def updated(org: uuid.UUID, *, at: Any, **fields: Any) -> Any:
    values = {
        "legal_name": "Werkstatt Muster GmbH",
        "street": "Hauptstrasse 5",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        "vat_id": "DE136695976",
        "invoice_email": "",
    }
    values.update(fields)
    return identity_pb2.OrganizationUpdated(
        organization_id=str(org), updated_at=timestamp(at), **values
    )


def owner(org: uuid.UUID, email: str = "owner@werkstatt.example", role: str = "owner") -> Any:
    return identity_pb2.UserRegistered(
        user_id=str(uuid.uuid4()),
        organization_id=str(org),
        email=email,
        role=role,
        registered_at=timestamp(NOW),
    )


async def deliver(db: Database, handler: Any, message: Any) -> None:
    event = incoming_event(message, source="identity", aggregate_id=message.organization_id)
    async with db.transaction() as session:
        await handler(session, event)


async def customer(db: Database, org: uuid.UUID) -> Customer | None:
    async with db.transaction() as session:
        return await session.get(Customer, org)


async def test_registration_then_profile_fill_the_row(db: Database) -> None:
    org = uuid.uuid4()
    await deliver(db, handle_organization_registered, registered(org, country="at"))
    await deliver(db, handle_user_registered, owner(org))
    row = await customer(db, org)
    assert row is not None
    assert (row.legal_name, row.country, row.vat_id, row.street) == (
        "Werkstatt Muster GmbH",
        "AT",
        "DE136695976",
        "",
    )
    assert row.invoice_recipient == "owner@werkstatt.example"

    await deliver(
        db,
        handle_organization_updated,
        updated(
            org,
            at=NOW + timedelta(hours=1),
            legal_name="Werkstatt Muster & Söhne GmbH",
            invoice_email="rechnungen@werkstatt.example",
        ),
    )
    row = await customer(db, org)
    assert row is not None
    assert (row.legal_name, row.street, row.postcode, row.city) == (
        "Werkstatt Muster & Söhne GmbH",
        "Hauptstrasse 5",
        "10115",
        "Berlin",
    )
    assert row.invoice_recipient == "rechnungen@werkstatt.example"
    assert row.source_updated_at == NOW + timedelta(hours=1)


async def test_an_event_older_than_the_row_is_ignored(db: Database) -> None:
    org = uuid.uuid4()
    await deliver(db, handle_organization_updated, updated(org, at=NOW, city="Hamburg"))
    await deliver(
        db, handle_organization_updated, updated(org, at=NOW - timedelta(minutes=1), city="Köln")
    )
    await deliver(
        db,
        handle_organization_registered,
        registered(org, at=NOW - timedelta(days=1), name="Old Name"),
    )
    row = await customer(db, org)
    assert row is not None
    assert (row.city, row.legal_name, row.source_updated_at) == (
        "Hamburg",
        "Werkstatt Muster GmbH",
        NOW,
    )


async def test_only_the_owner_gives_the_fallback_address(db: Database) -> None:
    org = uuid.uuid4()
    await deliver(db, handle_organization_registered, registered(org))
    await deliver(db, handle_user_registered, owner(org, "tech@werkstatt.example", "technician"))
    await deliver(db, handle_user_registered, owner(uuid.uuid4()))  # unknown org: no row made
    row = await customer(db, org)
    assert row is not None and row.invoice_recipient == ""


async def test_closing_forgets_the_addresses_but_keeps_the_company(db: Database) -> None:
    org = uuid.uuid4()
    await deliver(db, handle_organization_registered, registered(org))
    await deliver(db, handle_user_registered, owner(org))
    await deliver(
        db,
        handle_organization_closed,
        identity_pb2.OrganizationClosed(
            organization_id=str(org), closed_by=str(uuid.uuid4()), closed_at=timestamp(NOW)
        ),
    )
    row = await customer(db, org)
    assert row is not None
    assert (row.legal_name, row.invoice_recipient) == ("Werkstatt Muster GmbH", "")


@pytest.mark.parametrize(
    "message",
    [
        registered(uuid.uuid4(), country="Germany"),
        registered(uuid.uuid4(), name=""),
        identity_pb2.OrganizationRegistered(organization_id="not-a-uuid", name="X", country="DE"),
    ],
)
async def test_an_event_breaking_the_contract_is_a_bad_event(db: Database, message: Any) -> None:
    with pytest.raises(BadEvent):
        await deliver(db, handle_organization_registered, message)


async def test_the_consumer_projects_identitys_events_from_kafka(
    start_billing: Callable[..., AbstractAsyncContextManager[Any]],
    kafka_bootstrap_servers: str,
) -> None:
    org = uuid.uuid4()
    async with start_billing(run_background_workers=True) as billing:
        topic = billing.settings.topic("identity.v1")
        for message in (
            registered(org, country="AT", vat_id="ATU13585627", name="Werkstatt Wien GmbH"),
            owner(org),
            updated(
                org,
                at=NOW + timedelta(minutes=5),
                legal_name="Werkstatt Wien GmbH",
                street="Ring 1",
                postcode="1010",
                city="Wien",
                country="AT",
                vat_id="ATU13585627",
            ),
        ):
            await publish_event(
                kafka_bootstrap_servers, topic, message, source="identity", aggregate_id=str(org)
            )
        deadline = time.monotonic() + 30
        while True:
            rows = await billing.sql(
                "SELECT city, country, vat_id, owner_email FROM customers "
                "WHERE organization_id = :org",
                org=org,
            )
            if rows and rows[0][0] == "Wien":
                break
            assert time.monotonic() < deadline, f"the customer did not arrive: {rows}"
            await asyncio.sleep(0.1)
    assert tuple(rows[0]) == ("Wien", "AT", "ATU13585627", "owner@werkstatt.example")
