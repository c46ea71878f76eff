"""Which VAT a sale to an organisation carries, from billing's copy of its company data.

The rules themselves are in :mod:`billing.domain.tax`; this module finds the customer's country
and whether its VAT id counts as valid, and keeps every check with its date (``vat_id_checks``)
as an auditor asks for it.

Policy for the VAT id:

* the checksum (python-stdnum) comes first: a malformed id is ``invalid`` without asking VIES;
* without a VIES registry (``BILLING_VIES_URL`` empty) a well-formed id is ``valid``;
* with one, a VIES ``valid`` answer of the last :data:`REUSE_VALID_WITHIN` is reused (an
  ``invalid`` one for :data:`REUSE_INVALID_WITHIN`, an ``unavailable`` one for
  :data:`RETRY_VIES_AFTER`), else VIES is asked and its answer (name, address, request id)
  recorded;
* when VIES cannot answer, a VIES ``valid`` answer of the last :data:`FALLBACK_WITHIN` still
  counts; without one the id is ``unchecked``: treated as no id, so VAT is charged, and the
  profile's ``note`` says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import vatin
from stdnum.exceptions import ValidationError

from billing.db.models import Customer, VatIdCheck
from billing.db.vat_id_checks import VatIdCheckRepository
from billing.domain.tax import SupplyKind, TaxDecision, decide_tax, vat_id_country
from billing.errors import CompanyDataMissingError
from billing.providers.vies import RegistryResult, VatIdRegistry

__all__ = [
    "FALLBACK_WITHIN",
    "RETRY_VIES_AFTER",
    "REUSE_INVALID_WITHIN",
    "REUSE_VALID_WITHIN",
    "CustomerTax",
    "VatIdStatus",
    "customer_tax",
    "tax_decision",
]

# A VIES confirmation younger than this is reused instead of asking again.
REUSE_VALID_WITHIN = timedelta(hours=24)
# When VIES is down, a confirmation younger than this still counts.
FALLBACK_WITHIN = timedelta(days=30)
# VIES's "no such id" is reused this long; after "cannot answer" it is asked again after
# RETRY_VIES_AFTER (until then the fallback policy decides without waiting for VIES).
REUSE_INVALID_WITHIN = timedelta(hours=1)
RETRY_VIES_AFTER = timedelta(minutes=5)


class VatIdStatus(StrEnum):
    VALID = "valid"  # well-formed and (where VIES is configured) confirmed
    INVALID = "invalid"  # malformed, or VIES says it does not exist
    UNCHECKED = "unchecked"  # well-formed, but VIES could not be asked: treated as no id
    NONE = "none"  # the organisation has given no VAT id


class CheckSource(StrEnum):
    CHECKSUM = "checksum"
    VIES = "vies"


@dataclass(frozen=True)
class CustomerTax:
    """What the VAT of a sale to one organisation depends on."""

    customer: Customer
    vat_id_status: VatIdStatus
    # Why the status is what it is when that is not self-evident (VIES down, VIES said no).
    note: str | None = None
    # The dated check (vat_id_checks.id) the status rests on; None without a VAT id.
    check_id: int | None = None

    @property
    def valid_vat_id_country(self) -> str | None:
        if self.vat_id_status is not VatIdStatus.VALID:
            return None
        return vat_id_country(self.customer.vat_id)


def _well_formed(vat_id: str) -> bool:
    if vat_id_country(vat_id) is None:
        return False
    try:
        vatin.validate(vat_id)
    except ValidationError:
        return False
    return True


async def _checksum_check(
    checks: VatIdCheckRepository, vat_id: str, *, valid: bool, now: datetime
) -> VatIdCheck:
    """The checksum result, recorded once a day per id rather than on every quote."""
    result = RegistryResult.VALID if valid else RegistryResult.INVALID
    recent = await checks.latest(
        vat_id,
        since=now - REUSE_VALID_WITHIN,
        source=CheckSource.CHECKSUM,
        results=(result.value,),
    )
    if recent is not None:
        return recent
    check = checks.add(
        VatIdCheck(
            vat_id=vat_id,
            country=vat_id[:2],
            checked_at=now,
            source=CheckSource.CHECKSUM.value,
            result=result.value,
        )
    )
    await checks.session.flush()
    return check


async def _recent_refusal(
    checks: VatIdCheckRepository, vat_id: str, *, now: datetime
) -> VatIdCheck | None:
    """A VIES ``invalid`` answer of the last hour or an ``unavailable`` one of the last minutes:
    asking again so soon would give the same answer, and every quote of the cart would wait
    for VIES (up to its timeout) in vain."""
    latest = await checks.latest(
        vat_id,
        since=now - REUSE_INVALID_WITHIN,
        source=CheckSource.VIES,
        results=(RegistryResult.INVALID.value, RegistryResult.UNAVAILABLE.value),
    )
    if latest is None:
        return None
    if latest.result == RegistryResult.UNAVAILABLE and latest.checked_at < now - RETRY_VIES_AFTER:
        return None
    return latest


async def _ask_vies(
    checks: VatIdCheckRepository, registry: VatIdRegistry, vat_id: str, *, now: datetime
) -> VatIdCheck:
    answer = await registry.check(country_prefix=vat_id[:2], number=vat_id[2:])
    check = checks.add(
        VatIdCheck(
            vat_id=vat_id,
            country=vat_id[:2],
            checked_at=now,
            source=CheckSource.VIES.value,
            result=answer.result.value,
            name=answer.name,
            address=answer.address,
            request_id=answer.request_id,
            error=answer.error,
        )
    )
    await checks.session.flush()
    return check


async def _vies_status(
    checks: VatIdCheckRepository, registry: VatIdRegistry, vat_id: str, *, now: datetime
) -> tuple[VatIdStatus, str | None, int]:
    recent = await checks.latest(
        vat_id,
        since=now - REUSE_VALID_WITHIN,
        source=CheckSource.VIES,
        results=(RegistryResult.VALID.value,),
    )
    if recent is not None:
        return VatIdStatus.VALID, None, recent.id
    check = await _recent_refusal(checks, vat_id, now=now) or await _ask_vies(
        checks, registry, vat_id, now=now
    )
    result = RegistryResult(check.result)
    if result is RegistryResult.VALID:
        return VatIdStatus.VALID, None, check.id
    if result is RegistryResult.INVALID:
        note = (
            f"VIES does not know the VAT id {vat_id}: it is not used, so VAT is charged. "
            "Check the VAT id in your company profile."
        )
        return VatIdStatus.INVALID, note, check.id
    earlier = await checks.latest(
        vat_id,
        since=now - FALLBACK_WITHIN,
        source=CheckSource.VIES,
        results=(RegistryResult.VALID.value,),
    )
    if earlier is not None:
        note = (
            f"VIES could not be reached; the VAT id {vat_id} counts as valid on the strength of "
            f"VIES's confirmation of {earlier.checked_at.date().isoformat()}."
        )
        return VatIdStatus.VALID, note, earlier.id
    note = (
        f"VIES could not be reached to confirm the VAT id {vat_id}, so it is treated as absent "
        "and VAT is charged. Try again later for a reverse-charge invoice."
    )
    return VatIdStatus.UNCHECKED, note, check.id


async def customer_tax(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    now: datetime,
    registry: VatIdRegistry | None = None,
) -> CustomerTax:
    """The organisation's tax profile as of ``now``; ``registry`` is VIES when configured
    (None: the checksum decides). Every check is recorded in the caller's transaction.

    Raises CompanyDataMissingError when identity's company data has not reached billing yet.
    """
    customer = await session.get(Customer, organization_id)
    if customer is None:
        raise CompanyDataMissingError(
            "Billing has not received your company data yet, so it cannot tell which VAT "
            "applies. This takes a few seconds after registration; try again in a minute."
        )
    vat_id = customer.vat_id
    if not vat_id:
        return CustomerTax(customer=customer, vat_id_status=VatIdStatus.NONE)
    checks = VatIdCheckRepository(session)
    if not _well_formed(vat_id):
        check = await _checksum_check(checks, vat_id, valid=False, now=now)
        malformed = f"The VAT id {vat_id} is malformed: it is not used, so VAT is charged."
        return CustomerTax(customer, VatIdStatus.INVALID, note=malformed, check_id=check.id)
    if registry is None:
        check = await _checksum_check(checks, vat_id, valid=True, now=now)
        return CustomerTax(customer, VatIdStatus.VALID, check_id=check.id)
    status, note, check_id = await _vies_status(checks, registry, vat_id, now=now)
    return CustomerTax(customer, status, note=note, check_id=check_id)


def tax_decision(profile: CustomerTax, *, seller_country: str, supply: SupplyKind) -> TaxDecision:
    return decide_tax(
        seller_country=seller_country,
        customer_country=profile.customer.country,
        valid_vat_id_country=profile.valid_vat_id_country,
        supply=supply,
    )
