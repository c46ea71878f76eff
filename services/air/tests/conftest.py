"""Fixtures of the AIR tests: a fresh migrated database, the app, tokens and AIR passes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI

from air.config import Settings
from air.consumers.entitlements import handle_entitlement_granted, handle_entitlement_revoked
from air.consumers.workshops import (
    handle_organization_closed,
    handle_organization_registered,
    handle_organization_updated,
)
from air.main import MIGRATIONS_DIR, create_app
from aos.events.v1 import billing_pb2, identity_pb2
from servicekit.consumer import IncomingEvent
from servicekit.testing import (
    DatabaseFactory,
    ManualClock,
    TestTokenIssuer,
    incoming_event,
    running_app,
    timestamp,
)

Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Revoke = Callable[..., Awaitable[billing_pb2.EntitlementRevoked]]
M = TypeVar("M", billing_pb2.EntitlementGranted, billing_pb2.EntitlementRevoked)


def entitlement_granted(
    organization_id: uuid.UUID,
    *,
    valid_from: datetime,
    valid_until: datetime,
    scope: int = billing_pb2.SCOPE_AIR,
    entitlement_id: uuid.UUID | None = None,
    vin: str = "",
) -> billing_pb2.EntitlementGranted:
    return billing_pb2.EntitlementGranted(
        entitlement_id=str(entitlement_id or uuid.uuid4()),
        organization_id=str(organization_id),
        scope=scope,  # type: ignore[arg-type]
        valid_from=timestamp(valid_from),
        valid_until=timestamp(valid_until),
        order_id=str(uuid.uuid4()),
        vin=vin,
    )


def entitlement_revoked(
    grant: billing_pb2.EntitlementGranted, *, revoked_at: datetime
) -> billing_pb2.EntitlementRevoked:
    """The revocation billing sends when the grant's pass is refunded."""
    return billing_pb2.EntitlementRevoked(
        entitlement_id=grant.entitlement_id,
        organization_id=grant.organization_id,
        scope=grant.scope,
        order_id=grant.order_id,
        vin=grant.vin,
        reason=billing_pb2.REVOCATION_REASON_REFUNDED,
        revoked_at=timestamp(revoked_at),
    )


def incoming(message: M) -> IncomingEvent[M]:
    return incoming_event(
        message,
        source="billing",
        aggregate_id=message.organization_id,  # type: ignore[attr-defined]
    )


@pytest.fixture
def make_entitlement() -> Callable[..., billing_pb2.EntitlementGranted]:
    return entitlement_granted


@pytest.fixture
def make_incoming() -> Callable[..., IncomingEvent[billing_pb2.EntitlementGranted]]:
    return incoming


@pytest.fixture
async def database_url(database_factory: DatabaseFactory) -> str:
    return await database_factory.create(MIGRATIONS_DIR)


@pytest.fixture
def settings(database_url: str, kafka_bootstrap_servers: str, topic_namespace: str) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        topic_namespace=topic_namespace,
        migrate_on_start=False,
        run_background_workers=False,
        seed_on_start=True,
    )


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock (the service book's edit window): now, until a test moves it."""
    return ManualClock()


@pytest.fixture
async def app(
    settings: Settings, token_issuer: TestTokenIssuer, clock: ManualClock
) -> AsyncIterator[FastAPI]:
    async with token_issuer.http_client() as jwks_http:
        yield create_app(settings, jwks_http=jwks_http, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as http:
        yield http


@pytest.fixture
def auth(token_issuer: TestTokenIssuer) -> Callable[[uuid.UUID], dict[str, str]]:
    """Authorization headers of a user of the given organisation."""

    def headers(organization_id: uuid.UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.token(organization_id=organization_id)}"}

    return headers


@pytest.fixture
def grant(app: FastAPI, client: httpx.AsyncClient) -> Grant:
    """Project an EntitlementGranted through the consumer's handler (as the consumer does)."""

    async def project(
        organization_id: uuid.UUID,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        scope: int = billing_pb2.SCOPE_AIR,
        vin: str = "",
    ) -> billing_pb2.EntitlementGranted:
        now = datetime.now(UTC)
        start = valid_from or now - timedelta(minutes=5)
        message = entitlement_granted(
            organization_id,
            valid_from=start,
            valid_until=valid_until or start + timedelta(days=1),
            scope=scope,
            vin=vin,
        )
        async with app.state.database.transaction() as session:
            await handle_entitlement_granted(session, incoming(message))
        return message

    return project


@pytest.fixture
def revoke(app: FastAPI, client: httpx.AsyncClient) -> Revoke:
    """Apply an EntitlementRevoked through the consumer's handler (as the consumer does)."""

    async def apply(
        grant: billing_pb2.EntitlementGranted, *, revoked_at: datetime | None = None
    ) -> billing_pb2.EntitlementRevoked:
        message = entitlement_revoked(grant, revoked_at=revoked_at or datetime.now(UTC))
        async with app.state.database.transaction() as session:
            await handle_entitlement_revoked(session, incoming(message))
        return message

    return apply


@pytest.fixture
async def org_with_pass(grant: Grant) -> uuid.UUID:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    return organization_id


Workshop = Callable[..., Awaitable[uuid.UUID]]


@pytest.fixture
def workshop(app: FastAPI, client: httpx.AsyncClient) -> Workshop:
    """Register an organisation and (unless ``city`` is None) its company data through the
    workshops consumer's handlers, as identity's events would; ``closed`` closes it too."""

    async def register(
        organization_id: uuid.UUID | None = None,
        *,
        name: str = "Werkstatt Schmidt GmbH",
        city: str | None = "Stuttgart",
        closed: bool = False,
    ) -> uuid.UUID:
        organization_id = organization_id or uuid.uuid4()
        now = datetime.now(UTC)
        events: list[IncomingEvent[Any]] = [
            incoming_event(
                identity_pb2.OrganizationRegistered(
                    organization_id=str(organization_id),
                    name=name,
                    country="DE",
                    registered_at=timestamp(now - timedelta(minutes=2)),
                ),
                source="identity",
                aggregate_id=str(organization_id),
            )
        ]
        if city is not None:
            events.append(
                incoming_event(
                    identity_pb2.OrganizationUpdated(
                        organization_id=str(organization_id),
                        legal_name=name,
                        street="Hauptstraße 1",
                        postcode="70173",
                        city=city,
                        country="DE",
                        updated_at=timestamp(now - timedelta(minutes=1)),
                    ),
                    source="identity",
                    aggregate_id=str(organization_id),
                )
            )
        if closed:
            events.append(
                incoming_event(
                    identity_pb2.OrganizationClosed(
                        organization_id=str(organization_id), closed_at=timestamp(now)
                    ),
                    source="identity",
                    aggregate_id=str(organization_id),
                )
            )
        handlers: dict[str, Any] = {
            "aos.events.v1.OrganizationRegistered": handle_organization_registered,
            "aos.events.v1.OrganizationUpdated": handle_organization_updated,
            "aos.events.v1.OrganizationClosed": handle_organization_closed,
        }
        for event in events:
            async with app.state.database.transaction() as session:
                await handlers[event.event_type](session, event)
        return organization_id

    return register
