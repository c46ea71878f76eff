"""SQL for the local entitlement projection."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import Entitlement
from air.domain.access import Entitlement as GrantedEntitlement
from air.domain.access import PassSummary


class EntitlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, entitlement: GrantedEntitlement, *, recorded_at: datetime) -> bool:
        """Store a granted window; False when its entitlement id is already known."""
        statement = (
            insert(Entitlement)
            .values(
                entitlement_id=entitlement.entitlement_id,
                organization_id=entitlement.organization_id,
                scope=entitlement.scope,
                valid_from=entitlement.valid_from,
                valid_until=entitlement.valid_until,
                order_id=entitlement.order_id,
                recorded_at=recorded_at,
            )
            .on_conflict_do_nothing(index_elements=[Entitlement.entitlement_id])
            .returning(Entitlement.entitlement_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def pass_summary(
        self, organization_id: uuid.UUID, *, scope: str, now: datetime
    ) -> PassSummary:
        """The organisation's windows of ``scope`` relative to ``now``, in one query."""
        active = and_(Entitlement.valid_from <= now, Entitlement.valid_until > now)
        statement = select(
            func.max(Entitlement.valid_until).filter(active),
            func.max(Entitlement.valid_until).filter(Entitlement.valid_until <= now),
            func.min(Entitlement.valid_from).filter(Entitlement.valid_from > now),
        ).where(Entitlement.organization_id == organization_id, Entitlement.scope == scope)
        active_until, last_expired_at, next_starts_at = (
            await self.session.execute(statement)
        ).one()
        return PassSummary(
            active_until=active_until,
            last_expired_at=last_expired_at,
            next_starts_at=next_starts_at,
        )


__all__ = ["EntitlementRepository"]
