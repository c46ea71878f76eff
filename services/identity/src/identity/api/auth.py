"""Login, token refresh and logout."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from identity.api.deps import ClientAddressDep, DatabaseDep, TokenServiceDep, TotpSecretsDep
from identity.api.schemas import LoginCreate, LogoutCreate, TokenRead, TokenRefreshCreate
from identity.errors import (
    AccountLockedError,
    EmailNotVerifiedError,
    LoginFailedError,
    RefreshTokenExpiredError,
    RefreshTokenInvalidError,
    RefreshTokenReusedError,
    TotpCodeReusedError,
    TotpEnrolmentRequiredError,
    TotpInvalidError,
    TotpRequiredError,
)
from identity.member_errors import AccountDeactivatedError
from identity.services.login import LoginAttempt, log_in
from identity.services.tokens import IssuedTokens
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(prefix="/auth", tags=["authentication"])


def _token_read(tokens: IssuedTokens, response: Response) -> TokenRead:
    # RFC 6749 5.1: responses carrying tokens must not be cached.
    response.headers["Cache-Control"] = "no-store"
    return TokenRead(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_in=tokens.refresh_expires_in,
    )


@router.post(
    "/login",
    summary="Log in with e-mail, password and authenticator code",
    responses=problem_responses(
        LoginFailedError,
        TotpRequiredError,
        TotpInvalidError,
        TotpCodeReusedError,
        EmailNotVerifiedError,
        TotpEnrolmentRequiredError,
        AccountLockedError,
        AccountDeactivatedError,
    ),
)
async def login(
    body: LoginCreate,
    database: DatabaseDep,
    tokens: TokenServiceDep,
    secrets: TotpSecretsDep,
    client: ClientAddressDep,
    response: Response,
) -> TokenRead:
    issued = await log_in(
        database,
        LoginAttempt(
            email=body.email,
            password=body.password.get_secret_value(),
            second_factor=body.totp_code,
            client=client,
        ),
        tokens=tokens,
        secrets=secrets,
        now=datetime.now(UTC),
    )
    return _token_read(issued, response)


@router.post(
    "/refresh",
    summary="Trade a refresh token for new tokens (the old one is used up)",
    responses=problem_responses(
        RefreshTokenInvalidError,
        RefreshTokenExpiredError,
        RefreshTokenReusedError,
        AccountDeactivatedError,
    ),
)
async def refresh(
    body: TokenRefreshCreate, database: DatabaseDep, tokens: TokenServiceDep, response: Response
) -> TokenRead:
    issued = await tokens.refresh(database, body.refresh_token, now=datetime.now(UTC))
    return _token_read(issued, response)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the login a refresh token belongs to",
)
async def logout(body: LogoutCreate, session: SessionDep, tokens: TokenServiceDep) -> None:
    await tokens.revoke(session, body.refresh_token, now=datetime.now(UTC))
