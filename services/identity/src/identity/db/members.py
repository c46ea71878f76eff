"""Repositories of an organisation's members and invitations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import (
    Invitation,
    LoginThrottle,
    Organization,
    RecoveryCode,
    RefreshToken,
    User,
    UserToken,
)

__all__ = ["InvitationRepository", "MemberRepository"]


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_organization(self, organization_id: uuid.UUID) -> Organization | None:
        """The organisation, row-locked until the transaction ends.

        Every change to an organisation's members takes this lock first, so checks across
        members (at least one active owner) cannot be raced: two demotions of the last two
        owners run one after the other, and the second sees the first.
        """
        statement = select(Organization).where(Organization.id == organization_id).with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get(self, user_id: uuid.UUID, *, organization_id: uuid.UUID) -> User | None:
        """A member of the organisation (not a removed one), or None."""
        statement = select(User).where(
            User.id == user_id,
            User.organization_id == organization_id,
            User.removed_at.is_(None),
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def list(self, organization_id: uuid.UUID) -> Sequence[User]:
        statement = (
            select(User)
            .where(User.organization_id == organization_id, User.removed_at.is_(None))
            .order_by(User.created_at, User.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def count_active_owners(
        self, organization_id: uuid.UUID, *, excluding: uuid.UUID | None = None
    ) -> int:
        statement = (
            select(func.count())
            .select_from(User)
            .where(
                User.organization_id == organization_id,
                User.role == "owner",
                User.deactivated_at.is_(None),
                User.removed_at.is_(None),
            )
        )
        if excluding is not None:
            statement = statement.where(User.id != excluding)
        return int((await self.session.execute(statement)).scalar_one())

    async def revoke_refresh_tokens(self, user_id: uuid.UUID, *, now: datetime) -> None:
        """End every login of the user (all refresh token families)."""
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def drop_credentials(self, user_id: uuid.UUID) -> None:
        """Delete what the user could still sign in or recover with, besides the user row:
        pending one-time tokens, recovery codes and login throttles (they hold addresses)."""
        for model in (UserToken, RecoveryCode, LoginThrottle):
            await self.session.execute(delete(model).where(model.user_id == user_id))


class InvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, invitation: Invitation) -> Invitation:
        self.session.add(invitation)
        return invitation

    async def get(
        self, invitation_id: uuid.UUID, *, organization_id: uuid.UUID
    ) -> Invitation | None:
        statement = (
            select(Invitation)
            .where(Invitation.id == invitation_id, Invitation.organization_id == organization_id)
            .with_for_update()
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_by_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None:
        statement = select(Invitation).where(Invitation.token_hash == token_hash)
        if for_update:
            # Two accepts of one link are serialised: the second sees the first's accepted_at
            # (populate_existing: a copy read earlier in the session is refreshed, not reused).
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def list(self, organization_id: uuid.UUID) -> Sequence[Invitation]:
        statement = (
            select(Invitation)
            .where(Invitation.organization_id == organization_id)
            .order_by(Invitation.created_at.desc(), Invitation.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def open_for_email(
        self, organization_id: uuid.UUID, email: str, *, now: datetime
    ) -> Invitation | None:
        """A pending (neither accepted, revoked nor expired) invitation of this address."""
        statement = select(Invitation).where(
            Invitation.organization_id == organization_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        return (await self.session.execute(statement)).scalars().first()

    async def revoke_open(self, organization_id: uuid.UUID, *, now: datetime) -> None:
        await self.session.execute(
            update(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    async def erase_emails(self, organization_id: uuid.UUID) -> None:
        """Replace the invited addresses (personal data) of the organisation's invitations."""
        await self.session.execute(
            update(Invitation)
            .where(Invitation.organization_id == organization_id)
            .values(email=func.concat("erased-", Invitation.id, "@erased.invalid"))
        )
