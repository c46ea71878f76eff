"""The demo seed: idempotent, a working login, and the CLI that prints it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pyotp
import pytest
from sqlalchemy import func, select, text

from identity.config import Settings
from identity.services.seed import DEMO_EMAIL, seed_demo
from identity.services.totp_secrets import TotpSecrets, load_secret_cipher
from servicekit.db import Database
from servicekit.outbox import outbox_table


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=2)
    yield db
    await db.dispose()


def seed_settings(database_url: str, tmp_path: Path, **values: object) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        jwt_private_key_file=tmp_path / "key.pem",
        secret_keys_file=tmp_path / "secret-keys",
        **values,
    )


def secrets_of(settings: Settings) -> TotpSecrets:
    return TotpSecrets(load_secret_cipher(settings))


async def test_first_seed_creates_the_demo_workshop_with_generated_secrets(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    settings = seed_settings(database_url, tmp_path)
    account = await seed_demo(database, settings, secrets=secrets_of(settings))
    assert account.created is True
    assert account.email == DEMO_EMAIL == "demo@aos.example"
    assert account.password is not None
    assert len(account.password) >= 12
    assert len(account.totp_secret) == 32
    async with database.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT o.name, o.country, o.vat_id, o.street, o.postcode, o.city, u.role,"
                    " u.email_verified_at,"
                    " u.totp_enabled_at FROM users u JOIN organizations o"
                    " ON o.id = u.organization_id WHERE u.email = 'demo@aos.example'"
                )
            )
        ).one()
    assert (row.name, row.country, row.vat_id, row.role) == (
        "Demo Werkstatt GmbH",
        "DE",
        "DE123456704",
        "owner",
    )
    assert row.email_verified_at is not None
    assert row.totp_enabled_at is not None
    # A whole company address: the demo workshop can check out and write service book entries.
    assert (row.street, row.postcode, row.city) == ("Werkstattstraße 1", "80807", "München")


async def test_second_seed_changes_nothing(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    settings = seed_settings(database_url, tmp_path)
    first = await seed_demo(database, settings, secrets=secrets_of(settings))
    second = await seed_demo(database, settings, secrets=secrets_of(settings))
    assert second.created is False
    assert (second.organization_id, second.user_id) == (first.organization_id, first.user_id)
    assert second.totp_secret == first.totp_secret
    assert second.password is None
    async with database.transaction() as session:
        users = (await session.execute(text("SELECT count(*) FROM users"))).scalar_one()
        events = (
            await session.execute(select(func.count()).select_from(outbox_table))
        ).scalar_one()
    assert users == 3  # owner, technician, accountant
    # OrganizationRegistered + UserRegistered, OrganizationUpdated (the company address),
    # MemberJoined twice: once
    assert events == 5


async def test_seed_gives_the_demo_workshop_a_technician_and_an_accountant_who_log_in(
    client, settings: Settings, app
) -> None:
    owner = await seed_demo(app.state.database, settings, secrets=app.state.totp_secrets)
    assert [(member.role, member.email) for member in owner.members] == [
        ("technician", "technician@aos.example"),
        ("accountant", "accountant@aos.example"),
    ]
    for member in owner.members:
        assert member.organization_id == owner.organization_id
        assert member.password is not None
        response = await client.post(
            "/auth/login",
            json={
                "email": member.email,
                "password": member.password,
                "totp_code": pyotp.TOTP(member.totp_secret).now(),
            },
        )
        assert response.status_code == 200, response.text
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert claims["roles"] == [member.role]
        assert claims["org"] == str(owner.organization_id)


async def test_configured_password_and_secret_are_used(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    settings = seed_settings(
        database_url,
        tmp_path,
        demo_password="demo password for tests",
        demo_totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    )
    account = await seed_demo(database, settings, secrets=secrets_of(settings))
    assert account.password == "demo password for tests"
    assert account.totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def test_seeded_demo_account_can_log_in(client, settings: Settings, app) -> None:
    account = await seed_demo(app.state.database, settings, secrets=app.state.totp_secrets)
    assert account.password is not None
    response = await client.post(
        "/auth/login",
        json={
            "email": account.email,
            "password": account.password,
            "totp_code": pyotp.TOTP(account.totp_secret).now(),
        },
    )
    assert response.status_code == 200, response.text


async def test_reset_password_gives_the_existing_account_a_new_working_password(
    client, settings: Settings, app
) -> None:
    first = await seed_demo(app.state.database, settings, secrets=app.state.totp_secrets)
    reset = await seed_demo(
        app.state.database, settings, secrets=app.state.totp_secrets, reset_password=True
    )
    assert reset.password is not None
    assert reset.password != first.password
    old = await client.post("/auth/login", json={"email": DEMO_EMAIL, "password": first.password})
    new = await client.post("/auth/login", json={"email": DEMO_EMAIL, "password": reset.password})
    assert old.status_code == 401
    assert new.json()["type"] == "/problems/totp-required"


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_seed_cli_prints_the_demo_login(database_url: str, tmp_path: Path) -> None:
    code, out, err = await run_cli(
        "-m",
        "identity",
        "seed",
        env={
            "IDENTITY_DATABASE_URL": database_url,
            "AOS_ENVIRONMENT": "test",
            "IDENTITY_DEMO_PASSWORD": "printed demo password",
            "IDENTITY_SECRET_KEYS_FILE": str(tmp_path / "secret-keys"),
        },
    )
    assert code == 0, err
    assert "demo@aos.example" in out
    assert "printed demo password" in out
    assert "TOTP secret:" in out
    assert "technician e-mail:      technician@aos.example" in out
    assert "accountant e-mail:      accountant@aos.example" in out
    assert out.count("printed demo password") == 3


async def test_cli_help_lists_the_commands() -> None:
    code, out, _ = await run_cli("-m", "identity", "--help")
    assert code == 0
    for command in ("migrate", "serve", "seed"):
        assert command in out
