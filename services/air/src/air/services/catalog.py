"""Browse before buying: what the portal has for a vehicle, by title, without a pass.

A workshop sees the decoded vehicle and the titles, types and systems of the documents that
apply, with counts, and none of their content (no summary, body, snippet or diagram): enough
to judge whether a pass is worth buying. A catalog view records no usage event: it uses no
pass, and the usage events are the report of what passes were used for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from air.content.extras import load_taxonomy
from air.db.documents import DocumentRepository, SearchFilters, SearchRow
from air.domain.content import Language
from air.domain.navigation import SystemFacet, system_facets
from air.domain.vehicle import Vehicle
from air.services.coverage import covered_facts, not_covered_note
from air.services.vehicles import decode_vehicle


@dataclass(frozen=True)
class CatalogEntry:
    """A document as the catalog shows it: what it is called and where it belongs."""

    id: str
    type: str
    title: str
    system: str
    component: str
    language: str

    @classmethod
    def of(cls, row: SearchRow) -> CatalogEntry:
        return cls(
            id=row.id,
            type=row.type,
            title=row.title,
            system=row.system,
            component=row.component,
            language=row.language,
        )


# Titles per page: a maker's catalogue holds thousands of documents per vehicle; the counts per
# system and type cover all of them, the titles come a page at a time.
CATALOG_PAGE = 500


@dataclass(frozen=True)
class Catalog:
    """One page of the titles (``total`` of them in all) and the counts over all of them."""

    vehicle: Vehicle
    language: Language
    total: int
    limit: int
    offset: int
    entries: list[CatalogEntry]
    systems: list[SystemFacet]
    types: list[tuple[str, int]]
    hints: list[str]


async def vehicle_catalog(
    session: AsyncSession,
    vin: str,
    *,
    language: Language,
    today: date,
    limit: int = CATALOG_PAGE,
    offset: int = 0,
) -> Catalog:
    """The titles of every document that applies to ``vin``, in ``language`` where translated,
    ordered by system, component, type and title. A vehicle the portal does not cover has an
    empty catalog and a hint saying so. Raises InvalidVinError."""
    vehicle = decode_vehicle(vin, today=today)
    note = not_covered_note(vehicle)
    if note is not None:
        return Catalog(
            vehicle=vehicle,
            language=language,
            total=0,
            limit=limit,
            offset=offset,
            entries=[],
            systems=[],
            types=[],
            hints=[note],
        )
    page = await DocumentRepository(session).search(
        query=None,
        language=language,
        vehicle=covered_facts(vehicle),
        filters=SearchFilters(),
        limit=limit,
        offset=offset,
        snippets=False,
    )
    return Catalog(
        vehicle=vehicle,
        language=language,
        total=page.total,
        limit=limit,
        offset=offset,
        entries=[CatalogEntry.of(row) for row in page.rows],
        systems=system_facets(page.system_counts, load_taxonomy(), language),
        types=page.type_counts,
        hints=[],
    )


__all__ = ["CATALOG_PAGE", "Catalog", "CatalogEntry", "vehicle_catalog"]
