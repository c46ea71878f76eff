"""AIR pass checks and the entitlement projection fed by billing's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.entitlements import EntitlementRepository
from air.domain.access import AIR_SCOPE, Grant, decide_access, products_to_buy
from air.errors import AirPassRequiredError
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow


async def require_air_pass(
    session: AsyncSession, organization_id: uuid.UUID, *, vin: str | None, now: datetime
) -> Grant:
    """The organisation's AIR window that covers a request for ``vin`` (None: a search without
    a vehicle) at ``now``.

    Raises AirPassRequiredError naming the passes to buy (with AIR_VIN_24H when a VIN was named)
    and when the last one expired.
    """
    repository = EntitlementRepository(session)
    grant = await repository.active_grant(organization_id, scope=AIR_SCOPE, vin=vin, now=now)
    if grant is not None:
        return grant
    summary = await repository.pass_summary(organization_id, scope=AIR_SCOPE, vin=vin, now=now)
    decision = decide_access(summary, vin=vin)
    extra: dict[str, Any] = {"buy": products_to_buy(vin)}
    if decision.expired_at is not None:
        extra["expired_at"] = decision.expired_at.astimezone(UTC).isoformat()
    if decision.starts_at is not None:
        extra["starts_at"] = decision.starts_at.astimezone(UTC).isoformat()
    raise AirPassRequiredError(decision.detail, **extra)


async def active_time_pass(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> Grant | None:
    """The organisation's AIR time pass (one covering every vehicle) valid at ``now``."""
    return await EntitlementRepository(session).active_grant(
        organization_id, scope=AIR_SCOPE, vin=None, now=now
    )


async def record_entitlement(session: AsyncSession, window: EntitlementWindow) -> bool:
    """Add a granted window to the projection; False when it was already there."""
    return await EntitlementRepository(session).record(window, recorded_at=datetime.now(UTC))


async def revoke_entitlement(session: AsyncSession, revocation: EntitlementRevocation) -> bool:
    """Mark a window revoked from ``revoked_at`` on (its row stays, as the audit trail);
    False when the window is not in the projection."""
    return await EntitlementRepository(session).revoke(revocation)


__all__ = [
    "active_time_pass",
    "record_entitlement",
    "require_air_pass",
    "revoke_entitlement",
]
