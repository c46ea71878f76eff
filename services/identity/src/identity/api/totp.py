"""TOTP enrolment, authorised by the enrolment token a login handed out."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from identity.api.deps import EnrolmentDep, TotpSecretsDep
from identity.api.schemas import (
    TotpEnrolmentConfirmationRead,
    TotpEnrolmentConfirmCreate,
    TotpEnrolmentRead,
)
from identity.errors import (
    EnrolmentCodeInvalidError,
    EnrolmentNotStartedError,
    EnrolmentTokenInvalidError,
    TotpAlreadyEnabledError,
)
from identity.services.totp_enrolment import confirm_enrolment, start_enrolment
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(prefix="/totp", tags=["authentication"])


@router.post(
    "/enrolment",
    summary="Start (or restart) TOTP enrolment: a new secret and its QR code",
    description="Authorization: Bearer <enrolment_token> from the login answer.",
    responses=problem_responses(EnrolmentTokenInvalidError, TotpAlreadyEnabledError),
)
async def create_totp_enrolment(
    enrolment: EnrolmentDep, secrets: TotpSecretsDep
) -> TotpEnrolmentRead:
    started = start_enrolment(enrolment, secrets=secrets)
    return TotpEnrolmentRead(
        secret=started.secret, otpauth_uri=started.otpauth_uri, qr_svg=started.qr_svg
    )


@router.post(
    "/enrolment/confirm",
    summary="Confirm TOTP enrolment with a code; returns the recovery codes",
    description="Authorization: Bearer <enrolment_token> from the login answer.",
    responses=problem_responses(
        EnrolmentTokenInvalidError,
        EnrolmentNotStartedError,
        EnrolmentCodeInvalidError,
        TotpAlreadyEnabledError,
    ),
)
async def confirm_totp_enrolment(
    body: TotpEnrolmentConfirmCreate,
    enrolment: EnrolmentDep,
    session: SessionDep,
    secrets: TotpSecretsDep,
) -> TotpEnrolmentConfirmationRead:
    codes = await confirm_enrolment(
        session, enrolment, body.code, secrets=secrets, now=datetime.now(UTC)
    )
    return TotpEnrolmentConfirmationRead(totp_enabled=True, recovery_codes=codes)
