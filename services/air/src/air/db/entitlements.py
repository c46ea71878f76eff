"""SQL for the local entitlement projection."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import Entitlement
from air.domain.access import Grant, PassSummary
from servicekit.entitlement_projection import (
    covers_vin,
    effective_until,
    record_window,
    revoke_window,
)
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

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

    async def active_grant(
        self, organization_id: uuid.UUID, *, scope: str, vin: str | None, now: datetime
    ) -> Grant | None:
        """The window that covers a request for ``vin`` at ``now``: that vehicle's own pass
        first (its usage counts against it), else the time pass that lasts longest."""
        statement = (
            select(Entitlement.entitlement_id, EFFECTIVE_UNTIL, Entitlement.vin)
            .where(
                Entitlement.organization_id == organization_id,
                Entitlement.scope == scope,
                Entitlement.valid_from <= now,
                now < EFFECTIVE_UNTIL,
                covers_vin(Entitlement, vin),
            )
            .order_by(Entitlement.vin.is_(None), EFFECTIVE_UNTIL.desc())
            .limit(1)
        )
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        return Grant(entitlement_id=row[0], valid_until=row[1], vin=row[2])

    async def pass_summary(
        self, organization_id: uuid.UUID, *, scope: str, vin: str | None, now: datetime
    ) -> PassSummary:
        """The organisation's windows of ``scope`` covering ``vin``, relative to ``now``, and
        the vehicles of other per-VIN passes active now, in one query. Windows revoked before
        they began count as never granted."""
        covering = and_(covers_vin(Entitlement, vin), Entitlement.valid_from < EFFECTIVE_UNTIL)
        active = and_(Entitlement.valid_from <= now, now < EFFECTIVE_UNTIL)
        other_vin = and_(
            active,
            Entitlement.vin.is_not(None),
            Entitlement.vin.is_distinct_from(vin),
        )
        statement = select(
            func.max(EFFECTIVE_UNTIL).filter(covering, active),
            func.max(EFFECTIVE_UNTIL).filter(covering, now >= EFFECTIVE_UNTIL),
            func.min(Entitlement.valid_from).filter(covering, Entitlement.valid_from > now),
            func.array_agg(func.distinct(Entitlement.vin)).filter(other_vin),
        ).where(Entitlement.organization_id == organization_id, Entitlement.scope == scope)
        active_until, last_expired_at, next_starts_at, other_vins = (
            await self.session.execute(statement)
        ).one()
        return PassSummary(
            active_until=active_until,
            last_expired_at=last_expired_at,
            next_starts_at=next_starts_at,
            other_vins=tuple(sorted(other_vins or ())),
        )


__all__ = ["EFFECTIVE_UNTIL", "EntitlementRepository"]
