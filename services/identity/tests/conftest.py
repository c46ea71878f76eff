"""Fixtures of the identity tests: a fresh migrated database, an in-process SMTP sink, the app.

Helpers that walk a user through the flows are offered as the ``identity`` fixture (an
:class:`IdentityClient`), because test modules cannot import each other here.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from identity.config import Settings
from identity.mailsink import MailSink, extract_verification_token, message_text
from identity.main import MIGRATIONS_DIR, create_app
from servicekit.testing import DatabaseFactory, assert_problem, running_app

PASSWORD = "correct horse battery staple"
# VAT ids with right check digits, one per country the tests register in.
SAMPLE_VAT_IDS = {
    "DE": "DE123456704",
    "AT": "ATU12345602",
    "FR": "FR40303265045",
    "NL": "NL123456708B01",
}


@pytest.fixture
async def database_url(database_factory: DatabaseFactory) -> str:
    return await database_factory.create(MIGRATIONS_DIR)


@pytest.fixture
async def mail_sink() -> AsyncIterator[MailSink]:
    async with MailSink(port=0) as sink:
        yield sink


def make_settings(
    *, database_url: str, smtp_port: int, key_dir: Path, topic_namespace: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "smtp_port": smtp_port,
        "jwt_private_key_file": key_dir / "jwt-signing-key.pem",
        "secret_keys_file": key_dir / "secret-keys",
        "topic_namespace": topic_namespace,
        "run_background_workers": False,
        "migrate_on_start": False,
        "mail_poll_seconds": 0.5,
        "portal_url": "http://portal.test",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(
    database_url: str, mail_sink: MailSink, tmp_path: Path, topic_namespace: str
) -> Settings:
    return make_settings(
        database_url=database_url,
        smtp_port=mail_sink.port,
        key_dir=tmp_path,
        topic_namespace=topic_namespace,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as http:
        yield http


@dataclass
class Account:
    email: str
    password: str
    organization_id: uuid.UUID
    user_id: uuid.UUID
    totp_secret: str | None = None
    recovery_codes: list[str] | None = None

    def next_code(self) -> str:
        """A code of the next time step: accepted, and never a step used before (the step
        of the enrolment confirmation or of an earlier login in this test)."""
        assert self.totp_secret is not None
        return pyotp.TOTP(self.totp_secret).at(time.time() + 30)


class IdentityClient:
    """Drives the public API the way the portal does."""

    def __init__(self, http: httpx.AsyncClient, sink: MailSink) -> None:
        self.http = http
        self.sink = sink

    async def register(self, *, email: str | None = None, **fields: Any) -> Account:
        email = email or f"owner-{uuid.uuid4().hex[:8]}@workshop.example"
        body = {
            "company_name": "Muster Kfz-Service GmbH",
            "country": "DE",
            "vat_id": SAMPLE_VAT_IDS[fields.get("country", "DE")],
            "owner_name": "Max Mustermann",
            "email": email,
            "password": PASSWORD,
            **fields,
        }
        response = await self.http.post("/organizations", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        return Account(
            email=data["email"],
            password=body["password"],
            organization_id=uuid.UUID(data["organization_id"]),
            user_id=uuid.UUID(data["user_id"]),
        )

    async def verification_token(self, email: str, *, count: int = 1) -> str:
        mail = await self.sink.wait_for(recipient=email, count=count)
        return extract_verification_token(mail.message)

    async def verify(self, account: Account) -> None:
        token = await self.verification_token(account.email)
        response = await self.http.post("/email-verifications", json={"token": token})
        assert response.status_code == 200, response.text

    async def login(
        self, account: Account, *, totp_code: str | None = None, client: str | None = None
    ) -> httpx.Response:
        """Log in; ``client`` is the address the gateway would pass on (X-Real-IP)."""
        body: dict[str, Any] = {"email": account.email, "password": account.password}
        if totp_code is not None:
            body["totp_code"] = totp_code
        headers = {"X-Real-IP": client} if client is not None else None
        return await self.http.post("/auth/login", json=body, headers=headers)

    async def enrol(self, account: Account) -> None:
        response = await self.login(account)
        assert response.status_code == 403, response.text
        enrolment_token = response.json()["enrolment_token"]
        auth = {"Authorization": f"Bearer {enrolment_token}"}
        started = await self.http.post("/totp/enrolment", headers=auth)
        assert started.status_code == 200, started.text
        secret = started.json()["secret"]
        confirmed = await self.http.post(
            "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
        )
        assert confirmed.status_code == 200, confirmed.text
        account.totp_secret = secret
        account.recovery_codes = confirmed.json()["recovery_codes"]

    async def ready_account(self, **fields: Any) -> Account:
        """A registered, verified account with TOTP set up."""
        account = await self.register(**fields)
        await self.verify(account)
        await self.enrol(account)
        return account

    async def tokens(self, account: Account) -> dict[str, Any]:
        """The login's JSON answer, plus ``refresh_token``: the value of its refresh cookie
        (the answer itself never carries it), for tests that present it again."""
        response = await self.login(account, totp_code=account.next_code())
        assert response.status_code == 200, response.text
        return self.with_refresh_cookie(response)

    async def refresh(
        self, refresh_token: str | None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST /auth/refresh as the portal does: the cookie and the CSRF header (``headers``
        adds to them)."""
        return await self.http.post(
            "/auth/refresh", headers=self.cookie_headers(refresh_token) | (headers or {})
        )

    async def logout(
        self, refresh_token: str | None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.http.post(
            "/auth/logout", headers=self.cookie_headers(refresh_token) | (headers or {})
        )

    @staticmethod
    def cookie_headers(refresh_token: str | None, *, csrf: bool = True) -> dict[str, str]:
        """The refresh cookie and CSRF header the browser sends (set by hand: the service is
        called at /auth/..., not at the gateway path the cookie is scoped to)."""
        headers = {"X-AOS-CSRF": "1"} if csrf else {}
        if refresh_token is not None:
            headers["Cookie"] = f"aos_refresh={refresh_token}"
        return headers

    @staticmethod
    def with_refresh_cookie(response: httpx.Response) -> dict[str, Any]:
        """The JSON answer of a login or refresh, plus ``refresh_token`` from its cookie."""
        data: dict[str, Any] = response.json()
        assert "refresh_token" not in data, "the refresh token must travel only in its cookie"
        data["refresh_token"] = response.cookies["aos_refresh"]
        return data


@pytest.fixture
def identity(client: httpx.AsyncClient, mail_sink: MailSink) -> IdentityClient:
    return IdentityClient(client, mail_sink)


@pytest.fixture
def problem() -> Any:
    return assert_problem


# --- Members and invitations ------------------------------------------------------------------

_INVITATION_LINK = re.compile(r"accept-invitation\?token=([^\s]+)")


@dataclass
class Member:
    """A logged-in member: the account and the bearer header of its access token."""

    account: Account
    headers: dict[str, str]
    access_token: str
    refresh_token: str


class MembersClient:
    """Drives owners and admins through inviting, and invited people through joining."""

    def __init__(self, identity: IdentityClient) -> None:
        self.identity = identity
        self.http = identity.http

    async def logged_in(self, account: Account) -> Member:
        """Log the account in (once per test: a TOTP step is accepted once)."""
        tokens = await self.identity.tokens(account)
        return Member(
            account=account,
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
        )

    async def owner(self, **fields: Any) -> Member:
        """A new workshop's owner, logged in."""
        return await self.logged_in(await self.identity.ready_account(**fields))

    async def invite(
        self, inviter: Member, *, role: str, email: str | None = None
    ) -> httpx.Response:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@workshop.example"
        return await self.http.post(
            "/organizations/current/invitations",
            json={"email": email, "role": role},
            headers=inviter.headers,
        )

    async def invitation_token(self, email: str, *, count: int = 1) -> str:
        """The token of the ``count``-th invitation mail to ``email`` (from the mail sink)."""
        mail = await self.identity.sink.wait_for(recipient=email, count=count)
        text = message_text(mail.message)
        found = _INVITATION_LINK.search(text)
        assert found is not None, text
        return unquote(found.group(1))

    async def accept(self, token: str, *, name: str = "Anna Schrauber") -> httpx.Response:
        return await self.http.post(
            "/invitations/accept", json={"token": token, "name": name, "password": PASSWORD}
        )

    async def join(self, inviter: Member, *, role: str) -> Account:
        """Invite someone with ``role``, accept from the mail, set up TOTP: a ready account."""
        invited = await self.invite(inviter, role=role)
        assert invited.status_code == 201, invited.text
        email = invited.json()["email"]
        accepted = await self.accept(await self.invitation_token(email))
        assert accepted.status_code == 201, accepted.text
        data = accepted.json()
        auth = {"Authorization": f"Bearer {data['enrolment_token']}"}
        started = await self.http.post("/totp/enrolment", headers=auth)
        assert started.status_code == 200, started.text
        secret = started.json()["secret"]
        confirmed = await self.http.post(
            "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
        )
        assert confirmed.status_code == 200, confirmed.text
        return Account(
            email=email,
            password=PASSWORD,
            organization_id=uuid.UUID(data["organization_id"]),
            user_id=uuid.UUID(data["user_id"]),
            totp_secret=secret,
            recovery_codes=confirmed.json()["recovery_codes"],
        )

    async def member(self, inviter: Member, *, role: str) -> Member:
        """A joined member of the inviter's workshop, logged in."""
        return await self.logged_in(await self.join(inviter, role=role))


@pytest.fixture
def members(identity: IdentityClient) -> MembersClient:
    return MembersClient(identity)
