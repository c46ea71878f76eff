"""The signed-in user's own account and organisation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import UserRepository
from identity.db.models import Organization, User
from identity.errors import AccountNotFoundError
from servicekit.auth import Principal

__all__ = ["get_profile"]


async def get_profile(session: AsyncSession, principal: Principal) -> tuple[User, Organization]:
    """The principal's user and organisation; raises AccountNotFoundError if the user no
    longer exists in the token's organisation."""
    found = await UserRepository(session).get_in_organization(
        principal.user_id, principal.organization_id
    )
    if found is None:
        raise AccountNotFoundError(
            "The account of this access token no longer exists in its organisation; log in again."
        )
    return found
