"""The identity service app: ``uvicorn identity.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from identity.api import ROUTERS
from identity.api.member_deps import system_clock
from identity.config import Settings
from identity.services.mail_sender import MailSender
from identity.services.signing_keys import load_key_ring
from identity.services.tokens import TokenService
from identity.services.totp_secrets import TotpSecrets, load_secret_cipher
from servicekit.app import ServiceSpec, create_service_app

__all__ = ["MIGRATIONS_DIR", "VERSION", "create_app"]

VERSION = "0.1.0"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


class _LocalJwksTransport(httpx.AsyncBaseTransport):
    """Answers JWKS requests from the app's own key ring.

    The identity service checks its own access tokens (GET /me) against the keys it holds,
    instead of fetching its own JWKS over the network; it holds no connections to close.
    """

    app: FastAPI | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key_ring = getattr(self.app.state, "key_ring", None) if self.app else None
        if key_ring is None:
            return httpx.Response(503, json={"detail": "signing keys not loaded yet"})
        return httpx.Response(200, json=key_ring.jwks())


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Raises SigningKeyError (the service does not start) when the key is unusable.
        key_ring = await asyncio.to_thread(load_key_ring, settings)
        app.state.key_ring = key_ring
        app.state.token_service = TokenService(key_ring, settings=settings)
        sender = MailSender(
            app.state.database,
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            mail_from=settings.mail_from,
            timeout=settings.smtp_timeout_seconds,
            poll_interval=settings.mail_poll_seconds,
        )
        app.state.mail_sender = sender
        task: asyncio.Task[None] | None = None
        if settings.run_mail_sender:
            task = asyncio.create_task(sender.run(), name="mail-sender")
        try:
            yield
        finally:
            if task is not None:
                sender.stop()
                # A delivery in progress may finish (bounded by the SMTP timeout); after that
                # the task is cancelled, and the mail is retried at the next start.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(settings.smtp_timeout_seconds + 1):
                        await task

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    jwks_http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> FastAPI:
    """Build the app; ``jwks_http`` replaces the in-process key lookup (tests), ``clock`` the
    time that member changes, invitations and one-time links (password reset, e-mail change)
    are measured by (tests move it).

    Raises servicekit.envelope.EnvelopeKeyError (the service does not start) when the keys
    that seal TOTP secrets are missing outside development and test, or unusable."""
    settings = settings or Settings()
    totp_secrets = TotpSecrets(load_secret_cipher(settings))
    spec = ServiceSpec(
        title="AOS identity",
        version=VERSION,
        routers=ROUTERS,
        migrations_dir=MIGRATIONS_DIR,
        lifespan=_lifespan(settings),
        description=(
            "Organisations and their users: registration, e-mail verification, login with "
            "TOTP, access and refresh tokens, and the JWKS other services verify tokens with."
        ),
    )
    local_jwks = _LocalJwksTransport()
    app = create_service_app(
        settings, spec, jwks_http=jwks_http or httpx.AsyncClient(transport=local_jwks)
    )
    local_jwks.app = app
    app.state.totp_secrets = totp_secrets
    app.state.clock = clock
    return app
