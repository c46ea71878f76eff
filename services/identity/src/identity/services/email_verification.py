"""Proving an e-mail address: the verification mail, redeeming its token, sending it again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.config import Settings
from identity.db.accounts import UserRepository
from identity.db.credentials import UserTokenRepository
from identity.db.mail import OutgoingMailRepository
from identity.db.models import User, UserTokenPurpose
from identity.domain.mail import verification_mail
from identity.domain.tokens import (
    EMAIL_VERIFICATION_TTL,
    TokenState,
    hash_token,
    new_token,
    one_time_token_state,
)
from identity.errors import (
    VerificationTokenExpiredError,
    VerificationTokenInvalidError,
    VerificationTokenUsedError,
)

__all__ = ["RESEND_INTERVAL", "queue_verification_mail", "resend_verification", "verify_email"]

# A resend within this interval of the last mail is silently skipped, so the endpoint cannot
# be used to flood someone's mailbox.
RESEND_INTERVAL = timedelta(seconds=60)


def queue_verification_mail(
    session: AsyncSession, user: User, *, settings: Settings, now: datetime
) -> None:
    """Issue a fresh verification token for ``user`` and queue the mail carrying it.

    Both rows are written in the caller's transaction: nothing is sent unless it commits.
    """
    token = new_token()
    UserTokenRepository(session).add(
        user_id=user.id,
        purpose=UserTokenPurpose.EMAIL_VERIFICATION,
        token_hash=hash_token(token),
        expires_at=now + EMAIL_VERIFICATION_TTL,
    )
    content = verification_mail(
        name=user.name,
        portal_url=settings.portal_url,
        token=token,
        hours_valid=int(EMAIL_VERIFICATION_TTL.total_seconds() // 3600),
    )
    OutgoingMailRepository(session).enqueue(
        recipient=user.email, subject=content.subject, body=content.body
    )


async def verify_email(session: AsyncSession, token: str, *, now: datetime) -> User:
    """Redeem a verification token and mark its user's address verified.

    Raises VerificationTokenInvalidError (unknown), VerificationTokenUsedError,
    VerificationTokenExpiredError.
    """
    stored = await UserTokenRepository(session).get_by_hash(
        hash_token(token.strip()), purpose=UserTokenPurpose.EMAIL_VERIFICATION, for_update=True
    )
    if stored is None:
        raise VerificationTokenInvalidError(
            "This verification link or code is not valid; copy it completely from the mail, "
            "or request a new mail."
        )
    state = one_time_token_state(expires_at=stored.expires_at, used_at=stored.used_at, now=now)
    if state is TokenState.USED:
        raise VerificationTokenUsedError(
            "This verification link was already used; if your address is verified, log in."
        )
    if state is TokenState.EXPIRED:
        raise VerificationTokenExpiredError(
            "This verification link has expired (it is valid for 24 hours); request a new mail."
        )
    user = await UserRepository(session).get(stored.user_id, for_update=True)
    if user is None:  # the foreign key cascades, so only a concurrent delete gets here
        raise VerificationTokenInvalidError("The account of this link no longer exists.")
    stored.used_at = now
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


async def resend_verification(
    session: AsyncSession, email: str, *, settings: Settings, now: datetime
) -> None:
    """Queue a new verification mail if ``email`` has an unverified account.

    Says nothing about whether it did: the caller answers the same either way, so the endpoint
    cannot be used to find out which addresses have accounts.
    """
    user = await UserRepository(session).get_by_email(email, for_update=True)
    if user is None or user.email_verified:
        return
    last = await UserTokenRepository(session).latest_created_at(
        user.id, purpose=UserTokenPurpose.EMAIL_VERIFICATION
    )
    if last is not None and now - last < RESEND_INTERVAL:
        return
    queue_verification_mail(session, user, settings=settings, now=now)
