"""The demo workshop for trying the system (``python -m identity seed``, ``make run``)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import OrganizationRepository, UserRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.models import Organization, User
from identity.domain.passwords import hash_password, verify_password
from identity.domain.totp import new_totp_secret
from identity.events.publishing import (
    record_member_joined,
    record_organization_updated,
    record_registration,
)
from identity.services.registration import OWNER_ROLE
from identity.services.totp_secrets import TotpSecrets
from servicekit.db import Database
from servicekit.roles import Role

__all__ = [
    "DEMO_COUNTRY",
    "DEMO_EMAIL",
    "DEMO_MEMBERS",
    "DEMO_ORGANIZATION_NAME",
    "DEMO_VAT_ID",
    "DemoAccount",
    "DemoMember",
    "seed_demo",
]

DEMO_ORGANIZATION_NAME = "Demo Werkstatt GmbH"
DEMO_COUNTRY = "DE"
DEMO_VAT_ID = "DE123456704"
DEMO_EMAIL = "demo@aos.example"
DEMO_OWNER_NAME = "Demo Owner"
# The demo workshop's company address, so that it can check out and write service book entries
# (both need the company data) without filling in the company page first.
DEMO_STREET = "Werkstattstraße 1"
DEMO_POSTCODE = "80807"
DEMO_CITY = "München"


@dataclass(frozen=True)
class DemoMember:
    """A demo member besides the owner: who they are and what they may do."""

    email: str
    name: str
    role: Role


# The demo workshop's staff, so that each role can be tried (`make run` prints their logins).
DEMO_MEMBERS: tuple[DemoMember, ...] = (
    DemoMember("technician@aos.example", "Demo Technician", Role.TECHNICIAN),
    DemoMember("accountant@aos.example", "Demo Accountant", Role.ACCOUNTANT),
)


@dataclass(frozen=True)
class DemoAccount:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    # None when the account already existed and its password was left as it was.
    password: str | None = field(repr=False)
    totp_secret: str = field(repr=False)
    created: bool = False
    role: str = OWNER_ROLE
    # The owner's account lists the other demo members (technician, accountant).
    members: tuple[DemoAccount, ...] = ()


def _new_demo_password() -> str:
    # Four groups of random URL-safe text: 24+ characters, easy to copy from the terminal.
    return "-".join(secrets.token_urlsafe(5) for _ in range(4))


@dataclass(frozen=True)
class _Wanted:
    """What the seed enforces on an account: the configured password and TOTP secret (None:
    keep what is stored, or generate on creation) and whether to set a new password."""

    password: str | None = field(repr=False)
    totp_secret: str | None = field(repr=False)
    reset_password: bool


async def _new_user(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    wanted: _Wanted,
    secrets: TotpSecrets,
    now: datetime,
) -> DemoAccount:
    password = wanted.password or _new_demo_password()
    totp_secret = wanted.totp_secret or new_totp_secret()
    users = UserRepository(session)
    user = users.add(
        User(
            id=uuid.uuid4(),
            organization_id=organization_id,
            email=email,
            name=name,
            role=role,
            password_hash=await asyncio.to_thread(hash_password, password),
            email_verified_at=now,
            totp_enabled_at=now,
            created_at=now,
        )
    )
    secrets.set_active(user, totp_secret)
    await users.flush()
    return DemoAccount(
        organization_id=organization_id,
        user_id=user.id,
        email=email,
        password=password,
        totp_secret=totp_secret,
        created=True,
        role=role,
    )


async def _refresh_user(
    session: AsyncSession, user: User, *, wanted: _Wanted, secrets: TotpSecrets, now: datetime
) -> DemoAccount:
    """Make an existing demo account usable again: verified, TOTP on, not locked, active."""
    password_out: str | None = None
    if wanted.reset_password:
        password_out = wanted.password or _new_demo_password()
    elif wanted.password is not None and (
        user.password_hash is None
        or not await asyncio.to_thread(verify_password, user.password_hash, wanted.password)
    ):
        password_out = wanted.password
    if password_out is not None:
        user.password_hash = await asyncio.to_thread(hash_password, password_out)
    elif wanted.password is not None:
        password_out = wanted.password
    stored_secret = secrets.active(user)
    if wanted.totp_secret is not None and stored_secret != wanted.totp_secret:
        secrets.set_active(user, wanted.totp_secret)
        stored_secret = wanted.totp_secret
        user.totp_last_step = None
    user.email_verified_at = user.email_verified_at or now
    user.totp_enabled_at = user.totp_enabled_at or now
    await LoginThrottleRepository(session).clear_user(user.id)
    if stored_secret is None:
        stored_secret = wanted.totp_secret or new_totp_secret()
        secrets.set_active(user, stored_secret)
    return DemoAccount(
        organization_id=user.organization_id,
        user_id=user.id,
        email=user.email,
        password=password_out,
        totp_secret=stored_secret,
        created=False,
        role=user.role,
    )


async def _seed_member(
    session: AsyncSession,
    member: DemoMember,
    *,
    organization_id: uuid.UUID,
    wanted: _Wanted,
    secrets: TotpSecrets,
    now: datetime,
) -> DemoAccount:
    user = await UserRepository(session).get_by_email(member.email, for_update=True)
    if user is not None:
        return await _refresh_user(session, user, wanted=wanted, secrets=secrets, now=now)
    account = await _new_user(
        session,
        organization_id=organization_id,
        email=member.email,
        name=member.name,
        role=member.role.value,
        wanted=wanted,
        secrets=secrets,
        now=now,
    )
    created = await UserRepository(session).get(account.user_id)
    assert created is not None
    await record_member_joined(session, created, invitation_id=None, joined_at=now)
    return account


async def _complete_company_address(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> None:
    """Give the demo workshop its company address once (also to one seeded before it had one);
    an address an owner entered is left as it is."""
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None or organization.city:
        return
    organization.street = DEMO_STREET
    organization.postcode = DEMO_POSTCODE
    organization.city = DEMO_CITY
    await record_organization_updated(session, organization, updated_at=now)


async def seed_demo(
    database: Database, settings: Settings, *, secrets: TotpSecrets, reset_password: bool = False
) -> DemoAccount:
    """Create the demo workshop, its owner, a technician and an accountant if missing (e-mail
    verified, TOTP on); the owner's account lists the others in ``members``.

    Idempotent. The password comes from ``settings.demo_password`` (for all three) and the
    owner's TOTP secret from ``settings.demo_totp_secret`` when set (and are then enforced on
    existing accounts), otherwise they are generated on the first seed. A generated password is
    only known at that moment; ``reset_password`` generates new ones for existing accounts.
    """
    now = datetime.now(UTC)
    configured_password = (
        settings.demo_password.get_secret_value() if settings.demo_password else None
    )
    configured_secret = (
        settings.demo_totp_secret.get_secret_value() if settings.demo_totp_secret else None
    )
    owner_wanted = _Wanted(configured_password, configured_secret, reset_password)
    member_wanted = _Wanted(configured_password, None, reset_password)
    async with database.transaction() as session:
        user = await UserRepository(session).get_by_email(DEMO_EMAIL, for_update=True)
        if user is None:
            organization = OrganizationRepository(session).add(
                Organization(
                    id=uuid.uuid4(),
                    name=DEMO_ORGANIZATION_NAME,
                    country=DEMO_COUNTRY,
                    vat_id=DEMO_VAT_ID,
                    created_at=now,
                )
            )
            owner = await _new_user(
                session,
                organization_id=organization.id,
                email=DEMO_EMAIL,
                name=DEMO_OWNER_NAME,
                role=OWNER_ROLE,
                wanted=owner_wanted,
                secrets=secrets,
                now=now,
            )
            owner_row = await UserRepository(session).get(owner.user_id)
            assert owner_row is not None
            await record_registration(session, organization, owner_row, registered_at=now)
        else:
            owner = await _refresh_user(
                session, user, wanted=owner_wanted, secrets=secrets, now=now
            )
        await _complete_company_address(session, owner.organization_id, now=now)
        members = [
            await _seed_member(
                session,
                member,
                organization_id=owner.organization_id,
                wanted=member_wanted,
                secrets=secrets,
                now=now,
            )
            for member in DEMO_MEMBERS
        ]
        return replace(owner, members=tuple(members))
