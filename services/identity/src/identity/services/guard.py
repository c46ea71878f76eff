"""The checks a login and a signed-in user's confirmation (change password, regenerate
recovery codes, ...) share: the second factor, and the brute-force throttle per account and
client (see services.login for why it is per client)."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.credentials import RecoveryCodeRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.models import LoginThrottle, User
from identity.domain.lockout import record_failure
from identity.domain.passwords import verify_password
from identity.domain.tokens import hash_token, normalize_recovery_code
from identity.domain.totp import TotpOutcome, check_totp, looks_like_totp_code
from identity.errors import (
    AccountLockedError,
    ReauthenticationFailedError,
    TotpCodeReusedError,
    TotpInvalidError,
)
from identity.services.totp_secrets import TotpSecrets
from servicekit.logging import get_logger
from servicekit.problems import ProblemError

__all__ = [
    "check_second_factor",
    "count_failure",
    "locked_error",
    "reauthenticate",
]

log = get_logger(__name__)


def locked_error(locked_until: datetime, *, now: datetime) -> AccountLockedError:
    retry_after = max(1, math.ceil((locked_until - now).total_seconds()))
    return AccountLockedError(
        "Too many failed logins from here: logins to this account from this address are "
        f"paused until {locked_until.isoformat(timespec='seconds')} (in {retry_after} "
        "seconds); retry after that.",
        headers={"Retry-After": str(retry_after)},
        locked_until=locked_until.isoformat(),
        retry_after_seconds=retry_after,
    )


def count_failure(
    session: AsyncSession,
    user: User,
    throttle: LoginThrottle | None,
    error: ProblemError,
    *,
    client: str,
    now: datetime,
) -> ProblemError:
    """Count a failed attempt against ``user`` from ``client``; return the error to answer."""
    if throttle is None:
        throttle = LoginThrottleRepository(session).add(
            LoginThrottle(user_id=user.id, client=client, failed_count=0, updated_at=now)
        )
    record = record_failure(throttle.failed_count, now=now)
    throttle.failed_count = record.failed_count
    throttle.updated_at = now
    if record.locked_until is not None:
        throttle.locked_until = record.locked_until
        log.warning("login paused for a client after repeated failures", user_id=str(user.id))
    return error


async def check_second_factor(
    session: AsyncSession,
    user: User,
    code: str,
    *,
    secrets: TotpSecrets,
    now: datetime,
    allow_recovery_code: bool = True,
) -> ProblemError | None:
    """None if ``code`` is a fresh TOTP code (or, when allowed, an unused recovery code, which
    is then spent), else the error."""
    secret = secrets.active(user)
    assert secret is not None
    if looks_like_totp_code(code):
        check = check_totp(
            secret, code, unix_time=now.timestamp(), last_used_step=user.totp_last_step
        )
        if check.outcome is TotpOutcome.ACCEPTED:
            user.totp_last_step = check.step
            return None
        if check.outcome is TotpOutcome.REUSED:
            return TotpCodeReusedError(
                "This authenticator code was already used; wait for the next code and retry."
            )
        return TotpInvalidError(
            "The authenticator code is wrong; check your phone's clock and enter the current code."
        )
    if allow_recovery_code:
        recovery_hash = hash_token(normalize_recovery_code(code))
        if await RecoveryCodeRepository(session).use(user.id, recovery_hash, now=now):
            log.info("recovery code used", user_id=str(user.id))
            return None
    return TotpInvalidError(
        "The code is neither the current authenticator code nor an unused recovery code."
        if allow_recovery_code
        else "The authenticator code is wrong; enter the current 6-digit code."
    )


async def reauthenticate(
    session: AsyncSession,
    user: User,
    *,
    password: str,
    code: str,
    client: str,
    secrets: TotpSecrets,
    now: datetime,
) -> ProblemError | None:
    """A signed-in user confirms with password and authenticator code (or recovery code).

    None on success, else the error to answer; failures count towards the same pause as
    failed logins, so a stolen access token cannot be used to guess the password. The caller
    holds the user's row lock and commits even on failure (the count must persist).
    """
    throttles = LoginThrottleRepository(session)
    throttle = await throttles.get(user.id, client)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return locked_error(throttle.locked_until, now=now)
    # A member erased by a removal or a closed organisation has no password left to match.
    if user.password_hash is None or not await asyncio.to_thread(
        verify_password, user.password_hash, password
    ):
        error = ReauthenticationFailedError(
            "The current password is wrong.", field="current_password"
        )
        return count_failure(session, user, throttle, error, client=client, now=now)
    code_error = await check_second_factor(session, user, code, secrets=secrets, now=now)
    if code_error is not None:
        error = ReauthenticationFailedError(
            code_error.detail or "The authenticator code is wrong.", field="totp_code"
        )
        return count_failure(session, user, throttle, error, client=client, now=now)
    if throttle is not None:
        await throttles.clear(user.id, client)
    return None
