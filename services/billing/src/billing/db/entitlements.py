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

    async def lock_chain(self, organization_id: uuid.UUID, scope: str, vin: str | None) -> None:
        """Serialise grants for one chain (organisation, scope and VIN; no VIN for time
        passes) until the transaction ends, so two payments at once chain one after the other
        instead of both starting at the same end."""
        key = f"billing.entitlements:{organization_id}:{scope}:{vin or ''}"
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
        )

    async def latest_valid_until(
        self, organization_id: uuid.UUID, scope: str, vin: str | None
    ) -> datetime | None:
        """The end of the chain's latest live window; refunded windows do not count."""
        return await self.session.scalar(
            select(func.max(Entitlement.valid_until)).where(
                Entitlement.organization_id == organization_id,
                Entitlement.scope == scope,
                Entitlement.vin.is_(None) if vin is None else Entitlement.vin == vin,
                Entitlement.revoked_at.is_(None),
            )
        )

    async def get_for_organization(
        self, entitlement_id: uuid.UUID, organization_id: uuid.UUID, *, for_update: bool = False
    ) -> Entitlement | None:
        statement = select(Entitlement).where(
            Entitlement.id == entitlement_id, Entitlement.organization_id == organization_id
        )
        if for_update:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def by_order_lines(self, line_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Entitlement]:
        if not line_ids:
            return {}
        result = await self.session.scalars(
            select(Entitlement).where(Entitlement.order_line_id.in_(line_ids))
        )
        return {e.order_line_id: e for e in result.all()}

    async def add(self, entitlement: Entitlement) -> Entitlement:
        self.session.add(entitlement)
        await self.session.flush()
        return entitlement

    async def list_by_order(self, order_id: uuid.UUID) -> Sequence[Entitlement]:
        result = await self.session.scalars(
            select(Entitlement).where(Entitlement.order_id == order_id)
        )
        return result.all()

    async def list_for_organization(
        self, organization_id: uuid.UUID, *, now: datetime, active: bool | None, limit: int
    ) -> Sequence[Entitlement]:
        """Latest first; ``active`` keeps only windows that do (True) or do not (False) cover
        ``now``."""
        statement = select(Entitlement).where(Entitlement.organization_id == organization_id)
        if active is True:
            statement = statement.where(
                Entitlement.valid_from <= now,
                Entitlement.valid_until > now,
                Entitlement.revoked_at.is_(None),
            )
        elif active is False:
            statement = statement.where(
                or_(
                    Entitlement.valid_from > now,
                    Entitlement.valid_until <= now,
                    Entitlement.revoked_at.is_not(None),
                )
            )
        result = await self.session.scalars(
            statement.order_by(Entitlement.valid_from.desc(), Entitlement.id).limit(limit)
        )
        return result.all()

    async def list_not_ended(
        self, organization_id: uuid.UUID, *, now: datetime
    ) -> Sequence[Entitlement]:
        """Running and queued live windows of every scope, time and per-VIN passes."""
        result = await self.session.scalars(
            select(Entitlement)
            .where(
                Entitlement.organization_id == organization_id,
                Entitlement.valid_until > now,
                Entitlement.revoked_at.is_(None),
            )
            .order_by(Entitlement.valid_from)
        )
        return result.all()
