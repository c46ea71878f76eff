"""PROGRAMMING passes: the projection of billing's grants and the checks that use it.

A time pass pays for sessions on every vehicle; a per-VIN pass (PROGRAMMING_VIN_24H) for
sessions on its vehicle only. A revoked window pays for nothing from its revocation on; the
runner's flash-safe rule (a started job always runs to its result) applies as at expiry.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.entitlements import EntitlementRepository
from programming.domain.timeguard import Window, paid_until
from programming.errors import ProgrammingPassRequiredError
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

__all__ = [
    "BUY_ENDPOINT",
    "PROGRAMMING_PASS_PRODUCTS",
    "PROGRAMMING_SCOPE",
    "PROGRAMMING_VIN_PASS_PRODUCT",
    "paid_windows",
    "record_entitlement",
    "require_programming_pass",
    "revoke_entitlement",
]

PROGRAMMING_SCOPE = "PROGRAMMING"
# Billing's product codes of programming passes (1 hour, 1 day, 1 week, 1 month, 1 year).
PROGRAMMING_PASS_PRODUCTS = (
    "PROGRAMMING_1H",
    "PROGRAMMING_1D",
    "PROGRAMMING_1W",
    "PROGRAMMING_1M",
    "PROGRAMMING_1Y",
)
# 24 hours for one vehicle.
PROGRAMMING_VIN_PASS_PRODUCT = "PROGRAMMING_VIN_24H"
BUY_ENDPOINT = "POST /api/billing/checkout"


async def record_entitlement(session: AsyncSession, window: EntitlementWindow) -> bool:
    """Add a granted window to the projection; False when it was already there."""
    return await EntitlementRepository(session).record(window, recorded_at=datetime.now(UTC))


async def revoke_entitlement(session: AsyncSession, revocation: EntitlementRevocation) -> bool:
    """Mark a window revoked from ``revoked_at`` on (its row stays, as the audit trail);
    False when the window is not in the projection."""
    return await EntitlementRepository(session).revoke(revocation)


async def paid_windows(
    session: AsyncSession, organization_id: uuid.UUID, *, vin: str, now: datetime
) -> list[Window]:
    """The windows that pay for a session on ``vin``, each ending at its revocation if any."""
    rows = await EntitlementRepository(session).windows(
        organization_id, scope=PROGRAMMING_SCOPE, vin=vin, now=now
    )
    return [Window(valid_from, valid_until) for valid_from, valid_until in rows]


async def require_programming_pass(
    session: AsyncSession, organization_id: uuid.UUID, *, vin: str, now: datetime
) -> datetime:
    """The end of the organisation's paid programming time for ``vin`` that contains ``now``.

    Raises ProgrammingPassRequiredError naming the passes to buy (the vehicle's own among them).
    """
    end = paid_until(await paid_windows(session, organization_id, vin=vin, now=now), now=now)
    if end is not None:
        return end
    buy = (
        f"Buy one of the passes {', '.join(PROGRAMMING_PASS_PRODUCTS)}, or "
        f"{PROGRAMMING_VIN_PASS_PRODUCT} for VIN {vin} alone, with {BUY_ENDPOINT}, then retry."
    )
    expired = await EntitlementRepository(session).last_expired(
        organization_id, scope=PROGRAMMING_SCOPE, vin=vin, now=now
    )
    if expired is not None:
        stamp = expired.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        detail = f"Your organisation's programming pass expired at {stamp}. {buy}"
    else:
        detail = f"Your organisation has no active programming pass for VIN {vin}. {buy}"
    raise ProgrammingPassRequiredError(
        detail, buy=[*PROGRAMMING_PASS_PRODUCTS, PROGRAMMING_VIN_PASS_PRODUCT]
    )
