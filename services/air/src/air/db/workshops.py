"""SQL of the workshops projection (company name and city from identity.v1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import Workshop

# source_updated_at of a row created by a closure that arrived first: any data is newer.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class WorkshopRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organization_id: uuid.UUID) -> Workshop | None:
        return await self.session.get(Workshop, organization_id)

    async def upsert_if_newer(
        self, organization_id: uuid.UUID, *, changed_at: datetime, values: dict[str, Any]
    ) -> bool:
        """Insert the workshop, or apply ``values`` unless the row holds data newer than
        ``changed_at``; one statement, so racing deliveries cannot both win. True when a row
        was written."""
        statement = (
            insert(Workshop)
            .values(organization_id=organization_id, source_updated_at=changed_at, **values)
            .on_conflict_do_update(
                index_elements=[Workshop.organization_id],
                set_={**values, "source_updated_at": changed_at},
                where=Workshop.source_updated_at <= changed_at,
            )
            .returning(Workshop.organization_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def close(self, organization_id: uuid.UUID, *, closed_at: datetime) -> None:
        """Mark the workshop closed (the first closing moment stays). A closure for a workshop
        not seen yet leaves a nameless row its registration fills in later."""
        await self.session.execute(
            insert(Workshop)
            .values(
                organization_id=organization_id,
                name="",
                closed_at=closed_at,
                source_updated_at=_NEVER,
            )
            .on_conflict_do_update(
                index_elements=[Workshop.organization_id],
                set_={"closed_at": func.coalesce(Workshop.closed_at, closed_at)},
            )
        )


__all__ = ["WorkshopRepository"]
