"""SQL for the software catalog: ECU types, releases and targets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.models import EcuType, Release, Target

__all__ = ["CatalogRepository"]


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_ecu_type_if_missing(self, ecu_type: EcuType) -> bool:
        statement = (
            insert(EcuType)
            .values(
                key=ecu_type.key,
                name=ecu_type.name,
                security_algorithm=ecu_type.security_algorithm,
                security_secret_sealed=ecu_type.security_secret_sealed,
                security_level=ecu_type.security_level,
                memory_address=ecu_type.memory_address,
                region_size=ecu_type.region_size,
                can_request_id=ecu_type.can_request_id,
                can_response_id=ecu_type.can_response_id,
            )
            .on_conflict_do_nothing(index_elements=[EcuType.key])
            .returning(EcuType.key)
        )
        return (await self.session.execute(statement)).first() is not None

    async def ecu_type(self, key: str, *, for_update: bool = False) -> EcuType | None:
        return await self.session.get(EcuType, key, with_for_update=for_update)

    async def ecu_types(self, *, for_update: bool = False) -> Sequence[EcuType]:
        statement = select(EcuType).order_by(EcuType.key)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalars().all()

    async def release_exists(self, ecu_type: str, version: str) -> bool:
        statement = select(Release.id).where(
            Release.ecu_type == ecu_type, Release.version == version
        )
        return (await self.session.execute(statement)).first() is not None

    async def add_release(self, release: Release) -> None:
        self.session.add(release)
        await self.session.flush()

    async def set_target_if_missing(self, model_series: str, ecu_type: str, version: str) -> bool:
        statement = (
            insert(Target)
            .values(model_series=model_series, ecu_type=ecu_type, target_version=version)
            .on_conflict_do_nothing(index_elements=[Target.model_series, Target.ecu_type])
            .returning(Target.ecu_type)
        )
        return (await self.session.execute(statement)).first() is not None

    async def releases(self) -> Sequence[Release]:
        statement = select(Release).order_by(Release.ecu_type, Release.created_at, Release.version)
        return (await self.session.execute(statement)).scalars().all()

    async def release(self, release_id: uuid.UUID) -> Release | None:
        return await self.session.get(Release, release_id)

    async def release_image(self, release_id: uuid.UUID) -> tuple[Release, bytes] | None:
        statement = select(Release, Release.image).where(Release.id == release_id)
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1])

    async def target_releases(self, model_series: str) -> Sequence[Release]:
        """The release each ECU type of ``model_series`` should run."""
        statement = (
            select(Release)
            .join(
                Target,
                (Target.ecu_type == Release.ecu_type) & (Target.target_version == Release.version),
            )
            .where(Target.model_series == model_series)
        )
        return (await self.session.execute(statement)).scalars().all()
