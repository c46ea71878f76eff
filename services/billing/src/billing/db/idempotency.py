"""SQL of idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import IdempotencyRecord

__all__ = ["IdempotencyRepository"]


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self,
        organization_id: uuid.UUID,
        key: str,
        *,
        user_id: uuid.UUID,
        fingerprint: str,
    ) -> bool:
        """Insert the key; False when it exists already.

        When another transaction holds the same key uncommitted, PostgreSQL makes this insert
        wait for it to end: then the key is either there (committed) or free (rolled back), so
        two concurrent requests can never both proceed.
        """
        inserted = await self.session.scalar(
            insert(IdempotencyRecord)
            .values(
                organization_id=organization_id,
                key=key,
                user_id=user_id,
                request_fingerprint=fingerprint,
            )
            .on_conflict_do_nothing(index_elements=["organization_id", "key"])
            .returning(IdempotencyRecord.id)
        )
        return inserted is not None

    async def get(self, organization_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
        return await self.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.organization_id == organization_id,
                IdempotencyRecord.key == key,
            )
        )

    async def store_response(
        self, organization_id: uuid.UUID, key: str, *, status: int, body: Any
    ) -> None:
        await self.session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.organization_id == organization_id,
                IdempotencyRecord.key == key,
            )
            .values(response_status=status, response_body=body)
        )

    async def delete_older_than(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to ``limit`` keys created before ``cutoff``; how many were deleted.

        Rows another transaction holds are skipped (SKIP LOCKED), so a sweep never waits for,
        nor blocks, a request.
        """
        old = (
            select(IdempotencyRecord.id)
            .where(IdempotencyRecord.created_at < cutoff)
            .order_by(IdempotencyRecord.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        deleted = await self.session.scalars(
            delete(IdempotencyRecord)
            .where(IdempotencyRecord.id.in_(old.scalar_subquery()))
            .returning(IdempotencyRecord.id)
        )
        return len(deleted.all())
