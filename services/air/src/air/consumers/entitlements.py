"""Consumer of billing's events: the local projection of entitlements.

Redeliveries are dropped by the servicekit inbox (same event id); a replay under a new event id
is dropped by the projection itself (same entitlement id).
"""

from __future__ import annotations

import uuid
from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from air.domain.access import Entitlement
from air.services.access import record_entitlement
from aos.events.v1 import billing_pb2
from servicekit.app import ConsumerSpec
from servicekit.consumer import BadEvent, IncomingEvent, subscribe
from servicekit.logging import get_logger

log = get_logger(__name__)

CONSUMER_NAME = "air.entitlements"
BILLING_TOPIC = "billing.v1"
_SCOPE_PREFIX = "SCOPE_"


def scope_name(value: int) -> str:
    """'AIR' for SCOPE_AIR; scopes newer than our contract are kept as 'UNKNOWN_<n>'."""
    try:
        return billing_pb2.Scope.Name(value).removeprefix(_SCOPE_PREFIX)
    except ValueError:
        return f"UNKNOWN_{value}"


def entitlement_from_event(message: billing_pb2.EntitlementGranted) -> Entitlement:
    """The window an event announces.

    Raises BadEvent for an event that breaks the contract: the consumer dead-letters it at once,
    as retrying cannot mend it.
    """
    for field in ("valid_from", "valid_until"):
        if not message.HasField(field):
            raise BadEvent(f"EntitlementGranted {message.entitlement_id!r} has no {field}")
    valid_from = message.valid_from.ToDatetime(tzinfo=UTC)
    valid_until = message.valid_until.ToDatetime(tzinfo=UTC)
    if valid_until <= valid_from:
        raise BadEvent(
            f"EntitlementGranted {message.entitlement_id!r} ends before it starts "
            f"({valid_from.isoformat()} .. {valid_until.isoformat()})"
        )
    try:
        return Entitlement(
            entitlement_id=uuid.UUID(message.entitlement_id),
            organization_id=uuid.UUID(message.organization_id),
            scope=scope_name(message.scope),
            valid_from=valid_from,
            valid_until=valid_until,
            order_id=uuid.UUID(message.order_id) if message.order_id else None,
        )
    except ValueError as exc:
        raise BadEvent(f"EntitlementGranted {message.entitlement_id!r}: {exc}") from exc


async def handle_entitlement_granted(
    session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementGranted]
) -> None:
    entitlement = entitlement_from_event(event.message)
    added = await record_entitlement(session, entitlement)
    log.info(
        "entitlement projected" if added else "entitlement already known",
        entitlement_id=str(entitlement.entitlement_id),
        organization_id=str(entitlement.organization_id),
        scope=entitlement.scope,
        event_id=str(event.event_id),
    )


ENTITLEMENTS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[BILLING_TOPIC],
    subscriptions=dict([subscribe(billing_pb2.EntitlementGranted, handle_entitlement_granted)]),
)

__all__ = [
    "ENTITLEMENTS_CONSUMER",
    "entitlement_from_event",
    "handle_entitlement_granted",
    "scope_name",
]
