"""SQL for the local projection of PROGRAMMING entitlements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Entitlement
from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

__all__ = ["EFFECTIVE_UNTIL", "EntitlementRepository"]

# Where a window stops giving paid time: its end, or its revocation when that comes first.
EFFECTIVE_UNTIL: ColumnElement[Any] = func.least(
    Entitlement.valid_until, func.coalesce(Entitlement.revoked_at, Entitlement.valid_until)
)


def _covers(vin: str | None) -> ColumnElement[bool]:
    """Windows that pay for a session on ``vin``: time passes, and that vehicle's passes."""
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
                _covers(vin),
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
            _covers(vin),
        )
        value: datetime | None = (await self.session.execute(statement)).scalar_one()
        return value
