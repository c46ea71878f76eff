"""Confirming a new e-mail address with the link mailed to it (no login needed: the link
proves the mailbox)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from identity.api.account_schemas import EmailChangeConfirmCreate, EmailChangeRead
from identity.api.deps import NowDep, SettingsDep, wake_mail_sender
from identity.errors import (
    EmailChangeTokenExpiredError,
    EmailChangeTokenInvalidError,
    EmailChangeTokenUsedError,
    EmailTakenError,
)
from identity.services.account import confirm_email_change
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["account"])


@router.post(
    "/email-changes/confirm",
    summary="Make the new address the account's, with the token mailed to it",
    description="The old address is told by mail. Logins stay as they are.",
    dependencies=[Depends(wake_mail_sender)],
    responses=problem_responses(
        EmailChangeTokenInvalidError,
        EmailChangeTokenUsedError,
        EmailChangeTokenExpiredError,
        EmailTakenError,
    ),
)
async def create_email_change_confirmation(
    body: EmailChangeConfirmCreate, session: SessionDep, settings: SettingsDep, now: NowDep
) -> EmailChangeRead:
    user = await confirm_email_change(session, body.token, settings=settings, now=now)
    return EmailChangeRead(user_id=user.id, email=user.email)
