"""The signed-in member's organisation: company profile, and closing it (owner)."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api.deps import TotpSecretsDep
from identity.api.member_deps import AnyMember, ClockDep, Managers, Owners
from identity.api.member_schemas import (
    CompanyProfileRead,
    CompanyProfileUpdate,
    OrganizationCloseCreate,
    OrganizationClosedRead,
)
from identity.db.models import Organization
from identity.errors import AccountNotFoundError
from identity.member_errors import (
    AccountDeactivatedError,
    CloseConfirmationError,
    OrganizationClosedError,
    ProfileInvalidError,
)
from identity.services.organization import (
    CloseConfirmation,
    close_organization,
    read_company_profile,
    update_company_profile,
)
from servicekit.auth import InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import RoleForbiddenError

router = APIRouter(prefix="/organizations/current", tags=["organization"])

_CALLER_ERRORS = (
    UnauthorizedError,
    InvalidTokenError,
    RoleForbiddenError,
    AccountDeactivatedError,
    AccountNotFoundError,
    OrganizationClosedError,
)


def _read(organization: Organization) -> CompanyProfileRead:
    return CompanyProfileRead(
        id=organization.id,
        legal_name=organization.name,
        street=organization.street,
        postcode=organization.postcode,
        city=organization.city,
        country=organization.country,
        vat_id=organization.vat_id,
        invoice_email=organization.invoice_email,
    )


@router.get(
    "",
    summary="Your organisation's company profile",
    responses=problem_responses(*_CALLER_ERRORS),
)
async def read_profile(principal: AnyMember, session: SessionDep) -> CompanyProfileRead:
    return _read(await read_company_profile(session, principal))


@router.patch(
    "",
    summary="Change the company profile (fields left out stay)",
    description="Validated as at registration; the VAT id must belong to the country.",
    responses=problem_responses(*_CALLER_ERRORS, ProfileInvalidError),
)
async def update_profile(
    body: CompanyProfileUpdate,
    principal: Managers,
    session: SessionDep,
    clock: ClockDep,
) -> CompanyProfileRead:
    organization = await update_company_profile(
        session, principal, body.model_dump(exclude_unset=True), now=clock()
    )
    return _read(organization)


@router.post(
    "/close",
    summary="Close the organisation: every member's personal data is erased",
    description=(
        "Owner only, confirmed with the password and a current authenticator code. Every "
        "member is deactivated and their logins end; names, e-mails, passwords and TOTP are "
        "erased. The company data stays for the invoices billing must keep."
    ),
    responses=problem_responses(*_CALLER_ERRORS, CloseConfirmationError),
)
async def close(
    body: OrganizationCloseCreate,
    principal: Owners,
    session: SessionDep,
    secrets: TotpSecretsDep,
    clock: ClockDep,
) -> OrganizationClosedRead:
    organization = await close_organization(
        session,
        principal,
        CloseConfirmation(password=body.password.get_secret_value(), totp_code=body.totp_code),
        secrets=secrets,
        now=clock(),
    )
    assert organization.closed_at is not None
    return OrganizationClosedRead(id=organization.id, closed_at=organization.closed_at)
