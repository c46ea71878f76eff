"""Consumer of identity's organisation events: the workshops projection (company name and city
shown on service book entries, and whether the organisation may still write them).

Redeliveries are dropped by the servicekit inbox (same event id); a late or replayed change is
dropped by the projection itself (older than the row's ``source_updated_at``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from air.services.workshops import record_closure, record_company_data, record_registration
from aos.events.v1 import identity_pb2
from servicekit.app import ConsumerSpec
from servicekit.consumer import BadEvent, IncomingEvent, subscribe
from servicekit.logging import get_logger

__all__ = [
    "CONSUMER_NAME",
    "WORKSHOPS_CONSUMER",
    "handle_organization_closed",
    "handle_organization_registered",
    "handle_organization_updated",
]

log = get_logger(__name__)

CONSUMER_NAME = "air.workshops"
IDENTITY_TOPIC = "identity.v1"


def _organization_id(event_name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadEvent(f"{event_name}: organization_id {value!r} is no UUID") from exc


def _country(event_name: str, value: str) -> str:
    if len(value) != 2 or not value.isalpha():
        raise BadEvent(f"{event_name}: country {value!r} is no ISO 3166-1 alpha-2 code")
    return value


def _when(stamp: Timestamp, *, fallback: datetime) -> datetime:
    """When identity made the change; an event without a time counts as made when recorded."""
    if stamp.seconds == 0 and stamp.nanos == 0:
        return fallback
    return stamp.ToDatetime(tzinfo=fallback.tzinfo)


async def handle_organization_registered(
    session: AsyncSession, event: IncomingEvent[identity_pb2.OrganizationRegistered]
) -> None:
    message = event.message
    name = "OrganizationRegistered"
    organization_id = _organization_id(name, message.organization_id)
    if not message.name:
        raise BadEvent(f"{name} {organization_id}: no name")
    written = await record_registration(
        session,
        organization_id,
        name=message.name,
        country=_country(name, message.country),
        registered_at=_when(message.registered_at, fallback=event.occurred_at),
    )
    log.info(
        "workshop registered" if written else "stale registration ignored",
        organization_id=str(organization_id),
        event_id=str(event.event_id),
    )


async def handle_organization_updated(
    session: AsyncSession, event: IncomingEvent[identity_pb2.OrganizationUpdated]
) -> None:
    message = event.message
    name = "OrganizationUpdated"
    organization_id = _organization_id(name, message.organization_id)
    if not message.legal_name:
        raise BadEvent(f"{name} {organization_id}: no legal name")
    written = await record_company_data(
        session,
        organization_id,
        legal_name=message.legal_name,
        city=message.city.strip(),
        country=_country(name, message.country),
        updated_at=_when(message.updated_at, fallback=event.occurred_at),
    )
    log.info(
        "workshop updated" if written else "stale company data ignored",
        organization_id=str(organization_id),
        event_id=str(event.event_id),
    )


async def handle_organization_closed(
    session: AsyncSession, event: IncomingEvent[identity_pb2.OrganizationClosed]
) -> None:
    """A closed organisation writes no more entries; those it wrote keep its company name."""
    message = event.message
    organization_id = _organization_id("OrganizationClosed", message.organization_id)
    await record_closure(
        session, organization_id, closed_at=_when(message.closed_at, fallback=event.occurred_at)
    )
    log.info("workshop closed", organization_id=str(organization_id))


WORKSHOPS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[IDENTITY_TOPIC],
    subscriptions=dict(
        [
            subscribe(identity_pb2.OrganizationRegistered, handle_organization_registered),
            subscribe(identity_pb2.OrganizationUpdated, handle_organization_updated),
            subscribe(identity_pb2.OrganizationClosed, handle_organization_closed),
        ]
    ),
)
