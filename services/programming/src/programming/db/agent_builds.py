"""SQL for the VCI agent's single-file builds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import LargeBinary, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import AgentBuild

__all__ = ["AgentBuildRepository"]


class AgentBuildRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_missing(self, build: AgentBuild) -> bool:
        """Insert ``build`` unless its version and platform exist; True when inserted. A build
        once published never changes: agents may have verified and installed it."""
        statement = (
            insert(AgentBuild)
            .values(
                id=build.id,
                version=build.version,
                platform=build.platform,
                file_name=build.file_name,
                content=build.content,
                size=build.size,
                sha256=build.sha256,
                signature=build.signature,
                created_at=build.created_at,
            )
            .on_conflict_do_nothing(index_elements=[AgentBuild.version, AgentBuild.platform])
            .returning(AgentBuild.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def all(self) -> Sequence[AgentBuild]:
        """Every build, without the file's bytes: newest first, then by platform."""
        statement = select(AgentBuild).order_by(AgentBuild.created_at.desc(), AgentBuild.platform)
        return (await self.session.execute(statement)).scalars().all()

    async def find(self, build_id: uuid.UUID) -> AgentBuild | None:
        """The build without the file's bytes."""
        return await self.session.get(AgentBuild, build_id)

    async def read_slice(self, build_id: uuid.UUID, *, offset: int, length: int) -> bytes | None:
        """``length`` bytes of the build's file from ``offset`` (0-based; fewer at its end),
        read by PostgreSQL so that only they leave the database; None when the build is gone."""
        piece = func.substring(AgentBuild.content, offset + 1, length, type_=LargeBinary)
        statement = select(piece).where(AgentBuild.id == build_id)
        return (await self.session.execute(statement)).scalar_one_or_none()
