"""Consumer of identity's events: the customers projection (company data for VAT and invoices).

Redeliveries are dropped by the servicekit inbox (same event id); a late or replayed event is
dropped by the projection itself (older than the row).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import identity_pb2
from billing.services.customers import (
    CompanyData,
    forget_addresses,
    record_company_data,
    record_owner_email,
    record_registration,
)
from servicekit.app import ConsumerSpec
from servicekit.consumer import BadEvent, IncomingEvent, subscribe
from servicekit.logging import get_logger

__all__ = [
    "CUSTOMERS_CONSUMER",
    "handle_organization_closed",
    "handle_organization_registered",
    "handle_organization_updated",
    "handle_user_registered",
]

log = get_logger(__name__)

CONSUMER_NAME = "billing.customers"
IDENTITY_TOPIC = "identity.v1"
_OWNER_ROLE = "owner"


def _organization_id(event_name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadEvent(f"{event_name}: organization_id {value!r} is no UUID") from exc


def _country(event_name: str, value: str) -> str:
    if len(value) != 2 or not value.isalpha():
        raise BadEvent(f"{event_name}: country {value!r} is no ISO 3166-1 alpha-2 code")
    return value.upper()


def _when(event_name: str, stamp: Timestamp, *, fallback: datetime) -> datetime:
    """The time identity made the change; an event without one (older producers) counts as
    made when it was recorded."""
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
        vat_id=message.vat_id,
        registered_at=_when(name, message.registered_at, fallback=event.occurred_at),
    )
    log.info(
        "customer registered" if written else "stale registration ignored",
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
        CompanyData(
            legal_name=message.legal_name,
            street=message.street,
            postcode=message.postcode,
            city=message.city,
            country=_country(name, message.country),
            vat_id=message.vat_id,
            invoice_email=message.invoice_email,
        ),
        updated_at=_when(name, message.updated_at, fallback=event.occurred_at),
    )
    log.info(
        "customer updated" if written else "stale company data ignored",
        organization_id=str(organization_id),
        event_id=str(event.event_id),
    )


async def handle_user_registered(
    session: AsyncSession, event: IncomingEvent[identity_pb2.UserRegistered]
) -> None:
    """The owner's e-mail receives invoices until an invoice address is set."""
    message = event.message
    if message.role != _OWNER_ROLE or not message.email:
        return
    organization_id = _organization_id("UserRegistered", message.organization_id)
    if not await record_owner_email(session, organization_id, message.email):
        # OrganizationRegistered precedes it on the same partition; without it there is no
        # customer to attach the address to.
        log.warning(
            "owner registered for an organisation billing does not know",
            organization_id=str(organization_id),
            event_id=str(event.event_id),
        )


async def handle_organization_closed(
    session: AsyncSession, event: IncomingEvent[identity_pb2.OrganizationClosed]
) -> None:
    """A closed organisation's e-mail addresses are personal data: forget them (no more mail);
    the company data printed on its invoices stays."""
    organization_id = _organization_id("OrganizationClosed", event.message.organization_id)
    await forget_addresses(session, organization_id)
    log.info("closed customer's addresses forgotten", organization_id=str(organization_id))


CUSTOMERS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[IDENTITY_TOPIC],
    subscriptions=dict(
        [
            subscribe(identity_pb2.OrganizationRegistered, handle_organization_registered),
            subscribe(identity_pb2.OrganizationUpdated, handle_organization_updated),
            subscribe(identity_pb2.UserRegistered, handle_user_registered),
            subscribe(identity_pb2.OrganizationClosed, handle_organization_closed),
        ]
    ),
)
