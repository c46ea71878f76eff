"""Logging in: password, e-mail verification, TOTP (or a recovery code), brute-force guard.

The guard counts failures per account and client (the address the gateway saw): a client that
fails five times in a row is paused for that account, while the owner, on another client, logs
in as usual. Guessing from many clients is bounded by the gateway's per-account rate limit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import UserRepository
from identity.db.credentials import UserTokenRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.models import User, UserTokenPurpose
from identity.domain.passwords import (
    hash_password,
    password_needs_rehash,
    verify_password,
    waste_password_check,
)
from identity.domain.tokens import ENROLMENT_TOKEN_TTL, hash_token, new_token
from identity.domain.user_agents import describe_user_agent
from identity.errors import (
    EmailNotVerifiedError,
    LoginFailedError,
    TotpEnrolmentRequiredError,
    TotpRequiredError,
)
from identity.member_errors import AccountDeactivatedError
from identity.services.guard import check_second_factor, count_failure, locked_error
from identity.services.tokens import IssuedTokens, LoginOrigin, TokenService
from identity.services.totp_secrets import TotpSecrets
from servicekit.db import Database
from servicekit.problems import ProblemError

__all__ = ["LoginAttempt", "log_in"]


@dataclass(frozen=True)
class LoginAttempt:
    email: str
    # repr=False here and below: unexpected-error tracebacks may render local variables.
    password: str = field(repr=False)
    # A 6-digit TOTP code or a recovery code; None on the first step of a two-step form.
    second_factor: str | None = field(default=None, repr=False)
    # Who tries: the client's address; failures lock out only this client (see module doc).
    client: str = "unknown"
    # The browser's User-Agent header, for the user's list of logins.
    user_agent: str | None = None


def _login_failed() -> LoginFailedError:
    return LoginFailedError("Login failed: wrong e-mail or password.")


def _enrolment_required(session: AsyncSession, user: User, *, now: datetime) -> ProblemError:
    token = new_token()
    UserTokenRepository(session).add(
        user_id=user.id,
        purpose=UserTokenPurpose.TOTP_ENROLMENT,
        token_hash=hash_token(token),
        expires_at=now + ENROLMENT_TOKEN_TTL,
    )
    return TotpEnrolmentRequiredError(
        "Set up two-factor authentication to continue: send this enrolment_token as "
        "'Authorization: Bearer <enrolment_token>' to POST /totp/enrolment, scan the QR code "
        "with an authenticator app, then confirm a code at POST /totp/enrolment/confirm.",
        enrolment_token=token,
        enrolment_expires_in=int(ENROLMENT_TOKEN_TTL.total_seconds()),
    )


async def _attempt(
    session: AsyncSession,
    attempt: LoginAttempt,
    *,
    tokens: TokenService,
    secrets: TotpSecrets,
    now: datetime,
) -> IssuedTokens | ProblemError:
    users = UserRepository(session)
    user = await users.get_by_email(attempt.email.strip().lower(), for_update=True)
    if user is None or user.password_hash is None:
        await asyncio.to_thread(waste_password_check, attempt.password)
        return _login_failed()
    throttles = LoginThrottleRepository(session)
    throttle = await throttles.get(user.id, attempt.client)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return locked_error(throttle.locked_until, now=now)
    if not await asyncio.to_thread(verify_password, user.password_hash, attempt.password):
        return count_failure(
            session, user, throttle, _login_failed(), client=attempt.client, now=now
        )
    if not user.active:
        # Said only after the right password: it tells nothing to someone guessing.
        return AccountDeactivatedError(
            "This account is deactivated: an owner or admin of your workshop can reactivate it."
        )
    if not user.email_verified:
        return EmailNotVerifiedError(
            "Your e-mail address is not verified yet: click the link in the verification mail, "
            "or request a new mail at POST /email-verifications/resend.",
        )
    if not user.totp_enabled:
        return _enrolment_required(session, user, now=now)
    if not attempt.second_factor:
        return TotpRequiredError(
            "Enter the 6-digit code from your authenticator app (field totp_code), or one of "
            "your recovery codes."
        )
    second_factor_error = await check_second_factor(
        session, user, attempt.second_factor, secrets=secrets, now=now
    )
    if second_factor_error is not None:
        return count_failure(
            session, user, throttle, second_factor_error, client=attempt.client, now=now
        )
    if throttle is not None:
        await throttles.clear(user.id, attempt.client)
    if password_needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(hash_password, attempt.password)
    user.last_login_at = now
    # The parser's rules compile on first use: off the event loop.
    described = await asyncio.to_thread(describe_user_agent, attempt.user_agent)
    origin = LoginOrigin(ip=attempt.client, device=described.device, browser=described.browser)
    return tokens.issue(session, user, now=now, origin=origin)


async def log_in(
    database: Database,
    attempt: LoginAttempt,
    *,
    tokens: TokenService,
    secrets: TotpSecrets,
    now: datetime,
) -> IssuedTokens:
    """Check the credentials and issue tokens.

    Runs in a transaction of its own that commits even when the login fails: the failure
    counter, the lock and a new enrolment token must persist although the request answers
    with an error. Raises LoginFailedError, AccountLockedError, AccountDeactivatedError,
    EmailNotVerifiedError,
    TotpEnrolmentRequiredError, TotpRequiredError, TotpInvalidError, TotpCodeReusedError.
    """
    async with database.transaction() as session:
        outcome = await _attempt(session, attempt, tokens=tokens, secrets=secrets, now=now)
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome
