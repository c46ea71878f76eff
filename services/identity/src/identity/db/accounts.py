"""Repositories of organisations and users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import Organization, User

__all__ = ["OrganizationRepository", "UserRepository"]


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, organization: Organization) -> Organization:
        self.session.add(organization)
        return organization

    async def get(self, organization_id: uuid.UUID) -> Organization | None:
        return await self.session.get(Organization, organization_id)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, user: User) -> User:
        self.session.add(user)
        return user

    async def flush(self) -> None:
        """Send pending inserts now, so constraint violations surface here."""
        await self.session.flush()

    async def get(self, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        statement = select(User).where(User.id == user_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_by_email(self, email: str, *, for_update: bool = False) -> User | None:
        """The user with this (already lower-cased) address; locked when ``for_update``."""
        statement = select(User).where(User.email == email)
        if for_update:
            # Serialises concurrent logins of one user, so the failure counter and the last
            # TOTP step cannot be raced past.
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def with_totp_secrets(self, *, for_update: bool = False) -> Sequence[User]:
        """Every user holding a TOTP secret (confirmed or pending)."""
        statement = select(User).where(
            (User.totp_secret_sealed.is_not(None)) | (User.totp_pending_secret_sealed.is_not(None))
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalars().all()

    async def email_exists(self, email: str) -> bool:
        found = await self.session.execute(select(User.id).where(User.email == email))
        return found.first() is not None

    async def get_in_organization(
        self, user_id: uuid.UUID, organization_id: uuid.UUID
    ) -> tuple[User, Organization] | None:
        """The user and its organisation, only if the user belongs to that organisation."""
        row = (
            await self.session.execute(
                select(User, Organization)
                .join(Organization, Organization.id == User.organization_id)
                .where(User.id == user_id, User.organization_id == organization_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])
