"""Dependencies of the identity endpoints, as named ``Annotated`` aliases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from identity.config import Settings
from identity.errors import EnrolmentTokenInvalidError
from identity.services.mail_sender import MailSender
from identity.services.signing_keys import KeyRing
from identity.services.tokens import TokenService
from identity.services.totp_enrolment import Enrolment, authenticate_enrolment
from identity.services.totp_secrets import TotpSecrets
from servicekit.db import Database, SessionDep

__all__ = [
    "ClientAddressDep",
    "DatabaseDep",
    "EnrolmentDep",
    "KeyRingDep",
    "NowDep",
    "SettingsDep",
    "TokenServiceDep",
    "TotpSecretsDep",
    "wake_mail_sender",
]


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _key_ring(request: Request) -> KeyRing:
    key_ring: KeyRing = request.app.state.key_ring
    return key_ring


def _token_service(request: Request) -> TokenService:
    service: TokenService = request.app.state.token_service
    return service


def _now(request: Request) -> datetime:
    """The time of the request by the app's clock (tests move it: create_app(clock=...))."""
    now: datetime = request.app.state.clock()
    return now


def _totp_secrets(request: Request) -> TotpSecrets:
    secrets: TotpSecrets = request.app.state.totp_secrets
    return secrets


async def _enrolment(request: Request, session: SessionDep) -> Enrolment:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise EnrolmentTokenInvalidError(
            "Send the enrolment_token from the login answer as "
            "'Authorization: Bearer <enrolment_token>'."
        )
    return await authenticate_enrolment(session, token.strip(), now=datetime.now(UTC))


# Longer values are cut: the address is a key, and no real address is this long.
_CLIENT_ADDRESS_MAX = 64


def _client_address(request: Request) -> str:
    """The client's address as the gateway resolved it (X-Real-IP, set by the gateway from
    its trusted proxies; services face only the gateway), else the peer's."""
    forwarded = request.headers.get("x-real-ip", "").strip()
    if forwarded:
        return forwarded[:_CLIENT_ADDRESS_MAX]
    return request.client.host if request.client else "unknown"


def wake_mail_sender(request: Request, background_tasks: BackgroundTasks) -> None:
    """Route dependency: nudge the mail sender once the response is sent.

    Background tasks run after the response, and the request's transaction commits before
    the response, so the sender finds the new mail committed.
    """
    sender: MailSender = request.app.state.mail_sender
    background_tasks.add_task(sender.wake)


DatabaseDep = Annotated[Database, Depends(_database)]
SettingsDep = Annotated[Settings, Depends(_settings)]
KeyRingDep = Annotated[KeyRing, Depends(_key_ring)]
TokenServiceDep = Annotated[TokenService, Depends(_token_service)]
EnrolmentDep = Annotated[Enrolment, Depends(_enrolment)]
TotpSecretsDep = Annotated[TotpSecrets, Depends(_totp_secrets)]
ClientAddressDep = Annotated[str, Depends(_client_address)]
NowDep = Annotated[datetime, Depends(_now)]
