"""Setting up TOTP with the enrolment token a login handed out, or replacing it with the
token a recovery code opened (services.totp_reset, purpose TOTP_RESET)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import UserRepository
from identity.db.credentials import RecoveryCodeRepository, UserTokenRepository
from identity.db.models import User, UserToken, UserTokenPurpose
from identity.domain.tokens import TokenState, hash_token, new_recovery_codes, one_time_token_state
from identity.domain.totp import (
    TotpOutcome,
    check_totp,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
)
from identity.errors import (
    EnrolmentCodeInvalidError,
    EnrolmentNotStartedError,
    EnrolmentTokenInvalidError,
    TotpAlreadyEnabledError,
)
from identity.services.totp_secrets import TotpSecrets

__all__ = [
    "Enrolment",
    "EnrolmentStarted",
    "authenticate_enrolment",
    "confirm_enrolment",
    "start_enrolment",
]


# A first enrolment, and the replacement of a lost authenticator.
_ENROLMENT_PURPOSES = (UserTokenPurpose.TOTP_ENROLMENT, UserTokenPurpose.TOTP_RESET)


@dataclass(frozen=True)
class Enrolment:
    """The user an enrolment token belongs to, and the token row itself."""

    user: User
    token: UserToken


@dataclass(frozen=True)
class EnrolmentStarted:
    secret: str = field(repr=False)
    otpauth_uri: str = field(repr=False)
    qr_svg: str = field(repr=False)


async def authenticate_enrolment(session: AsyncSession, token: str, *, now: datetime) -> Enrolment:
    """The enrolment of a bearer enrolment token; raises EnrolmentTokenInvalidError."""
    stored = await UserTokenRepository(session).get_by_hash_for(
        hash_token(token), purposes=_ENROLMENT_PURPOSES, for_update=True
    )
    if stored is None:
        raise EnrolmentTokenInvalidError("This is not an enrolment token; log in again to get one.")
    state = one_time_token_state(expires_at=stored.expires_at, used_at=stored.used_at, now=now)
    if state is not TokenState.VALID:
        raise EnrolmentTokenInvalidError(
            f"This enrolment token is {state.value}; log in again to get a new one."
        )
    user = await UserRepository(session).get(stored.user_id, for_update=True)
    if user is None:
        raise EnrolmentTokenInvalidError("The account of this enrolment token no longer exists.")
    return Enrolment(user=user, token=stored)


def _refuse_if_enabled(enrolment: Enrolment) -> None:
    # A reset token (opened with a recovery code) exists to replace an enabled authenticator.
    if enrolment.token.purpose == UserTokenPurpose.TOTP_RESET:
        return
    if enrolment.user.totp_enabled:
        raise TotpAlreadyEnabledError(
            "Two-factor authentication is already set up for this account; log in with a code."
        )


def start_enrolment(enrolment: Enrolment, *, secrets: TotpSecrets) -> EnrolmentStarted:
    """Generate a new secret (replacing any unconfirmed one; stored sealed) and how to import
    it."""
    user = enrolment.user
    _refuse_if_enabled(enrolment)
    secret = new_totp_secret()
    secrets.set_pending(user, secret)
    uri = provisioning_uri(secret, account=user.email)
    return EnrolmentStarted(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


async def confirm_enrolment(
    session: AsyncSession,
    enrolment: Enrolment,
    code: str,
    *,
    secrets: TotpSecrets,
    now: datetime,
) -> list[str]:
    """Turn TOTP on once a code of the new secret proves the app has it; returns the
    plain recovery codes (shown once, stored only hashed).

    The confirming code's time step counts as used, so it cannot also log in. A reset
    replaces the old authenticator and all recovery codes. Raises
    EnrolmentNotStartedError, EnrolmentCodeInvalidError, TotpAlreadyEnabledError.
    """
    user = enrolment.user
    _refuse_if_enabled(enrolment)
    secret = secrets.pending(user)
    if secret is None:
        raise EnrolmentNotStartedError(
            "Start the enrolment first (POST /totp/enrolment) to get a secret to confirm."
        )
    check = check_totp(secret, code, unix_time=now.timestamp(), last_used_step=None)
    if check.outcome is not TotpOutcome.ACCEPTED:
        raise EnrolmentCodeInvalidError(
            "The code does not match the new secret; enter the current 6-digit code shown by "
            "the authenticator app for AOS (and check the phone's clock)."
        )
    secrets.set_active(user, secret)
    secrets.set_pending(user, None)
    user.totp_enabled_at = now
    user.totp_last_step = check.step
    enrolment.token.used_at = now
    codes = new_recovery_codes()
    await RecoveryCodeRepository(session).replace_all(user.id, [hash_token(c) for c in codes])
    return codes
