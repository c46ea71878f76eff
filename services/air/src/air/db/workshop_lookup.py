"""The workshop (company name and city) of an organisation, as projected from identity."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from air.db.models import Workshop


async def find_workshop(session: AsyncSession, organization_id: uuid.UUID) -> Workshop | None:
    """The organisation's workshop row; None while identity's events have not arrived."""
    return await session.get(Workshop, organization_id)


__all__ = ["find_workshop"]
