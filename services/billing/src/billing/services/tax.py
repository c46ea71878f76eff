"""Which VAT a sale to an organisation carries, from billing's copy of its company data.

The rules themselves are in :mod:`billing.domain.tax`; this module finds the customer's country
and whether its VAT id counts as valid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import vatin
from stdnum.exceptions import ValidationError

from billing.db.models import Customer
from billing.domain.tax import SupplyKind, TaxDecision, decide_tax, vat_id_country
from billing.errors import CompanyDataMissingError

__all__ = ["CustomerTax", "VatIdStatus", "customer_tax", "tax_decision"]


class VatIdStatus(StrEnum):
    VALID = "valid"  # well-formed and (where VIES is configured) confirmed
    INVALID = "invalid"  # malformed, or VIES says it does not exist
    UNCHECKED = "unchecked"  # well-formed, but VIES could not be asked: treated as no id
    NONE = "none"  # the organisation has given no VAT id


@dataclass(frozen=True)
class CustomerTax:
    """What the VAT of a sale to one organisation depends on."""

    customer: Customer
    vat_id_status: VatIdStatus

    @property
    def valid_vat_id_country(self) -> str | None:
        if self.vat_id_status is not VatIdStatus.VALID:
            return None
        return vat_id_country(self.customer.vat_id)


def _checksum_status(vat_id: str) -> VatIdStatus:
    if not vat_id:
        return VatIdStatus.NONE
    if vat_id_country(vat_id) is None:
        return VatIdStatus.INVALID
    try:
        vatin.validate(vat_id)
    except ValidationError:
        return VatIdStatus.INVALID
    return VatIdStatus.VALID


async def customer_tax(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> CustomerTax:
    """The organisation's tax profile as of ``now``.

    Raises CompanyDataMissingError when identity's company data has not reached billing yet.
    """
    del now  # the VIES check (with its dated record) comes with the invoices work
    customer = await session.get(Customer, organization_id)
    if customer is None:
        raise CompanyDataMissingError(
            "Billing has not received your company data yet, so it cannot tell which VAT "
            "applies. This takes a few seconds after registration; try again in a minute."
        )
    return CustomerTax(customer=customer, vat_id_status=_checksum_status(customer.vat_id))


def tax_decision(profile: CustomerTax, *, seller_country: str, supply: SupplyKind) -> TaxDecision:
    return decide_tax(
        seller_country=seller_country,
        customer_country=profile.customer.country,
        valid_vat_id_country=profile.valid_vat_id_country,
        supply=supply,
    )
