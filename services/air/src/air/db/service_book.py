"""SQL of the service book: entries per VIN, with the writing workshop's name and city."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import ServiceEntry, Workshop
from air.domain.service_book import EntryStatus, RecordedMileage


@dataclass(frozen=True)
class EntryRow:
    """An entry as shown: with the company that wrote it (never a person) and the entries
    that correct it."""

    entry: ServiceEntry
    workshop_name: str | None
    workshop_city: str | None
    corrected_by: tuple[uuid.UUID, ...]


class ServiceEntryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: ServiceEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def get(self, entry_id: uuid.UUID, *, for_update: bool = False) -> ServiceEntry | None:
        statement = select(ServiceEntry).where(ServiceEntry.id == entry_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_of_organization(
        self, entry_id: uuid.UUID, organization_id: uuid.UUID, *, for_update: bool = False
    ) -> ServiceEntry | None:
        """The entry when ``organization_id`` wrote it, else None (another workshop's entry
        is not found, so its existence does not leak)."""
        entry = await self.get(entry_id, for_update=for_update)
        return entry if entry is not None and entry.organization_id == organization_id else None

    async def _corrections(
        self, entry_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        if not entry_ids:
            return {}
        statement = (
            select(ServiceEntry.corrects, ServiceEntry.id)
            .where(ServiceEntry.corrects.in_(entry_ids))
            .order_by(ServiceEntry.created_at, ServiceEntry.id)
        )
        found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for corrects, entry_id in await self.session.execute(statement):
            if corrects is not None:
                found[corrects].append(entry_id)
        return found

    async def rows(self, entries: Sequence[ServiceEntry]) -> list[EntryRow]:
        """``entries`` with their workshops and corrections, in the given order."""
        organizations = {entry.organization_id for entry in entries}
        workshops = {
            workshop.organization_id: workshop
            for workshop in (
                await self.session.scalars(
                    select(Workshop).where(Workshop.organization_id.in_(organizations))
                )
            )
        }
        corrections = await self._corrections([entry.id for entry in entries])
        rows = []
        for entry in entries:
            workshop = workshops.get(entry.organization_id)
            rows.append(
                EntryRow(
                    entry=entry,
                    workshop_name=workshop.name if workshop else None,
                    workshop_city=workshop.city if workshop else None,
                    corrected_by=tuple(corrections.get(entry.id, ())),
                )
            )
        return rows

    async def for_vin(self, vin: str) -> list[ServiceEntry]:
        """Every entry of the vehicle (voided ones too), newest first."""
        statement = (
            select(ServiceEntry)
            .where(ServiceEntry.vin == vin)
            .order_by(
                ServiceEntry.performed_on.desc(),
                ServiceEntry.mileage_km.desc(),
                ServiceEntry.created_at.desc(),
            )
        )
        return list(await self.session.scalars(statement))

    async def mileages(
        self, vin: str, *, excluding: uuid.UUID | None = None
    ) -> list[RecordedMileage]:
        """Dates and readings of the vehicle's active entries (but ``excluding``)."""
        statement = select(
            ServiceEntry.id, ServiceEntry.performed_on, ServiceEntry.mileage_km
        ).where(ServiceEntry.vin == vin, ServiceEntry.status == EntryStatus.ACTIVE.value)
        if excluding is not None:
            statement = statement.where(ServiceEntry.id != excluding)
        return [
            RecordedMileage(entry_id=row[0], performed_on=row[1], mileage_km=row[2])
            for row in await self.session.execute(statement)
        ]

    async def has_entries_of(self, vin: str, organization_id: uuid.UUID) -> bool:
        statement = select(ServiceEntry.id).where(
            ServiceEntry.vin == vin, ServiceEntry.organization_id == organization_id
        )
        return (await self.session.execute(statement.limit(1))).first() is not None


__all__ = ["EntryRow", "ServiceEntryRepository"]
