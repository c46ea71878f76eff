"""TOTP secrets at rest: sealed per user row, a key required in production, and existing
plain rows sealed by the migration."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from identity.__main__ import main
from identity.config import Settings
from identity.main import MIGRATIONS_DIR, create_app
from identity.services.totp_secrets import load_secret_cipher, totp_context
from servicekit.envelope import (
    EnvelopeCipher,
    EnvelopeError,
    EnvelopeKeyError,
    key_id_of,
    new_key_line,
)
from servicekit.migrations import upgrade
from servicekit.testing import DatabaseFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def sealed_row(app: FastAPI, user_id: uuid.UUID) -> dict[str, Any]:
    async with app.state.database.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT totp_secret_sealed, totp_pending_secret_sealed FROM users "
                    "WHERE id = :id"
                ),
                {"id": user_id},
            )
        ).one()
    return {"active": row[0], "pending": row[1]}


async def test_a_confirmed_totp_secret_is_stored_sealed(app: FastAPI, identity: Any) -> None:
    account = await identity.ready_account()
    stored = await sealed_row(app, account.user_id)
    assert stored["pending"] is None
    sealed = bytes(stored["active"])
    assert account.totp_secret.encode() not in sealed
    cipher: EnvelopeCipher = app.state.totp_secrets.cipher
    context = totp_context(account.user_id, "totp_secret")
    assert cipher.unseal(sealed, context=context).decode() == account.totp_secret
    # Bound to its row: the same bytes do not open as another user's secret.
    with pytest.raises(EnvelopeError):
        cipher.unseal(sealed, context=totp_context(uuid.uuid4(), "totp_secret"))
    # And the login still checks codes against it.
    assert (await identity.login(account, totp_code=account.next_code())).status_code == 200


async def test_a_pending_enrolment_secret_is_stored_sealed(
    app: FastAPI, identity: Any, client: Any
) -> None:
    account = await identity.register()
    await identity.verify(account)
    enrolment_token = (await identity.login(account)).json()["enrolment_token"]
    started = await client.post(
        "/totp/enrolment", headers={"Authorization": f"Bearer {enrolment_token}"}
    )
    secret = started.json()["secret"]
    stored = await sealed_row(app, account.user_id)
    assert stored["active"] is None
    assert secret.encode() not in bytes(stored["pending"])
    cipher: EnvelopeCipher = app.state.totp_secrets.cipher
    context = totp_context(account.user_id, "totp_pending_secret")
    assert cipher.unseal(bytes(stored["pending"]), context=context).decode() == secret


async def test_no_plain_text_column_is_left(app: FastAPI, client: Any) -> None:
    async with app.state.database.transaction() as session:
        columns = (
            await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = "
                    "'users' AND column_name LIKE 'totp%secret%' ORDER BY column_name"
                )
            )
        ).scalars()
        assert list(columns) == ["totp_pending_secret_sealed", "totp_secret_sealed"]


async def test_rotate_secret_keys_moves_every_totp_secret_to_the_new_key(
    app: FastAPI,
    identity: Any,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = await identity.ready_account()
    with settings.secret_keys_file.open("a") as out:
        out.write(new_key_line("k-next"))
    monkeypatch.setenv("AOS_ENVIRONMENT", settings.environment)
    monkeypatch.setenv("IDENTITY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IDENTITY_SECRET_KEYS_FILE", str(settings.secret_keys_file))

    # `python -m identity rotate-secret-keys` (it runs its own event loop).
    assert await asyncio.to_thread(main, ["rotate-secret-keys"]) == 0

    assert "identity: 1 TOTP secret(s) rewrapped to key k-next" in capsys.readouterr().out
    sealed = bytes((await sealed_row(app, account.user_id))["active"])
    assert key_id_of(sealed) == "k-next"
    context = totp_context(account.user_id, "totp_secret")
    assert load_secret_cipher(settings).unseal(sealed, context=context).decode() == (
        account.totp_secret
    )


def test_production_without_the_secret_key_file_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        jwt_private_key_file=tmp_path / "jwt.pem",
        secret_keys_file=tmp_path / "missing-secret-keys",
    )
    with pytest.raises(EnvelopeKeyError, match="IDENTITY_SECRET_KEYS_FILE"):
        create_app(settings)
    assert not (tmp_path / "missing-secret-keys").exists()


async def test_migration_seals_existing_plain_totp_secrets(
    database_factory: DatabaseFactory,
) -> None:
    url = await database_factory.create_empty("identity_seal")
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url, "0001_initial")
    organization, enabled, pending, without = (uuid.uuid4() for _ in range(4))
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO organizations (id, name, country, vat_id) "
                    "VALUES (:id, 'Muster GmbH', 'DE', 'DE123456789')"
                ),
                {"id": organization},
            )
            for user_id, active, pending_secret in (
                (enabled, SECRET, None),
                (pending, None, "KRSXG5CTMVRXEZLU"),
                (without, None, None),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO users (id, organization_id, email, name, role, "
                        "password_hash, totp_secret, totp_pending_secret) VALUES (:id, :org, "
                        ":email, 'Max', 'owner', 'x', :active, :pending)"
                    ),
                    {
                        "id": user_id,
                        "org": organization,
                        "email": f"{user_id}@workshop.example",
                        "active": active,
                        "pending": pending_secret,
                    },
                )
        cipher = EnvelopeCipher({"k-test": os.urandom(32)}, current="k-test")
        await asyncio.to_thread(
            upgrade, MIGRATIONS_DIR, url, "head", attributes={"envelope_cipher": cipher}
        )
        async with engine.begin() as connection:
            result = await connection.execute(
                text("SELECT id, totp_secret_sealed, totp_pending_secret_sealed FROM users")
            )
            rows = {user_id: (active, pending) for user_id, active, pending in result}
            plain = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                        "'users' AND column_name IN ('totp_secret', 'totp_pending_secret')"
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert plain == 0
    active_sealed = bytes(rows[enabled][0])
    assert SECRET.encode() not in active_sealed
    assert cipher.unseal(active_sealed, context=totp_context(enabled, "totp_secret")) == (
        SECRET.encode()
    )
    assert rows[enabled][1] is None
    assert rows[pending][0] is None
    assert (
        cipher.unseal(bytes(rows[pending][1]), context=totp_context(pending, "totp_pending_secret"))
        == b"KRSXG5CTMVRXEZLU"
    )
    assert rows[without] == (None, None)
