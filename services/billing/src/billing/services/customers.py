"""Billing's copy of each organisation's company data, kept from identity's events.

A change carries the time identity made it; a change older than what the row holds is ignored,
so a redelivered or late event never overwrites newer data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.customers import CustomerRepository

__all__ = [
    "CompanyData",
    "forget_addresses",
    "record_company_data",
    "record_owner_email",
    "record_registration",
]


@dataclass(frozen=True)
class CompanyData:
    """The whole company profile, as OrganizationUpdated sends it."""

    legal_name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str
    invoice_email: str


async def record_registration(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    name: str,
    country: str,
    vat_id: str,
    registered_at: datetime,
) -> bool:
    """A new organisation: name, country and VAT id (the address comes with the profile)."""
    return await CustomerRepository(session).upsert_if_newer(
        organization_id,
        changed_at=registered_at,
        create={},
        change={"legal_name": name, "country": country.upper(), "vat_id": vat_id},
    )


async def record_company_data(
    session: AsyncSession, organization_id: uuid.UUID, data: CompanyData, *, updated_at: datetime
) -> bool:
    return await CustomerRepository(session).upsert_if_newer(
        organization_id,
        changed_at=updated_at,
        create={},
        change={
            "legal_name": data.legal_name,
            "street": data.street,
            "postcode": data.postcode,
            "city": data.city,
            "country": data.country.upper(),
            "vat_id": data.vat_id,
            "invoice_email": data.invoice_email,
        },
    )


async def record_owner_email(session: AsyncSession, organization_id: uuid.UUID, email: str) -> bool:
    return await CustomerRepository(session).set_owner_email(organization_id, email)


async def forget_addresses(session: AsyncSession, organization_id: uuid.UUID) -> bool:
    return await CustomerRepository(session).forget_addresses(organization_id)
