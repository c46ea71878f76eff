"""The demo workshop for trying the system (``python -m identity seed``, ``make run``)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from identity.config import Settings
from identity.db.accounts import OrganizationRepository, UserRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.models import Organization, User
from identity.domain.passwords import hash_password, verify_password
from identity.domain.totp import new_totp_secret
from identity.events.publishing import publish_registration
from identity.services.registration import OWNER_ROLE
from identity.services.totp_secrets import TotpSecrets
from servicekit.db import Database

__all__ = [
    "DEMO_COUNTRY",
    "DEMO_EMAIL",
    "DEMO_ORGANIZATION_NAME",
    "DEMO_VAT_ID",
    "DemoAccount",
    "seed_demo",
]

DEMO_ORGANIZATION_NAME = "Demo Werkstatt GmbH"
DEMO_COUNTRY = "DE"
DEMO_VAT_ID = "DE123456704"
DEMO_EMAIL = "demo@aos.example"
DEMO_OWNER_NAME = "Demo Owner"


@dataclass(frozen=True)
class DemoAccount:
    organization_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    # None when the account already existed and its password was left as it was.
    password: str | None = field(repr=False)
    totp_secret: str = field(repr=False)
    created: bool = False


def _new_demo_password() -> str:
    # Four groups of random URL-safe text: 24+ characters, easy to copy from the terminal.
    return "-".join(secrets.token_urlsafe(5) for _ in range(4))


async def seed_demo(
    database: Database, settings: Settings, *, secrets: TotpSecrets, reset_password: bool = False
) -> DemoAccount:
    """Create the demo workshop and its owner if missing (e-mail verified, TOTP on).

    Idempotent. The password and TOTP secret come from ``settings.demo_password`` and
    ``settings.demo_totp_secret`` when set (and are then enforced on an existing account),
    otherwise they are generated on the first seed. A generated password is only known at that
    moment; ``reset_password`` generates a new one for an existing account.
    """
    now = datetime.now(UTC)
    configured_password = (
        settings.demo_password.get_secret_value() if settings.demo_password else None
    )
    configured_secret = (
        settings.demo_totp_secret.get_secret_value() if settings.demo_totp_secret else None
    )
    async with database.transaction() as session:
        users = UserRepository(session)
        user = await users.get_by_email(DEMO_EMAIL, for_update=True)
        if user is None:
            password = configured_password or _new_demo_password()
            totp_secret = configured_secret or new_totp_secret()
            organization = OrganizationRepository(session).add(
                Organization(
                    id=uuid.uuid4(),
                    name=DEMO_ORGANIZATION_NAME,
                    country=DEMO_COUNTRY,
                    vat_id=DEMO_VAT_ID,
                    created_at=now,
                )
            )
            user = users.add(
                User(
                    id=uuid.uuid4(),
                    organization_id=organization.id,
                    email=DEMO_EMAIL,
                    name=DEMO_OWNER_NAME,
                    role=OWNER_ROLE,
                    password_hash=await asyncio.to_thread(hash_password, password),
                    email_verified_at=now,
                    totp_enabled_at=now,
                    created_at=now,
                )
            )
            secrets.set_active(user, totp_secret)
            await users.flush()
            await publish_registration(
                session, organization, user, settings=settings, registered_at=now
            )
            return DemoAccount(
                organization_id=organization.id,
                user_id=user.id,
                email=DEMO_EMAIL,
                password=password,
                totp_secret=totp_secret,
                created=True,
            )

        password_out: str | None = None
        if reset_password:
            password_out = configured_password or _new_demo_password()
        elif configured_password is not None and not await asyncio.to_thread(
            verify_password, user.password_hash, configured_password
        ):
            password_out = configured_password
        if password_out is not None:
            user.password_hash = await asyncio.to_thread(hash_password, password_out)
        elif configured_password is not None:
            password_out = configured_password
        stored_secret = secrets.active(user)
        if configured_secret is not None and stored_secret != configured_secret:
            secrets.set_active(user, configured_secret)
            stored_secret = configured_secret
            user.totp_last_step = None
        user.email_verified_at = user.email_verified_at or now
        user.totp_enabled_at = user.totp_enabled_at or now
        await LoginThrottleRepository(session).clear_user(user.id)
        if stored_secret is None:
            stored_secret = configured_secret or new_totp_secret()
            secrets.set_active(user, stored_secret)
        return DemoAccount(
            organization_id=user.organization_id,
            user_id=user.id,
            email=DEMO_EMAIL,
            password=password_out,
            totp_secret=stored_secret,
            created=False,
        )
