"""SQL of entitlements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Entitlement

__all__ = ["EntitlementRepository"]


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_chain(self, organization_id: uuid.UUID, scope: str) -> None:
        """Serialise grants for one organisation and scope until the transaction ends, so two
        payments at once chain one after the other instead of both starting at the same end."""
        key = f"billing.entitlements:{organization_id}:{scope}"
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
        )

    async def latest_valid_until(self, organization_id: uuid.UUID, scope: str) -> datetime | None:
        return await self.session.scalar(
            select(func.max(Entitlement.valid_until)).where(
                Entitlement.organization_id == organization_id, Entitlement.scope == scope
            )
        )

    async def add(self, entitlement: Entitlement) -> Entitlement:
        self.session.add(entitlement)
        await self.session.flush()
        return entitlement

    async def get_by_order(self, order_id: uuid.UUID) -> Entitlement | None:
        return await self.session.scalar(
            select(Entitlement).where(Entitlement.order_id == order_id)
        )

    async def list_for_organization(
        self, organization_id: uuid.UUID, *, now: datetime, active: bool | None, limit: int
    ) -> Sequence[Entitlement]:
        """Latest first; ``active`` keeps only windows that do (True) or do not (False) cover
        ``now``."""
        statement = select(Entitlement).where(Entitlement.organization_id == organization_id)
        if active is True:
            statement = statement.where(
                Entitlement.valid_from <= now, Entitlement.valid_until > now
            )
        elif active is False:
            statement = statement.where(
                or_(Entitlement.valid_from > now, Entitlement.valid_until <= now)
            )
        result = await self.session.scalars(
            statement.order_by(Entitlement.valid_from.desc(), Entitlement.id).limit(limit)
        )
        return result.all()

    async def list_not_ended(
        self, organization_id: uuid.UUID, *, now: datetime
    ) -> Sequence[Entitlement]:
        """Running and queued windows of every scope."""
        result = await self.session.scalars(
            select(Entitlement)
            .where(Entitlement.organization_id == organization_id, Entitlement.valid_until > now)
            .order_by(Entitlement.valid_from)
        )
        return result.all()
