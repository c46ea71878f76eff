"""Forgotten password: ask for a link by mail, set a new password with it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from identity.api.account_schemas import (
    AcceptedRead,
    PasswordResetConfirmCreate,
    PasswordResetCreate,
)
from identity.api.deps import NowDep, SettingsDep, wake_mail_sender
from identity.errors import (
    PasswordResetTokenExpiredError,
    PasswordResetTokenInvalidError,
    PasswordResetTokenUsedError,
)
from identity.services.password_reset import (
    PasswordReset,
    request_password_reset,
    reset_password,
)
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(prefix="/password-resets", tags=["account"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Forgot password: mail a link to set a new one",
    description=(
        "Always answers 202 with the same body, whether or not the address has an account, "
        "so it cannot be used to find out who is registered. At most one link a minute is "
        "mailed per account; a link is valid for IDENTITY_PASSWORD_RESET_TTL_SECONDS."
    ),
    dependencies=[Depends(wake_mail_sender)],
)
async def create_password_reset(
    body: PasswordResetCreate, session: SessionDep, settings: SettingsDep, now: NowDep
) -> AcceptedRead:
    await request_password_reset(session, body.email, settings=settings, now=now)
    return AcceptedRead(
        detail="If this address has an account, a mail with a link to set a new password is "
        "on its way."
    )


@router.post(
    "/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with the token of the mailed link",
    description=(
        "Ends every login of the account (all refresh tokens are revoked); the next login "
        "still needs the authenticator code. The token travels in the body, never in the "
        "path, which access logs record."
    ),
    dependencies=[Depends(wake_mail_sender)],
    responses=problem_responses(
        PasswordResetTokenInvalidError, PasswordResetTokenUsedError, PasswordResetTokenExpiredError
    ),
)
async def confirm_password_reset(
    body: PasswordResetConfirmCreate, session: SessionDep, settings: SettingsDep, now: NowDep
) -> None:
    await reset_password(
        session,
        PasswordReset(token=body.token, password=body.password.get_secret_value()),
        settings=settings,
        now=now,
    )
