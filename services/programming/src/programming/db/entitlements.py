"""SQL for the local projection of PROGRAMMING entitlements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Entitlement
from servicekit.entitlement_projection import (
    covers_vin,
    effective_until,
    record_window,
    revoke_window,
)
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

__all__ = ["EFFECTIVE_UNTIL", "EntitlementRepository"]

EFFECTIVE_UNTIL = effective_until(Entitlement)


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, window: EntitlementWindow, *, recorded_at: datetime) -> bool:
        """Store a granted window; False when its entitlement id is already known."""
        return await record_window(self.session, Entitlement, window, recorded_at=recorded_at)

    async def revoke(self, revocation: EntitlementRevocation) -> bool:
        """Mark a window revoked (the first moment wins); False when it is not stored."""
        return await revoke_window(self.session, Entitlement, revocation)

    async def windows(
        self, organization_id: uuid.UUID, *, scope: str, vin: str | None, now: datetime
    ) -> Sequence[tuple[datetime, datetime]]:
        """(valid_from, effective end) of every window of ``scope`` covering ``vin`` and not yet
        over (nor revoked) at ``now``."""
        statement = (
            select(Entitlement.valid_from, EFFECTIVE_UNTIL)
            .where(
                Entitlement.organization_id == organization_id,
                Entitlement.scope == scope,
                now < EFFECTIVE_UNTIL,
                Entitlement.valid_from < EFFECTIVE_UNTIL,
                covers_vin(Entitlement, vin),
            )
            .order_by(Entitlement.valid_from)
        )
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    async def last_expired(
        self, organization_id: uuid.UUID, *, scope: str, vin: str | None, now: datetime
    ) -> datetime | None:
        """When the last window covering ``vin`` ended (windows revoked before they began
        count as never granted)."""
        statement = select(func.max(EFFECTIVE_UNTIL)).where(
            Entitlement.organization_id == organization_id,
            Entitlement.scope == scope,
            now >= EFFECTIVE_UNTIL,
            Entitlement.valid_from < EFFECTIVE_UNTIL,
            covers_vin(Entitlement, vin),
        )
        value: datetime | None = (await self.session.execute(statement)).scalar_one()
        return value
