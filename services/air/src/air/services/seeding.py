"""Loading the content pack into the database: idempotent, by id and content hash."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.documents import DocumentRepository, UpsertCounts
from air.domain.content import ContentPack


async def seed_content(session: AsyncSession, pack: ContentPack) -> UpsertCounts:
    """Upsert every language version of every document of ``pack`` (one row per id and
    language); unchanged versions are left untouched.

    Documents that are in the database but not in the pack stay: content published by other
    means must survive a re-seed.
    """
    return await DocumentRepository(session).upsert(pack.documents, now=datetime.now(UTC))


__all__ = ["seed_content"]
