"""AIR pass checks and the entitlement projection fed by billing's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.entitlements import EntitlementRepository
from air.domain.access import AIR_PASS_PRODUCTS, AIR_SCOPE, Entitlement, decide_access
from air.errors import AirPassRequiredError


async def require_air_pass(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> None:
    """Return when the organisation holds an AIR pass valid at ``now``.

    Raises AirPassRequiredError naming the passes to buy (and when the last one expired).
    """
    summary = await EntitlementRepository(session).pass_summary(
        organization_id, scope=AIR_SCOPE, now=now
    )
    decision = decide_access(summary)
    if decision.allowed:
        return
    extra: dict[str, Any] = {"buy": list(AIR_PASS_PRODUCTS)}
    if decision.expired_at is not None:
        extra["expired_at"] = decision.expired_at.astimezone(UTC).isoformat()
    if decision.starts_at is not None:
        extra["starts_at"] = decision.starts_at.astimezone(UTC).isoformat()
    raise AirPassRequiredError(decision.detail, **extra)


async def record_entitlement(session: AsyncSession, entitlement: Entitlement) -> bool:
    """Add a granted window to the projection; False when it was already there."""
    return await EntitlementRepository(session).record(entitlement, recorded_at=datetime.now(UTC))


__all__ = ["record_entitlement", "require_air_pass"]
