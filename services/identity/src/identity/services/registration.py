"""Registering a workshop organisation together with its owner account."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import OrganizationRepository, UserRepository
from identity.db.models import Organization, User
from identity.domain.passwords import hash_password
from identity.errors import EmailTakenError
from identity.events.publishing import publish_registration
from identity.services.email_verification import queue_verification_mail

__all__ = ["OWNER_ROLE", "Registration", "RegistrationResult", "register_organization"]

OWNER_ROLE = "owner"


@dataclass(frozen=True)
class Registration:
    """A validated registration: every field already normalised by the API schema."""

    company_name: str
    country: str
    vat_id: str
    owner_name: str
    email: str
    # Kept out of repr: unexpected-error tracebacks may render local variables.
    password: str = field(repr=False)


@dataclass(frozen=True)
class RegistrationResult:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    email: str


def _taken(email: str) -> EmailTakenError:
    return EmailTakenError(
        f"An account with the e-mail address {email} already exists; log in, or reset the "
        "password of that account.",
    )


async def register_organization(
    session: AsyncSession, registration: Registration, *, settings: Settings, now: datetime
) -> RegistrationResult:
    """Create the organisation and its owner, queue the verification mail, record the events.

    All in the caller's transaction. Raises EmailTakenError when the address has an account.
    """
    users = UserRepository(session)
    if await users.email_exists(registration.email):
        raise _taken(registration.email)
    # argon2 costs ~50 ms of CPU: run it off the event loop so other requests keep flowing.
    password_hash = await asyncio.to_thread(hash_password, registration.password)
    organization = OrganizationRepository(session).add(
        Organization(
            id=uuid.uuid4(),
            name=registration.company_name,
            country=registration.country,
            vat_id=registration.vat_id,
            created_at=now,
        )
    )
    owner = users.add(
        User(
            id=uuid.uuid4(),
            organization_id=organization.id,
            email=registration.email,
            name=registration.owner_name,
            role=OWNER_ROLE,
            password_hash=password_hash,
            created_at=now,
        )
    )
    try:
        await users.flush()
    except IntegrityError as exc:  # a concurrent registration of the same address won
        raise _taken(registration.email) from exc
    await publish_registration(session, organization, owner, settings=settings, registered_at=now)
    queue_verification_mail(session, owner, settings=settings, now=now)
    return RegistrationResult(organization_id=organization.id, user_id=owner.id, email=owner.email)
