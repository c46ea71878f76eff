"""Verifying an e-mail address with the token from the mail, and sending the mail again."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, status

from identity.api.deps import SettingsDep, wake_mail_sender
from identity.api.schemas import (
    EmailVerificationCreate,
    EmailVerificationRead,
    EmailVerificationResendCreate,
    ResendAcceptedRead,
)
from identity.errors import (
    VerificationTokenExpiredError,
    VerificationTokenInvalidError,
    VerificationTokenUsedError,
)
from identity.services.email_verification import resend_verification, verify_email
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["registration"])


@router.post(
    "/email-verifications",
    summary="Verify an e-mail address with the token from the verification mail",
    responses=problem_responses(
        VerificationTokenInvalidError, VerificationTokenUsedError, VerificationTokenExpiredError
    ),
)
async def create_email_verification(
    body: EmailVerificationCreate, session: SessionDep
) -> EmailVerificationRead:
    user = await verify_email(session, body.token, now=datetime.now(UTC))
    return EmailVerificationRead(user_id=user.id, email=user.email, email_verified=True)


@router.post(
    "/email-verifications/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send the verification mail again",
    description=(
        "Always answers 202, whether or not the address has an account, so the endpoint "
        "cannot be used to find out who is registered."
    ),
    dependencies=[Depends(wake_mail_sender)],
)
async def resend_email_verification(
    body: EmailVerificationResendCreate, session: SessionDep, settings: SettingsDep
) -> ResendAcceptedRead:
    await resend_verification(session, body.email, settings=settings, now=datetime.now(UTC))
    return ResendAcceptedRead(
        detail="If this address has an account that is not verified yet, a new verification "
        "mail is on its way."
    )
