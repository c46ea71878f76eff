"""Consumer of billing's events: the local projection of AIR entitlements.

Grants and revocations are read with servicekit's shared parser (the same shape as in
programming). Redeliveries are dropped by the servicekit inbox (same event id); a replay under a
new event id is dropped by the projection itself (same entitlement id). Windows of other scopes
are not stored: this service only ever asks about AIR time.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from air.domain.access import AIR_SCOPE
from air.services.access import record_entitlement, revoke_entitlement
from aos.events.v1 import billing_pb2
from servicekit.app import ConsumerSpec
from servicekit.consumer import IncomingEvent, subscribe
from servicekit.entitlements import parse_granted, parse_revoked
from servicekit.logging import get_logger

__all__ = [
    "CONSUMER_NAME",
    "ENTITLEMENTS_CONSUMER",
    "handle_entitlement_granted",
    "handle_entitlement_revoked",
]

log = get_logger(__name__)

CONSUMER_NAME = "air.entitlements"
BILLING_TOPIC = "billing.v1"


async def handle_entitlement_granted(
    session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementGranted]
) -> None:
    """Store an AIR window. Raises BadEvent for an event that breaks the contract."""
    window = parse_granted(event.message)
    if window.scope != AIR_SCOPE:
        return
    added = await record_entitlement(session, window)
    log.info(
        "entitlement projected" if added else "entitlement already known",
        entitlement_id=str(window.entitlement_id),
        organization_id=str(window.organization_id),
        per_vin=window.vin is not None,
        event_id=str(event.event_id),
    )


async def handle_entitlement_revoked(
    session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementRevoked]
) -> None:
    """Mark an AIR window revoked. Raises BadEvent for an event that breaks the contract.

    Billing keys its events by organisation, so a grant arrives before its revocation; one that
    names no stored window (or another organisation's) changes nothing and is logged.
    """
    revocation = parse_revoked(event.message)
    if revocation.scope != AIR_SCOPE:
        return
    found = await revoke_entitlement(session, revocation)
    log.info(
        "entitlement revoked" if found else "revocation of an unknown entitlement ignored",
        entitlement_id=str(revocation.entitlement_id),
        organization_id=str(revocation.organization_id),
        reason=revocation.reason,
        event_id=str(event.event_id),
    )


ENTITLEMENTS_CONSUMER = ConsumerSpec(
    name=CONSUMER_NAME,
    topics=[BILLING_TOPIC],
    subscriptions=dict(
        [
            subscribe(billing_pb2.EntitlementGranted, handle_entitlement_granted),
            subscribe(billing_pb2.EntitlementRevoked, handle_entitlement_revoked),
        ]
    ),
)
