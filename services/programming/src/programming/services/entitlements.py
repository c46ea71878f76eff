"""PROGRAMMING passes: the projection of billing's grants and the checks that use it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.entitlements import EntitlementRepository
from programming.domain.timeguard import Window, paid_until
from programming.errors import ProgrammingPassRequiredError

__all__ = [
    "BUY_ENDPOINT",
    "PROGRAMMING_PASS_PRODUCTS",
    "PROGRAMMING_SCOPE",
    "paid_windows",
    "record_entitlement",
    "require_programming_pass",
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
BUY_ENDPOINT = "POST /api/billing/orders"


async def record_entitlement(
    session: AsyncSession,
    *,
    entitlement_id: uuid.UUID,
    organization_id: uuid.UUID,
    scope: str,
    valid_from: datetime,
    valid_until: datetime,
    order_id: uuid.UUID | None,
) -> bool:
    """Add a granted window to the projection; False when it was already there."""
    return await EntitlementRepository(session).record(
        entitlement_id=entitlement_id,
        organization_id=organization_id,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        order_id=order_id,
        recorded_at=datetime.now(UTC),
    )


async def paid_windows(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> list[Window]:
    rows = await EntitlementRepository(session).windows(
        organization_id, scope=PROGRAMMING_SCOPE, now=now
    )
    return [Window(valid_from, valid_until) for valid_from, valid_until in rows]


async def require_programming_pass(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> datetime:
    """The end of the organisation's paid programming time that contains ``now``.

    Raises ProgrammingPassRequiredError naming the passes to buy.
    """
    end = paid_until(await paid_windows(session, organization_id, now=now), now=now)
    if end is not None:
        return end
    buy = (
        f"Buy one of the passes {', '.join(PROGRAMMING_PASS_PRODUCTS)} with {BUY_ENDPOINT}, "
        "then retry."
    )
    expired = await EntitlementRepository(session).last_expired(
        organization_id, scope=PROGRAMMING_SCOPE, now=now
    )
    if expired is not None:
        stamp = expired.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        detail = f"Your organisation's programming pass expired at {stamp}. {buy}"
    else:
        detail = f"Your organisation has no active programming pass. {buy}"
    raise ProgrammingPassRequiredError(detail, buy=list(PROGRAMMING_PASS_PRODUCTS))
