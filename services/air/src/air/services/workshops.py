"""AIR's copy of each workshop's company name and city, kept from identity's events.

A change carries the time identity made it; a change older than what the row holds is ignored,
so a redelivered or late event never overwrites newer data. Only the company is kept: the
service book shows who wrote an entry as a company, never as a person.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.workshops import WorkshopRepository


async def record_registration(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    name: str,
    country: str,
    registered_at: datetime,
) -> bool:
    """A new organisation: its name and country (the city comes with the company data).
    False when the row holds newer data."""
    return await WorkshopRepository(session).upsert_if_newer(
        organization_id,
        changed_at=registered_at,
        values={"name": name, "country": country.upper()},
    )


async def record_company_data(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    legal_name: str,
    city: str,
    country: str,
    updated_at: datetime,
) -> bool:
    """The company data: the legal name becomes the name shown. False when stale."""
    return await WorkshopRepository(session).upsert_if_newer(
        organization_id,
        changed_at=updated_at,
        values={"name": legal_name, "city": city or None, "country": country.upper()},
    )


async def record_closure(
    session: AsyncSession, organization_id: uuid.UUID, *, closed_at: datetime
) -> None:
    """A closed workshop writes no more entries; the ones it wrote keep its name."""
    await WorkshopRepository(session).close(organization_id, closed_at=closed_at)


__all__ = ["record_closure", "record_company_data", "record_registration"]
