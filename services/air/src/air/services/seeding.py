"""Loading the content pack into the database: idempotent, by id and content hash."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.documents import DocumentRepository, UpsertCounts
from air.domain.content import ContentPack
from air.services.suggestions import rebuild_vocabulary


async def seed_content(session: AsyncSession, pack: ContentPack) -> UpsertCounts:
    """Upsert every language version of every document of ``pack`` (one row per id and
    language); unchanged versions are left untouched.

    Documents that are in the database but not in the pack stay: content published by other
    means must survive a re-seed. The search vocabulary is rebuilt from what is then stored.
    """
    counts = await DocumentRepository(session).upsert(pack.documents, now=datetime.now(UTC))
    await rebuild_vocabulary(session)
    return counts


__all__ = ["seed_content"]
