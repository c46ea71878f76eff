"""A signed-in user's own account: password, e-mail address, recovery codes.

Each change is confirmed with the password and an authenticator code (api: the request
body), checked by services.guard: failures count towards the same pause as failed logins and
are committed although the request fails, so each use case runs in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import RecoveryCodeRepository, UserTokenRepository
from identity.db.mail import OutgoingMailRepository
from identity.db.models import User, UserTokenPurpose
from identity.domain.mail import (
    email_change_attempt_mail,
    email_change_mail,
    email_changed_mail,
    password_changed_mail,
)
from identity.domain.passwords import hash_password
from identity.domain.tokens import (
    TokenState,
    hash_token,
    new_recovery_codes,
    new_token,
    one_time_token_state,
)
from identity.errors import (
    AccountNotFoundError,
    EmailChangeTokenExpiredError,
    EmailChangeTokenInvalidError,
    EmailChangeTokenUsedError,
    EmailTakenError,
    EmailUnchangedError,
)
from identity.services.guard import reauthenticate
from identity.services.tokens import TokenService
from identity.services.totp_secrets import TotpSecrets
from servicekit.auth import Principal
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.problems import ProblemError

__all__ = [
    "Confirmation",
    "change_password",
    "confirm_email_change",
    "regenerate_recovery_codes",
    "request_email_change",
    "session_uuid",
    "signed_in_user",
]

log = get_logger(__name__)


@dataclass(frozen=True)
class Confirmation:
    """The password and authenticator code a signed-in user confirms a change with."""

    password: str = field(repr=False)
    code: str = field(repr=False)
    # The client's address (X-Real-IP): failures pause this client only, as for logins.
    client: str = "unknown"


def session_uuid(principal: Principal) -> uuid.UUID | None:
    """The login (refresh-token family) the access token was issued for, if it says."""
    if principal.session_id is None:
        return None
    try:
        return uuid.UUID(principal.session_id)
    except ValueError:
        return None


async def signed_in_user(session: AsyncSession, principal: Principal) -> User:
    """The principal's user, locked; raises AccountNotFoundError if it is gone."""
    user = await UserRepository(session).get(principal.user_id, for_update=True)
    if user is None or user.organization_id != principal.organization_id:
        raise AccountNotFoundError(
            "The account of this access token no longer exists in its organisation; log in again."
        )
    return user


async def change_password(
    database: Database,
    principal: Principal,
    new_password: str,
    *,
    confirmation: Confirmation,
    secrets: TotpSecrets,
    settings: Settings,
    now: datetime,
) -> int:
    """Set a new password; every other login of the user ends, the current one stays.
    Returns how many logins ended. Raises ReauthenticationFailedError, AccountLockedError,
    AccountNotFoundError."""
    error: ProblemError | None = None
    ended = 0
    async with database.transaction() as session:
        user = await signed_in_user(session, principal)
        error = await _confirm(session, user, confirmation, secrets=secrets, now=now)
        if error is None:
            user.password_hash = await asyncio.to_thread(hash_password, new_password)
            ended = await TokenService.end_logins(
                session, user.id, now=now, keep=session_uuid(principal)
            )
            content = password_changed_mail(name=user.name, portal_url=settings.portal_url)
            OutgoingMailRepository(session).enqueue(
                recipient=user.email, subject=content.subject, body=content.body
            )
            log.info("password changed", user_id=str(user.id), logins_ended=ended)
    if error is not None:
        raise error
    return ended


async def _confirm(
    session: AsyncSession,
    user: User,
    confirmation: Confirmation,
    *,
    secrets: TotpSecrets,
    now: datetime,
) -> ProblemError | None:
    return await reauthenticate(
        session,
        user,
        password=confirmation.password,
        code=confirmation.code,
        client=confirmation.client,
        secrets=secrets,
        now=now,
    )


async def request_email_change(
    database: Database,
    principal: Principal,
    new_email: str,
    *,
    confirmation: Confirmation,
    secrets: TotpSecrets,
    settings: Settings,
    now: datetime,
) -> None:
    """Mail a confirmation link to ``new_email`` (already normalised).

    When the address belongs to another account, nothing is sent to the requester's new
    address and the answer is the same (the requester learns nothing about it); that account's
    owner gets a mail saying someone tried. Raises ReauthenticationFailedError,
    AccountLockedError, EmailUnchangedError.
    """
    error: ProblemError | None = None
    async with database.transaction() as session:
        user = await signed_in_user(session, principal)
        error = await _confirm(session, user, confirmation, secrets=secrets, now=now)
        if error is None:
            if new_email == user.email:
                raise EmailUnchangedError(
                    "This already is the e-mail address of your account; enter the new one."
                )
            mail = OutgoingMailRepository(session)
            owner = await UserRepository(session).get_by_email(new_email)
            if owner is not None:
                notice = email_change_attempt_mail(name=owner.name)
                mail.enqueue(recipient=owner.email, subject=notice.subject, body=notice.body)
            else:
                token = new_token()
                ttl = settings.email_change_ttl_seconds
                UserTokenRepository(session).add(
                    user_id=user.id,
                    purpose=UserTokenPurpose.EMAIL_CHANGE,
                    token_hash=hash_token(token),
                    expires_at=now + timedelta(seconds=ttl),
                    new_email=new_email,
                )
                content = email_change_mail(
                    name=user.name,
                    portal_url=settings.portal_url,
                    token=token,
                    hours_valid=ttl // 3600,
                )
                mail.enqueue(recipient=new_email, subject=content.subject, body=content.body)
    if error is not None:
        raise error


async def confirm_email_change(
    session: AsyncSession, token: str, *, settings: Settings, now: datetime
) -> User:
    """Redeem an e-mail change link: the account's address becomes the one the link was
    mailed to (verified by this), and the old address is told.

    Raises EmailChangeTokenInvalidError, EmailChangeTokenUsedError,
    EmailChangeTokenExpiredError, EmailTakenError (another account took it meanwhile).
    """
    tokens = UserTokenRepository(session)
    stored = await tokens.get_by_hash(
        hash_token(token.strip()), purpose=UserTokenPurpose.EMAIL_CHANGE, for_update=True
    )
    if stored is None or stored.new_email is None:
        raise EmailChangeTokenInvalidError(
            "This confirmation link is not valid; copy it completely from the mail."
        )
    state = one_time_token_state(expires_at=stored.expires_at, used_at=stored.used_at, now=now)
    if state is TokenState.USED:
        raise EmailChangeTokenUsedError("This confirmation link was already used.")
    if state is TokenState.EXPIRED:
        raise EmailChangeTokenExpiredError(
            f"This confirmation link has expired (it is valid for "
            f"{settings.email_change_ttl_seconds // 3600} hours); ask for the change again."
        )
    users = UserRepository(session)
    user = await users.get(stored.user_id, for_update=True)
    if user is None:
        raise EmailChangeTokenInvalidError("The account of this link no longer exists.")
    old_email = user.email
    try:
        # A savepoint: if another account holds the address by now, only this is undone.
        async with session.begin_nested():
            user.email = stored.new_email
            user.email_verified_at = now
            await users.flush()
    except IntegrityError:
        raise EmailTakenError(
            "This address now belongs to another account, so it cannot become yours."
        ) from None
    await tokens.use_all(user.id, purpose=UserTokenPurpose.EMAIL_CHANGE, now=now)
    notice = email_changed_mail(name=user.name, new_email=user.email)
    OutgoingMailRepository(session).enqueue(
        recipient=old_email, subject=notice.subject, body=notice.body
    )
    log.info("e-mail address changed", user_id=str(user.id))
    return user


async def regenerate_recovery_codes(
    database: Database,
    principal: Principal,
    *,
    confirmation: Confirmation,
    secrets: TotpSecrets,
    now: datetime,
) -> list[str]:
    """A new set of recovery codes (the old ones stop working), in plain for showing once.
    Raises ReauthenticationFailedError, AccountLockedError, AccountNotFoundError."""
    error: ProblemError | None = None
    codes: list[str] = []
    async with database.transaction() as session:
        user = await signed_in_user(session, principal)
        error = await _confirm(session, user, confirmation, secrets=secrets, now=now)
        if error is None:
            codes = new_recovery_codes()
            await RecoveryCodeRepository(session).replace_all(
                user.id, [hash_token(code) for code in codes]
            )
            log.info("recovery codes regenerated", user_id=str(user.id))
    if error is not None:
        raise error
    return codes
