"""SQL for the local projection of PROGRAMMING entitlements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import Entitlement

__all__ = ["EntitlementRepository"]


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        entitlement_id: uuid.UUID,
        organization_id: uuid.UUID,
        scope: str,
        valid_from: datetime,
        valid_until: datetime,
        order_id: uuid.UUID | None,
        recorded_at: datetime,
    ) -> bool:
        """Store a granted window; False when its entitlement id is already known."""
        statement = (
            insert(Entitlement)
            .values(
                entitlement_id=entitlement_id,
                organization_id=organization_id,
                scope=scope,
                valid_from=valid_from,
                valid_until=valid_until,
                order_id=order_id,
                recorded_at=recorded_at,
            )
            .on_conflict_do_nothing(index_elements=[Entitlement.entitlement_id])
            .returning(Entitlement.entitlement_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def windows(
        self, organization_id: uuid.UUID, *, scope: str, now: datetime
    ) -> Sequence[tuple[datetime, datetime]]:
        """(valid_from, valid_until) of every window of ``scope`` not yet over at ``now``."""
        statement = (
            select(Entitlement.valid_from, Entitlement.valid_until)
            .where(
                Entitlement.organization_id == organization_id,
                Entitlement.scope == scope,
                Entitlement.valid_until > now,
            )
            .order_by(Entitlement.valid_from)
        )
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    async def last_expired(
        self, organization_id: uuid.UUID, *, scope: str, now: datetime
    ) -> datetime | None:
        statement = select(Entitlement.valid_until).where(
            Entitlement.organization_id == organization_id,
            Entitlement.scope == scope,
            Entitlement.valid_until <= now,
        )
        values = (await self.session.execute(statement)).scalars().all()
        return max(values, default=None)
