"""Consumer of billing's events: the local projection of PROGRAMMING entitlements.

Redeliveries are dropped by the servicekit inbox (same event id); a replay under a new event id
is dropped by the projection itself (same entitlement id). Grants of other scopes (AIR) are
not stored: this service only ever asks about programming time.
"""

from __future__ import annotations

import uuid
from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import billing_pb2
from programming.services.entitlements import PROGRAMMING_SCOPE, record_entitlement
from servicekit.app import ConsumerSpec
from servicekit.consumer import BadEvent, IncomingEvent, subscribe
from servicekit.logging import get_logger

__all__ = ["CONSUMER_NAME", "ENTITLEMENTS_CONSUMER", "handle_entitlement_granted"]

log = get_logger(__name__)

CONSUMER_NAME = "programming.entitlements"
BILLING_TOPIC = "billing.v1"


async def handle_entitlement_granted(
    session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementGranted]
) -> None:
    """Store a PROGRAMMING window.

    Raises BadEvent for an event that breaks the contract: the consumer dead-letters it at once,
    as retrying cannot mend it.
    """
    message = event.message
    if message.scope != billing_pb2.SCOPE_PROGRAMMING:
        return
    for field in ("valid_from", "valid_until"):
        if not message.HasField(field):
            raise BadEvent(f"EntitlementGranted {message.entitlement_id!r} has no {field}")
    valid_from = message.valid_from.ToDatetime(tzinfo=UTC)
    valid_until = message.valid_until.ToDatetime(tzinfo=UTC)
    if valid_until <= valid_from:
        raise BadEvent(f"EntitlementGranted {message.entitlement_id!r} ends before it starts")
    try:
        entitlement_id = uuid.UUID(message.entitlement_id)
        organization_id = uuid.UUID(message.organization_id)
        order_id = uuid.UUID(message.order_id) if message.order_id else None
    except ValueError as exc:
        raise BadEvent(f"EntitlementGranted {message.entitlement_id!r}: {exc}") from exc
    added = await record_entitlement(
        session,
        entitlement_id=entitlement_id,
        organization_id=organization_id,
        scope=PROGRAMMING_SCOPE,
        valid_from=valid_from,
        valid_until=valid_until,
        order_id=order_id,
    )
    log.info(
        "programming entitlement projected" if added else "entitlement already known",
        entitlement_id=message.entitlement_id,
        organization_id=message.organization_id,
        event_id=str(event.event_id),
    )


ENTITLEMENTS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[BILLING_TOPIC],
    subscriptions=dict([subscribe(billing_pb2.EntitlementGranted, handle_entitlement_granted)]),
)
