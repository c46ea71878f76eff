"""Lost phone: e-mail, password and a recovery code open a short enrolment of a new
authenticator (services.totp_enrolment, with a TOTP_RESET token), which replaces the old one.

Guarded like a login (services.guard): failures pause the client for the account. The
recovery code is spent at once, so it cannot open a second enrolment; until the new
authenticator is confirmed, the old one (and the other recovery codes) keep working.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import UserRepository
from identity.db.credentials import RecoveryCodeRepository, UserTokenRepository
from identity.db.login_throttles import LoginThrottleRepository
from identity.db.models import UserTokenPurpose
from identity.domain.passwords import verify_password, waste_password_check
from identity.domain.tokens import (
    ENROLMENT_TOKEN_TTL,
    hash_token,
    new_token,
    normalize_recovery_code,
)
from identity.errors import LoginFailedError, TotpInvalidError
from identity.member_errors import AccountDeactivatedError
from identity.services.guard import count_failure, locked_error
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.problems import ProblemError

__all__ = ["TotpReset", "TotpResetStarted", "start_totp_reset"]

log = get_logger(__name__)


@dataclass(frozen=True)
class TotpReset:
    email: str
    password: str = field(repr=False)
    recovery_code: str = field(repr=False)
    client: str = "unknown"


@dataclass(frozen=True)
class TotpResetStarted:
    enrolment_token: str = field(repr=False)
    expires_in: int


def _failed() -> LoginFailedError:
    return LoginFailedError("Wrong e-mail or password.")


async def _attempt(
    session: AsyncSession, reset: TotpReset, *, now: datetime
) -> TotpResetStarted | ProblemError:
    user = await UserRepository(session).get_by_email(reset.email, for_update=True)
    if user is None:
        await asyncio.to_thread(waste_password_check, reset.password)
        return _failed()
    throttles = LoginThrottleRepository(session)
    throttle = await throttles.get(user.id, reset.client)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return locked_error(throttle.locked_until, now=now)
    if user.password_hash is None or not await asyncio.to_thread(
        verify_password, user.password_hash, reset.password
    ):
        return count_failure(session, user, throttle, _failed(), client=reset.client, now=now)
    if not user.active:
        # A deactivated member cannot log in; a new authenticator would not change that.
        return AccountDeactivatedError(
            "This account is deactivated: an owner or admin of your workshop can reactivate it."
        )
    spent = await RecoveryCodeRepository(session).use(
        user.id, hash_token(normalize_recovery_code(reset.recovery_code)), now=now
    )
    if not spent:
        error = TotpInvalidError(
            "This is not an unused recovery code of this account; each code works once."
        )
        return count_failure(session, user, throttle, error, client=reset.client, now=now)
    if throttle is not None:
        await throttles.clear(user.id, reset.client)
    token = new_token()
    UserTokenRepository(session).add(
        user_id=user.id,
        purpose=UserTokenPurpose.TOTP_RESET,
        token_hash=hash_token(token),
        expires_at=now + ENROLMENT_TOKEN_TTL,
    )
    log.info("authenticator reset started with a recovery code", user_id=str(user.id))
    return TotpResetStarted(
        enrolment_token=token, expires_in=int(ENROLMENT_TOKEN_TTL.total_seconds())
    )


async def start_totp_reset(
    database: Database, reset: TotpReset, *, now: datetime
) -> TotpResetStarted:
    """Check e-mail, password and recovery code (spending it); returns the enrolment token.

    Own transaction, committed on failure too (the failure count must persist). Raises
    LoginFailedError, TotpInvalidError, AccountLockedError.
    """
    async with database.transaction() as session:
        outcome = await _attempt(session, reset, now=now)
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome
