"""The signed-in member's organisation: its company profile, and closing it.

Closing erases the personal data of every member (names, e-mails, password and TOTP) and of
pending invitations, deactivates everyone and ends their logins. The company data (legal name,
address, VAT id, invoice e-mail) stays: invoices already issued name the company, and billing
keeps them as the law requires.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.members import InvitationRepository, MemberRepository
from identity.db.models import Organization
from identity.domain.organizations import FieldRuleError, check_vat_id_for_country
from identity.domain.passwords import verify_password
from identity.domain.totp import TotpOutcome, check_totp
from identity.events.publishing import (
    record_member_deactivated,
    record_organization_closed,
    record_organization_updated,
)
from identity.member_errors import CloseConfirmationError, ProfileInvalidError
from identity.services.members import erase_member, load_actor
from identity.services.totp_secrets import TotpSecrets
from servicekit.auth import Principal
from servicekit.roles import ALL_ROLES, Role

__all__ = [
    "PROFILE_FIELDS",
    "CloseConfirmation",
    "close_organization",
    "read_company_profile",
    "update_company_profile",
]

# The editable fields of the profile and the column each is stored in.
PROFILE_FIELDS: Mapping[str, str] = {
    "legal_name": "name",
    "street": "street",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
    "vat_id": "vat_id",
    "invoice_email": "invoice_email",
}


@dataclass(frozen=True)
class CloseConfirmation:
    # repr=False: unexpected-error tracebacks may render local variables.
    password: str = field(repr=False)
    totp_code: str = field(repr=False)


async def read_company_profile(session: AsyncSession, principal: Principal) -> Organization:
    """The caller's organisation; every active member may read it."""
    every_role = frozenset(role.value for role in ALL_ROLES)
    actor = await load_actor(session, principal, roles=every_role, lock=False)
    return actor.organization


async def update_company_profile(
    session: AsyncSession,
    principal: Principal,
    changes: Mapping[str, Any],
    *,
    now: datetime,
) -> Organization:
    """Apply ``changes`` (profile field → already validated value; absent fields stay) and
    record OrganizationUpdated when anything changed.

    The VAT id is checked against the country the profile will have, so a change of only one
    of them is checked against the stored other. Raises ProfileInvalidError (422).
    """
    actor = await load_actor(session, principal)
    organization = actor.organization
    country = changes.get("country", organization.country)
    vat_id = changes.get("vat_id", organization.vat_id)
    try:
        check_vat_id_for_country(vat_id, country=country)
    except FieldRuleError as error:
        failing = "vat_id" if "vat_id" in changes else "country"
        raise ProfileInvalidError(
            f"Fix these fields and retry: {failing}: {error}",
            errors=[
                {
                    "field": failing,
                    "code": error.code,
                    "message": str(error),
                    "params": dict(error.params),
                }
            ],
        ) from None
    changed = False
    for name, value in changes.items():
        column = PROFILE_FIELDS[name]
        if getattr(organization, column) != value:
            setattr(organization, column, value)
            changed = True
    if changed:
        await record_organization_updated(session, organization, updated_at=now)
    return organization


async def close_organization(
    session: AsyncSession,
    principal: Principal,
    confirmation: CloseConfirmation,
    *,
    secrets: TotpSecrets,
    now: datetime,
) -> Organization:
    """Close the caller's organisation (owner only), confirmed with password and a TOTP code.

    Raises CloseConfirmationError when either is wrong, and what load_actor raises.
    """
    actor = await load_actor(session, principal, roles=frozenset({Role.OWNER.value}))
    owner = actor.user
    password_ok = owner.password_hash is not None and await asyncio.to_thread(
        verify_password, owner.password_hash, confirmation.password
    )
    secret = secrets.active(owner)
    check = (
        None
        if secret is None
        else check_totp(
            secret,
            confirmation.totp_code,
            unix_time=now.timestamp(),
            last_used_step=owner.totp_last_step,
        )
    )
    if not password_ok or check is None or check.outcome is not TotpOutcome.ACCEPTED:
        raise CloseConfirmationError(
            "The password or the authenticator code is wrong (a code is accepted once; wait "
            "for the next one); the organisation was not closed."
        )
    owner.totp_last_step = check.step
    organization = actor.organization
    members = await MemberRepository(session).list(organization.id)
    for member in members:
        await erase_member(session, member, now=now)
        # Also for members deactivated before: their personal data is erased only now.
        await record_member_deactivated(
            session,
            member,
            deactivated_by=None,
            removed=True,
            deactivated_at=now,
        )
    invitations = InvitationRepository(session)
    await invitations.revoke_open(organization.id, now=now)
    await invitations.erase_emails(organization.id)
    organization.closed_at = now
    await record_organization_closed(session, organization, closed_by=owner.id, closed_at=now)
    return organization
