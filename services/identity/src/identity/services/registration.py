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
from identity.db.mail import OutgoingMailRepository
from identity.db.models import Organization, User
from identity.domain.mail import registration_attempt_mail
from identity.domain.passwords import hash_password
from identity.events.publishing import record_registration
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


async def register_organization(
    session: AsyncSession, registration: Registration, *, settings: Settings, now: datetime
) -> RegistrationResult:
    """Create the organisation and its owner, queue the verification mail, record the events.

    All in the caller's transaction. When the address already has an account, nothing is
    created: the owner gets a mail saying someone tried, and the result looks like a new
    registration (fresh ids that exist nowhere), so that the answer does not tell whether an
    address is registered.
    """
    users = UserRepository(session)
    # argon2 costs ~50 ms of CPU: run it off the event loop so other requests keep flowing. It
    # runs for a taken address too, so that both answers take the same time.
    password_hash = await asyncio.to_thread(hash_password, registration.password)
    existing = await users.get_by_email(registration.email)
    if existing is not None:
        return _tell_owner(session, existing, settings=settings)
    organization = Organization(
        id=uuid.uuid4(),
        name=registration.company_name,
        country=registration.country,
        vat_id=registration.vat_id,
        created_at=now,
    )
    owner = User(
        id=uuid.uuid4(),
        organization_id=organization.id,
        email=registration.email,
        name=registration.owner_name,
        role=OWNER_ROLE,
        password_hash=password_hash,
        created_at=now,
    )
    try:
        # A savepoint: if a concurrent registration of the same address won, this one is
        # undone alone and the transaction goes on to mail the (new) owner.
        async with session.begin_nested():
            OrganizationRepository(session).add(organization)
            users.add(owner)
            await users.flush()
    except IntegrityError:
        winner = await users.get_by_email(registration.email)
        if winner is None:
            raise
        return _tell_owner(session, winner, settings=settings)
    await record_registration(session, organization, owner, registered_at=now)
    queue_verification_mail(session, owner, settings=settings, now=now)
    return RegistrationResult(organization_id=organization.id, user_id=owner.id, email=owner.email)


def _tell_owner(session: AsyncSession, owner: User, *, settings: Settings) -> RegistrationResult:
    mail = registration_attempt_mail(name=owner.name, portal_url=settings.portal_url)
    OutgoingMailRepository(session).enqueue(
        recipient=owner.email, subject=mail.subject, body=mail.body
    )
    return RegistrationResult(organization_id=uuid.uuid4(), user_id=uuid.uuid4(), email=owner.email)
