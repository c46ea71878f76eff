"""ECU security secrets at rest: sealed per row, bound to the row, a key required in
production, and existing plain rows sealed by the migration."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from programming.config import Settings
from programming.main import MIGRATIONS_DIR, create_app
from programming.services.ecu_secrets import (
    ecu_secret_context,
    load_secret_cipher,
    rewrap_ecu_secrets,
    unseal_ecu_secret,
)
from programming.services.signing import load_release_key
from servicekit.envelope import EnvelopeCipher, EnvelopeError, EnvelopeKeyError, key_id_of
from servicekit.migrations import upgrade
from servicekit.testing import DatabaseFactory

DME_SECRET = bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506")


async def stored_secrets(app: FastAPI) -> dict[str, bytes]:
    async with app.state.database.transaction() as session:
        rows = await session.execute(text("SELECT key, security_secret_sealed FROM ecu_types"))
        return {key: bytes(sealed) for key, sealed in rows}


async def test_stored_ecu_secrets_are_sealed_and_unseal_to_the_secret(
    app: FastAPI, client: object
) -> None:
    stored = await stored_secrets(app)
    assert set(stored) == {"DME_B48", "BDC_G20", "HU_MGU"}
    assert DME_SECRET not in stored["DME_B48"]
    cipher = app.state.runtime.secret_cipher
    assert unseal_ecu_secret(cipher, "DME_B48", stored["DME_B48"]) == DME_SECRET
    # Bound to its row: the DME's sealed secret does not open as the BDC's.
    with pytest.raises(EnvelopeError):
        unseal_ecu_secret(cipher, "BDC_G20", stored["DME_B48"])


async def test_no_plain_text_column_is_left(app: FastAPI, client: object) -> None:
    async with app.state.database.transaction() as session:
        columns = (
            await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'ecu_types' AND column_name LIKE 'security_secret%'"
                )
            )
        ).scalars()
        assert list(columns) == ["security_secret_sealed"]


async def test_rotation_rewraps_every_secret_to_the_new_key(
    app: FastAPI, client: object, settings: Settings
) -> None:
    old_id = app.state.runtime.secret_cipher.current_key_id
    with settings.secret_keys_file.open("a") as keys:
        keys.write(f"k-next {base64.b64encode(os.urandom(32)).decode()}\n")
    rotated = load_secret_cipher(settings)
    assert rotated.current_key_id == "k-next"
    async with app.state.database.transaction() as session:
        assert await rewrap_ecu_secrets(session, rotated) == 3
    stored = await stored_secrets(app)
    assert {key_id_of(sealed) for sealed in stored.values()} == {"k-next"}
    assert old_id != "k-next"
    assert unseal_ecu_secret(rotated, "DME_B48", stored["DME_B48"]) == DME_SECRET


def test_production_without_the_secret_key_file_refuses_to_start(tmp_path: Path) -> None:
    release_key = tmp_path / "release.pem"
    load_release_key(Settings(environment="test", release_signing_key_file=release_key))
    settings = Settings(
        environment="production",
        release_signing_key_file=release_key,
        secret_keys_file=tmp_path / "missing-secret-keys",
    )
    with pytest.raises(EnvelopeKeyError, match="PROGRAMMING_SECRET_KEYS_FILE"):
        create_app(settings)
    assert not (tmp_path / "missing-secret-keys").exists()


def test_a_missing_secret_key_file_is_generated_in_development(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "secret-keys"
    cipher = load_secret_cipher(Settings(environment="development", secret_keys_file=path))
    assert path.is_file()
    assert (
        cipher.current_key_id
        == load_secret_cipher(
            Settings(environment="development", secret_keys_file=path)
        ).current_key_id
    )


async def test_migration_seals_existing_plain_secrets(database_factory: DatabaseFactory) -> None:
    url = await database_factory.create_empty("programming_seal")
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url, "programming_0002")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO ecu_types (key, name, security_secret, memory_address, "
                    "region_size) VALUES ('DME_B48', 'DME', :secret, 524288, 1048576), "
                    "('BDC_G20', 'BDC', :other, 65536, 65536)"
                ),
                {"secret": DME_SECRET, "other": b"\x01" * 16},
            )
        cipher = EnvelopeCipher({"k-test": os.urandom(32)}, current="k-test")
        await asyncio.to_thread(
            upgrade, MIGRATIONS_DIR, url, "head", attributes={"envelope_cipher": cipher}
        )
        async with engine.begin() as connection:
            result = await connection.execute(
                text("SELECT key, security_secret_sealed FROM ecu_types")
            )
            rows = {key: bytes(sealed) for key, sealed in result}
            plain_column = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM information_schema.columns WHERE "
                        "table_name = 'ecu_types' AND column_name = 'security_secret'"
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert plain_column == 0
    assert DME_SECRET not in rows["DME_B48"]
    assert cipher.unseal(rows["DME_B48"], context=ecu_secret_context("DME_B48")) == DME_SECRET
    assert cipher.unseal(rows["BDC_G20"], context=ecu_secret_context("BDC_G20")) == b"\x01" * 16
