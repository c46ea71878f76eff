"""Repository of the customers projection (identity's company data)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Customer

__all__ = ["CustomerRepository"]


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_if_newer(
        self,
        organization_id: uuid.UUID,
        *,
        changed_at: datetime,
        create: dict[str, Any],
        change: dict[str, Any],
    ) -> bool:
        """Insert the organisation with ``create`` (plus ``change``), or apply ``change`` to its
        row unless the row holds data newer than ``changed_at``. True when a row was written.

        One statement: two deliveries racing each other cannot both win on stale data.
        """
        values = {
            "organization_id": organization_id,
            **create,
            **change,
            "source_updated_at": changed_at,
        }
        statement = (
            insert(Customer)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[Customer.organization_id],
                set_={**change, "source_updated_at": changed_at, "updated_at": func.now()},
                where=Customer.source_updated_at <= changed_at,
            )
            .returning(Customer.organization_id)
        )
        written = (await self.session.execute(statement)).scalar_one_or_none()
        return written is not None

    async def set_owner_email(self, organization_id: uuid.UUID, email: str) -> bool:
        """False when billing has no row for the organisation (yet)."""
        statement = (
            update(Customer)
            .where(Customer.organization_id == organization_id)
            .values(owner_email=email)
            .returning(Customer.organization_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def forget_addresses(self, organization_id: uuid.UUID) -> bool:
        """Clear the e-mail addresses of a closed organisation; the company data printed on
        its invoices stays (invoices are kept as the law requires)."""
        statement = (
            update(Customer)
            .where(Customer.organization_id == organization_id)
            .values(owner_email="", invoice_email="")
            .returning(Customer.organization_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None
