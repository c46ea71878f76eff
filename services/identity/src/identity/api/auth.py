"""Login, token refresh and logout.

The refresh token travels only in the HttpOnly cookie (api.cookies): login sets it, refresh
reads and rotates it, logout clears it; it is never in a JSON body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status

from identity.api.cookies import (
    CsrfDep,
    RefreshCookieDep,
    clear_refresh_cookie,
    set_refresh_cookie,
)
from identity.api.deps import (
    ClientAddressDep,
    DatabaseDep,
    SettingsDep,
    TokenServiceDep,
    TotpSecretsDep,
)
from identity.api.schemas import LoginCreate, TokenRead
from identity.config import Settings
from identity.errors import (
    AccountLockedError,
    CsrfCheckFailedError,
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
from servicekit.problems import ProblemError, problem_responses

router = APIRouter(prefix="/auth", tags=["authentication"])


def _token_read(tokens: IssuedTokens, response: Response, *, settings: Settings) -> TokenRead:
    # RFC 6749 5.1: responses carrying tokens must not be cached.
    response.headers["Cache-Control"] = "no-store"
    set_refresh_cookie(response, tokens, settings=settings)
    return TokenRead(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_expires_in=tokens.refresh_expires_in,
    )


_SET_COOKIE: dict[str, Any] = {
    "Set-Cookie": {
        "description": "aos_refresh: the refresh token (HttpOnly, SameSite=Strict, Path the "
        "refresh and logout routes, Secure in production)",
        "schema": {"type": "string"},
    }
}


def _with_cookie(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """The routes' problem responses, and their 200 answer's Set-Cookie header."""
    return {200: {"headers": _SET_COOKIE}} | problem_responses(*errors)


@router.post(
    "/login",
    summary="Log in with e-mail, password and authenticator code",
    description="Sets the refresh token as the HttpOnly cookie aos_refresh.",
    responses=_with_cookie(
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
    settings: SettingsDep,
    response: Response,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenRead:
    issued = await log_in(
        database,
        LoginAttempt(
            email=body.email,
            password=body.password.get_secret_value(),
            second_factor=body.totp_code,
            client=client,
            user_agent=user_agent,
        ),
        tokens=tokens,
        secrets=secrets,
        now=datetime.now(UTC),
    )
    return _token_read(issued, response, settings=settings)


@router.post(
    "/refresh",
    summary="Trade the refresh cookie for a new access token (the cookie is rotated)",
    description="Needs the aos_refresh cookie from the login and the X-AOS-CSRF header.",
    dependencies=[CsrfDep],
    responses=_with_cookie(
        CsrfCheckFailedError,
        RefreshTokenInvalidError,
        RefreshTokenExpiredError,
        RefreshTokenReusedError,
        AccountDeactivatedError,
    ),
)
async def refresh(
    database: DatabaseDep,
    tokens: TokenServiceDep,
    settings: SettingsDep,
    client: ClientAddressDep,
    response: Response,
    refresh_cookie: RefreshCookieDep = None,
) -> TokenRead:
    if not refresh_cookie:
        raise RefreshTokenInvalidError(
            "No refresh cookie came with this request: log in (the login sets it)."
        )
    issued = await tokens.refresh(database, refresh_cookie, now=datetime.now(UTC), ip=client)
    return _token_read(issued, response, settings=settings)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the login of the refresh cookie and clear the cookie",
    description="Needs the X-AOS-CSRF header. Without a cookie it only clears it.",
    dependencies=[CsrfDep],
    responses=problem_responses(CsrfCheckFailedError),
)
async def logout(
    session: SessionDep,
    tokens: TokenServiceDep,
    settings: SettingsDep,
    response: Response,
    refresh_cookie: RefreshCookieDep = None,
) -> None:
    if refresh_cookie:
        await tokens.revoke(session, refresh_cookie, now=datetime.now(UTC))
    clear_refresh_cookie(response, settings=settings)
