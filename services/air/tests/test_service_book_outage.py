"""While AIR's database is away the service book answers 503 with Retry-After (never a 500 or a
hang) and writes nothing half; once it is back, writing works again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from air.config import Settings
from air.consumers.workshops import handle_organization_registered, handle_organization_updated
from air.main import create_app
from aos.events.v1 import identity_pb2
from servicekit.db import Database
from servicekit.faults import TcpProxy
from servicekit.testing import (
    TestTokenIssuer,
    assert_problem,
    incoming_event,
    running_app,
    timestamp,
)

VIN = "WBA5F3103MFX12345"


async def test_writing_and_reading_while_the_database_is_away(
    settings: Settings, database_url: str, token_issuer: TestTokenIssuer
) -> None:
    proxy = TcpProxy.in_front_of(database_url)
    await proxy.start()
    proxied = settings.model_copy(update={"database_url": proxy.proxied(database_url)})
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    token = token_issuer.token(organization_id=organization_id, roles=("technician",))
    headers = {"Authorization": f"Bearer {token}"}
    entry = {"performed_on": now.date().isoformat(), "mileage_km": 1_000, "kind": "repair"}
    direct = Database(database_url, pool_size=1)
    try:
        async with direct.transaction() as session:
            for message, handle in (
                (
                    identity_pb2.OrganizationRegistered(
                        organization_id=str(organization_id),
                        name="Kfz Meier",
                        country="DE",
                        registered_at=timestamp(now - timedelta(minutes=1)),
                    ),
                    handle_organization_registered,
                ),
                (
                    identity_pb2.OrganizationUpdated(
                        organization_id=str(organization_id),
                        legal_name="Kfz Meier GmbH",
                        city="Bremen",
                        country="DE",
                        updated_at=timestamp(now),
                    ),
                    handle_organization_updated,
                ),
            ):
                event = incoming_event(message, source="identity", aggregate_id="x")
                await handle(session, event)  # type: ignore[operator]
        async with (
            token_issuer.http_client() as jwks_http,
            running_app(create_app(proxied, jwks_http=jwks_http)) as client,
        ):
            path = f"/vehicles/{VIN}/service-entries"
            proxy.refuse()
            refused = await client.post(path, json=entry, headers=headers)
            schedule = await client.get(f"/vehicles/{VIN}/schedule", headers=headers)
            proxy.restore()
            written = await client.post(path, json=entry, headers=headers)

        for response in (refused, schedule):
            assert_problem(response, 503, "service-unavailable")
            assert response.headers["retry-after"] == "5"
        assert written.status_code == 201, written.text
        async with direct.transaction() as session:
            stored = (
                await session.execute(text("SELECT count(*) FROM service_entries"))
            ).scalar_one()
            events = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM outbox "
                        "WHERE event_type = 'aos.events.v1.ServiceEntryRecorded'"
                    )
                )
            ).scalar_one()
        assert (stored, events) == (1, 1)
    finally:
        await direct.dispose()
        await proxy.close()
