"""SQL for the local entitlement projection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import Entitlement
from air.domain.access import Grant, PassSummary
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

# Where a window stops giving access: its end, or its revocation when that comes first.
EFFECTIVE_UNTIL: ColumnElement[Any] = func.least(
    Entitlement.valid_until, func.coalesce(Entitlement.revoked_at, Entitlement.valid_until)
)


def _covers(vin: str | None) -> ColumnElement[bool]:
    """Windows that cover a request for ``vin``: time passes, and that vehicle's passes."""
    if vin is None:
        return Entitlement.vin.is_(None)
    return or_(Entitlement.vin.is_(None), Entitlement.vin == vin)


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, window: EntitlementWindow, *, recorded_at: datetime) -> bool:
        """Store a granted window; False when its entitlement id is already known."""
        statement = (
            insert(Entitlement)
            .values(
                entitlement_id=window.entitlement_id,
                organization_id=window.organization_id,
                scope=window.scope,
                valid_from=window.valid_from,
                valid_until=window.valid_until,
                order_id=window.order_id,
                vin=window.vin,
                recorded_at=recorded_at,
            )
            .on_conflict_do_nothing(index_elements=[Entitlement.entitlement_id])
            .returning(Entitlement.entitlement_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def revoke(self, revocation: EntitlementRevocation) -> bool:
        """Mark the organisation's window revoked (the earliest revocation wins, so a replay
        changes nothing); False when no such window is stored."""
        statement = (
            update(Entitlement)
            .where(
                Entitlement.entitlement_id == revocation.entitlement_id,
                Entitlement.organization_id == revocation.organization_id,
            )
            .values(
                revoked_at=func.least(
                    func.coalesce(Entitlement.revoked_at, revocation.revoked_at),
                    revocation.revoked_at,
                ),
                revocation_reason=func.coalesce(Entitlement.revocation_reason, revocation.reason),
            )
            .returning(Entitlement.entitlement_id)
        )
        return (await self.session.execute(statement)).first() is not None

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
                _covers(vin),
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
        covering = and_(_covers(vin), Entitlement.valid_from < EFFECTIVE_UNTIL)
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
