"""The consumer of billing's entitlement events, in one shape for every service that keeps a
projection of them (air, programming).

Each service says which scope it keeps and how it records and revokes a window; the parsing
(servicekit.entitlements), the filtering by scope, the logging and the subscriptions are here.
Redeliveries are dropped by the servicekit inbox (same event id); a replay under a new event id
is dropped by the projection itself (same entitlement id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import billing_pb2
from servicekit.app import ConsumerSpec
from servicekit.consumer import IncomingEvent, subscribe
from servicekit.entitlements import (
    EntitlementRevocation,
    EntitlementWindow,
    parse_granted,
    parse_revoked,
)
from servicekit.logging import get_logger

__all__ = ["BILLING_TOPIC", "EntitlementConsumer", "entitlement_consumer"]

BILLING_TOPIC = "billing.v1"

log = get_logger(__name__)

RecordWindow = Callable[[AsyncSession, EntitlementWindow], Awaitable[bool]]
RevokeWindow = Callable[[AsyncSession, EntitlementRevocation], Awaitable[bool]]
GrantedHandler = Callable[
    [AsyncSession, IncomingEvent[billing_pb2.EntitlementGranted]], Awaitable[None]
]
RevokedHandler = Callable[
    [AsyncSession, IncomingEvent[billing_pb2.EntitlementRevoked]], Awaitable[None]
]


@dataclass(frozen=True)
class EntitlementConsumer:
    spec: ConsumerSpec
    # The two handlers, for tests that apply an event without Kafka.
    granted: GrantedHandler
    revoked: RevokedHandler


def entitlement_consumer(
    *, name: str, scope: str, record: RecordWindow, revoke: RevokeWindow
) -> EntitlementConsumer:
    """The consumer ``name`` keeping the windows of ``scope`` ('AIR', 'PROGRAMMING'); windows
    of other scopes are not stored. Its handlers raise BadEvent for an event that breaks the
    contract (the consumer dead-letters it at once, as retrying cannot mend it)."""

    async def granted(
        session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementGranted]
    ) -> None:
        window = parse_granted(event.message)
        if window.scope != scope:
            return
        added = await record(session, window)
        log.info(
            "entitlement projected" if added else "entitlement already known",
            consumer=name,
            entitlement_id=str(window.entitlement_id),
            organization_id=str(window.organization_id),
            per_vin=window.vin is not None,
            event_id=str(event.event_id),
        )

    async def revoked(
        session: AsyncSession, event: IncomingEvent[billing_pb2.EntitlementRevoked]
    ) -> None:
        # Billing keys its events by organisation, so a grant arrives before its revocation;
        # one that names no stored window (or another organisation's) changes nothing.
        revocation = parse_revoked(event.message)
        if revocation.scope != scope:
            return
        found = await revoke(session, revocation)
        log.info(
            "entitlement revoked" if found else "revocation of an unknown entitlement ignored",
            consumer=name,
            entitlement_id=str(revocation.entitlement_id),
            organization_id=str(revocation.organization_id),
            reason=revocation.reason,
            event_id=str(event.event_id),
        )

    spec = ConsumerSpec(
        name=name,
        topics=[BILLING_TOPIC],
        subscriptions=dict(
            [
                subscribe(billing_pb2.EntitlementGranted, granted),
                subscribe(billing_pb2.EntitlementRevoked, revoked),
            ]
        ),
    )
    return EntitlementConsumer(spec=spec, granted=granted, revoked=revoked)
