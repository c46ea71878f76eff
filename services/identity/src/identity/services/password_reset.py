"""Forgotten password: a mailed single-use link that sets a new password.

Asking for a link answers the same whether or not the address has an account (the caller
says so without waiting for anything that differs), and a link is mailed at most once a
minute per account, so the endpoint can neither list accounts nor flood a mailbox. Setting
the password ends every login of the account; TOTP stays on, so the next login still needs
the authenticator: a mailbox alone does not open the account.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import UserTokenRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.mail import OutgoingMailRepository
from identity.db.models import User, UserTokenPurpose
from identity.domain.mail import password_changed_mail, password_reset_mail
from identity.domain.passwords import hash_password
from identity.domain.tokens import TokenState, hash_token, new_token, one_time_token_state
from identity.errors import (
    PasswordResetTokenExpiredError,
    PasswordResetTokenInvalidError,
    PasswordResetTokenUsedError,
)
from identity.services.tokens import TokenService
from servicekit.logging import get_logger

__all__ = ["REQUEST_INTERVAL", "PasswordReset", "request_password_reset", "reset_password"]

log = get_logger(__name__)

# A second request within this interval of the last link is skipped (mailbox flooding).
REQUEST_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class PasswordReset:
    token: str = field(repr=False)
    password: str = field(repr=False)


async def request_password_reset(
    session: AsyncSession, email: str, *, settings: Settings, now: datetime
) -> None:
    """Queue a reset link for ``email`` if it has an account; says nothing either way."""
    user = await UserRepository(session).get_by_email(email, for_update=True)
    if user is None:
        return
    tokens = UserTokenRepository(session)
    last = await tokens.latest_created_at(user.id, purpose=UserTokenPurpose.PASSWORD_RESET)
    if last is not None and now - last < REQUEST_INTERVAL:
        return
    token = new_token()
    ttl = settings.password_reset_ttl_seconds
    tokens.add(
        user_id=user.id,
        purpose=UserTokenPurpose.PASSWORD_RESET,
        token_hash=hash_token(token),
        expires_at=now + timedelta(seconds=ttl),
    )
    content = password_reset_mail(
        name=user.name, portal_url=settings.portal_url, token=token, minutes_valid=ttl // 60
    )
    OutgoingMailRepository(session).enqueue(
        recipient=user.email, subject=content.subject, body=content.body
    )


async def reset_password(
    session: AsyncSession, reset: PasswordReset, *, settings: Settings, now: datetime
) -> User:
    """Set the password of the link's account, spend every reset link of it, end all its
    logins, clear its login pauses, and tell the owner by mail.

    Raises PasswordResetTokenInvalidError (unknown), PasswordResetTokenUsedError,
    PasswordResetTokenExpiredError.
    """
    tokens = UserTokenRepository(session)
    stored = await tokens.get_by_hash(
        hash_token(reset.token.strip()), purpose=UserTokenPurpose.PASSWORD_RESET, for_update=True
    )
    if stored is None:
        raise PasswordResetTokenInvalidError(
            "This password reset link is not valid; copy it completely from the mail, or ask "
            "for a new one."
        )
    state = one_time_token_state(expires_at=stored.expires_at, used_at=stored.used_at, now=now)
    if state is TokenState.USED:
        raise PasswordResetTokenUsedError(
            "This password reset link was already used; ask for a new one if you need it."
        )
    if state is TokenState.EXPIRED:
        raise PasswordResetTokenExpiredError(
            f"This password reset link has expired (it is valid for "
            f"{settings.password_reset_ttl_seconds // 60} minutes); ask for a new one."
        )
    user = await UserRepository(session).get(stored.user_id, for_update=True)
    if user is None:  # the foreign key cascades, so only a concurrent delete gets here
        raise PasswordResetTokenInvalidError("The account of this link no longer exists.")
    user.password_hash = await asyncio.to_thread(hash_password, reset.password)
    # The link came by mail, so the address is proven.
    if user.email_verified_at is None:
        user.email_verified_at = now
    await tokens.use_all(user.id, purpose=UserTokenPurpose.PASSWORD_RESET, now=now)
    ended = await TokenService.end_logins(session, user.id, now=now)
    await LoginThrottleRepository(session).clear_user(user.id)
    content = password_changed_mail(name=user.name, portal_url=settings.portal_url)
    OutgoingMailRepository(session).enqueue(
        recipient=user.email, subject=content.subject, body=content.body
    )
    log.info("password reset", user_id=str(user.id), logins_ended=ended)
    return user
