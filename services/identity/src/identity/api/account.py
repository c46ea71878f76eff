"""The signed-in user's own account: password, e-mail address, recovery codes, logins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status

from identity.api.account_schemas import (
    AcceptedRead,
    EmailChangeCreate,
    LoginSessionList,
    LoginSessionRead,
    LoginSessionsRevokeCreate,
    LoginSessionsRevokedRead,
    PasswordChangeCreate,
    RecoveryCodesCreate,
    RecoveryCodesRead,
)
from identity.api.deps import (
    ClientAddressDep,
    DatabaseDep,
    NowDep,
    SettingsDep,
    TotpSecretsDep,
    wake_mail_sender,
)
from identity.api.member_deps import AnyMember
from identity.errors import (
    AccountLockedError,
    AccountNotFoundError,
    EmailUnchangedError,
    ReauthenticationFailedError,
    SessionNotFoundError,
)
from identity.services.account import (
    Confirmation,
    change_password,
    regenerate_recovery_codes,
    request_email_change,
)
from identity.services.logins import end_all_logins, end_login, list_logins
from servicekit.auth import InvalidTokenError
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import RoleForbiddenError

router = APIRouter(prefix="/me", tags=["account"])

_SIGNED_IN = (UnauthorizedError, InvalidTokenError, RoleForbiddenError, AccountNotFoundError)
_CONFIRMED = (*_SIGNED_IN, ReauthenticationFailedError, AccountLockedError)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password (current password and authenticator code)",
    description="Every other login ends; this one stays. A notice goes to my address.",
    dependencies=[Depends(wake_mail_sender)],
    responses=problem_responses(*_CONFIRMED),
)
async def change_my_password(
    body: PasswordChangeCreate,
    principal: AnyMember,
    database: DatabaseDep,
    secrets: TotpSecretsDep,
    settings: SettingsDep,
    client: ClientAddressDep,
    now: NowDep,
) -> None:
    await change_password(
        database,
        principal,
        body.new_password.get_secret_value(),
        confirmation=Confirmation(
            password=body.current_password.get_secret_value(), code=body.totp_code, client=client
        ),
        secrets=secrets,
        settings=settings,
        now=now,
    )


@router.post(
    "/email-changes",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Change my e-mail address: mail a confirmation link to the new one",
    description=(
        "Answers the same whether or not the new address is free; the change happens when "
        "the link mailed to it is opened (POST /email-changes/confirm)."
    ),
    dependencies=[Depends(wake_mail_sender)],
    responses=problem_responses(*_CONFIRMED, EmailUnchangedError),
)
async def create_my_email_change(
    body: EmailChangeCreate,
    principal: AnyMember,
    database: DatabaseDep,
    secrets: TotpSecretsDep,
    settings: SettingsDep,
    client: ClientAddressDep,
    now: NowDep,
) -> AcceptedRead:
    await request_email_change(
        database,
        principal,
        body.new_email,
        confirmation=Confirmation(
            password=body.password.get_secret_value(), code=body.totp_code, client=client
        ),
        secrets=secrets,
        settings=settings,
        now=now,
    )
    return AcceptedRead(
        detail="A mail with a confirmation link is on its way to the new address; the address "
        "changes when you open it."
    )


@router.post(
    "/recovery-codes",
    summary="Regenerate my recovery codes (password and authenticator code)",
    description="The old codes stop working; the new ones are shown only in this answer.",
    responses=problem_responses(*_CONFIRMED),
)
async def create_my_recovery_codes(
    body: RecoveryCodesCreate,
    principal: AnyMember,
    database: DatabaseDep,
    secrets: TotpSecretsDep,
    client: ClientAddressDep,
    now: NowDep,
) -> RecoveryCodesRead:
    codes = await regenerate_recovery_codes(
        database,
        principal,
        confirmation=Confirmation(
            password=body.password.get_secret_value(), code=body.totp_code, client=client
        ),
        secrets=secrets,
        now=now,
    )
    return RecoveryCodesRead(recovery_codes=codes)


@router.get(
    "/sessions",
    summary="My logins: device, browser, address, last use",
    responses=problem_responses(UnauthorizedError, InvalidTokenError),
)
async def list_my_sessions(
    principal: AnyMember, session: SessionDep, settings: SettingsDep, now: NowDep
) -> LoginSessionList:
    entries = await list_logins(session, principal, settings=settings, now=now)
    return LoginSessionList(
        items=[
            LoginSessionRead(
                id=entry.login.id,
                device=entry.login.device,
                browser=entry.login.browser,
                ip=entry.login.ip,
                created_at=entry.login.created_at,
                last_used_at=entry.login.last_used_at,
                current=entry.current,
            )
            for entry in entries
        ]
    )


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out one of my logins",
    description="Its refresh token stops working; its access token runs out within minutes.",
    responses=problem_responses(UnauthorizedError, InvalidTokenError, SessionNotFoundError),
)
async def delete_my_session(
    session_id: uuid.UUID, principal: AnyMember, session: SessionDep, now: NowDep
) -> None:
    await end_login(session, principal, session_id, now=now)


@router.post(
    "/sessions/revoke-all",
    summary="Log out all my other logins (or all, with include_current)",
    responses=problem_responses(UnauthorizedError, InvalidTokenError),
)
async def revoke_my_sessions(
    principal: AnyMember,
    session: SessionDep,
    now: NowDep,
    body: LoginSessionsRevokeCreate | None = None,
) -> LoginSessionsRevokedRead:
    include_current = body.include_current if body is not None else False
    revoked = await end_all_logins(session, principal, include_current=include_current, now=now)
    return LoginSessionsRevokedRead(revoked=revoked)
