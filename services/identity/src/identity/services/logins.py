"""A user's own logins ("my logins"): list them, end one, end all (others)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.login_sessions import LoginSessionRepository
from identity.db.models import LoginSession
from identity.errors import SessionNotFoundError
from identity.services.account import session_uuid
from identity.services.tokens import TokenService
from servicekit.auth import Principal

__all__ = ["LoginEntry", "end_all_logins", "end_login", "list_logins"]


@dataclass(frozen=True)
class LoginEntry:
    login: LoginSession
    # The login the caller's access token belongs to.
    current: bool


async def list_logins(
    session: AsyncSession, principal: Principal, *, settings: Settings, now: datetime
) -> Sequence[LoginEntry]:
    """The caller's open logins: not ended, and used within the refresh-token lifetime (an
    older one holds only expired refresh tokens)."""
    used_since = now - timedelta(seconds=settings.refresh_token_ttl_seconds)
    current = session_uuid(principal)
    logins = await LoginSessionRepository(session).list_open(
        principal.user_id, used_since=used_since
    )
    return [LoginEntry(login=login, current=login.id == current) for login in logins]


async def end_login(
    session: AsyncSession, principal: Principal, login_id: uuid.UUID, *, now: datetime
) -> None:
    """Log out one of the caller's logins (its refresh tokens stop working; its access token
    runs out within its short lifetime). Raises SessionNotFoundError when the id is not an
    open login of the caller (another user's id included)."""
    login = await LoginSessionRepository(session).get(login_id, user_id=principal.user_id)
    if login is None or login.ended_at is not None:
        raise SessionNotFoundError(
            "You have no open login with this id; reload the list of your logins."
        )
    await TokenService.end_login(session, login.id, now=now)


async def end_all_logins(
    session: AsyncSession, principal: Principal, *, include_current: bool, now: datetime
) -> int:
    """Log out every login of the caller, or every other one; returns how many ended."""
    keep = None if include_current else session_uuid(principal)
    return await TokenService.end_logins(session, principal.user_id, now=now, keep=keep)
