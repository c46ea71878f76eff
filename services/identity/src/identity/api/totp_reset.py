"""Lost phone: open the enrolment of a new authenticator with a recovery code."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api.account_schemas import TotpResetCreate, TotpResetRead
from identity.api.deps import ClientAddressDep, DatabaseDep, NowDep
from identity.errors import AccountLockedError, LoginFailedError, TotpInvalidError
from identity.member_errors import AccountDeactivatedError
from identity.services.totp_reset import TotpReset, start_totp_reset
from servicekit.problems import problem_responses

router = APIRouter(prefix="/auth", tags=["authentication"])


@router.post(
    "/totp-reset",
    summary="Lost authenticator: e-mail, password and a recovery code",
    description=(
        "Spends the recovery code and answers an enrolment token: set up the new "
        "authenticator with POST /totp/enrolment and POST /totp/enrolment/confirm (which "
        "also gives new recovery codes), then log in with it. The old authenticator works "
        "until the new one is confirmed."
    ),
    responses=problem_responses(
        LoginFailedError, TotpInvalidError, AccountLockedError, AccountDeactivatedError
    ),
)
async def create_totp_reset(
    body: TotpResetCreate, database: DatabaseDep, client: ClientAddressDep, now: NowDep
) -> TotpResetRead:
    started = await start_totp_reset(
        database,
        TotpReset(
            email=body.email,
            password=body.password.get_secret_value(),
            recovery_code=body.recovery_code,
            client=client,
        ),
        now=now,
    )
    return TotpResetRead(
        enrolment_token=started.enrolment_token, enrolment_expires_in=started.expires_in
    )
