"""Migration 0004: the old role "member" becomes "technician"; owners stay owners."""

from __future__ import annotations

import asyncio
import os
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from identity.main import MIGRATIONS_DIR
from servicekit.envelope import EnvelopeCipher
from servicekit.migrations import upgrade
from servicekit.testing import DatabaseFactory


async def test_member_role_becomes_technician_and_owner_stays(
    database_factory: DatabaseFactory,
) -> None:
    url = await database_factory.create_empty("identity_members")
    cipher = EnvelopeCipher({"k-test": os.urandom(32)}, current="k-test")
    attributes = {"envelope_cipher": cipher}
    await asyncio.to_thread(
        upgrade, MIGRATIONS_DIR, url, "0003_login_throttles", attributes=attributes
    )
    organization, owner, member = (uuid.uuid4() for _ in range(3))
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO organizations (id, name, country, vat_id) "
                    "VALUES (:id, 'Muster GmbH', 'DE', 'DE123456704')"
                ),
                {"id": organization},
            )
            for user_id, role in ((owner, "owner"), (member, "member")):
                await connection.execute(
                    text(
                        "INSERT INTO users (id, organization_id, email, name, role, "
                        "password_hash) VALUES (:id, :org, :email, 'Max', :role, 'x')"
                    ),
                    {
                        "id": user_id,
                        "org": organization,
                        "email": f"{user_id}@workshop.example",
                        "role": role,
                    },
                )

        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, url, "head", attributes=attributes)

        async with engine.begin() as connection:
            roles = dict((await connection.execute(text("SELECT id, role FROM users"))).all())
    finally:
        await engine.dispose()
    assert roles == {owner: "owner", member: "technician"}
