"""Loading the content pack: idempotent, by id and content hash."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from asyncio.subprocess import PIPE

from fastapi import FastAPI
from sqlalchemy import text

from air.config import Settings
from air.content import load_pack
from air.main import create_app
from air.services.seeding import seed_content
from servicekit.db import Database
from servicekit.testing import TestTokenIssuer, running_app


async def test_first_seed_inserts_every_document(database_url: str) -> None:
    database = Database(database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            counts = await seed_content(session, load_pack())
    finally:
        await database.dispose()

    assert (counts.inserted, counts.updated, counts.unchanged) == (len(load_pack().documents), 0, 0)


async def test_seeding_again_changes_nothing(app: FastAPI, client: object) -> None:
    database: Database = app.state.database
    async with database.transaction() as session:
        before = (await session.execute(text("SELECT id, xmin::text FROM documents"))).all()
        counts = await seed_content(session, load_pack())
    async with database.transaction() as session:
        after = (await session.execute(text("SELECT id, xmin::text FROM documents"))).all()

    assert (counts.inserted, counts.updated) == (0, 0)
    assert counts.unchanged == len(load_pack().documents)
    assert sorted(after) == sorted(before)  # no row was rewritten


async def test_changed_document_is_updated_and_searchable_by_its_new_words(
    app: FastAPI, client: object
) -> None:
    pack = load_pack()
    first = pack.documents[0]
    changed = dataclasses.replace(first, body=first.body + "\n\nNote: zanzibarite coating.")
    edited = dataclasses.replace(pack, documents=(changed, *pack.documents[1:]))
    database: Database = app.state.database

    async with database.transaction() as session:
        counts = await seed_content(session, edited)
    async with database.transaction() as session:
        found = (
            (
                await session.execute(
                    text(
                        "SELECT id FROM documents WHERE search_vector @@ "
                        "websearch_to_tsquery('english', 'zanzibarite')"
                    )
                )
            )
            .scalars()
            .all()
        )

    assert (counts.inserted, counts.updated) == (0, 1)
    assert found == [first.id]


async def test_seed_command_loads_the_pack_into_the_configured_database(
    database_url: str,
) -> None:
    env = {**os.environ, "AIR_DATABASE_URL": database_url, "AOS_ENVIRONMENT": "test"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "air", "seed", env=env, stdout=PIPE, stderr=PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    database = Database(database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            stored = (await session.execute(text("SELECT count(*) FROM documents"))).scalar_one()
    finally:
        await database.dispose()

    assert process.returncode == 0, stderr.decode()
    documents = len(load_pack().documents)
    assert f"{documents} inserted, 0 updated, 0 unchanged" in stdout.decode()
    assert stored == documents


def test_command_line_help_lists_the_commands() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "air", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert run.returncode == 0
    for command in ("migrate", "seed", "serve"):
        assert command in run.stdout


async def test_development_start_loads_the_pack(
    settings: Settings, token_issuer: TestTokenIssuer
) -> None:
    development = settings.model_copy(update={"environment": "development", "seed_on_start": None})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(development, jwks_http=jwks_http)
        async with running_app(app), app.state.database.transaction() as session:
            stored = (await session.execute(text("SELECT count(*) FROM documents"))).scalar_one()

    assert stored == len(load_pack().documents)


async def test_every_language_version_is_stored_and_german_is_searched_in_german(
    app: FastAPI, client: object
) -> None:
    database: Database = app.state.database
    async with database.transaction() as session:
        stored = set((await session.execute(text("SELECT id, language FROM documents"))).all())
        german = (
            (
                await session.execute(
                    text(
                        "SELECT id FROM documents WHERE language = 'de' AND search_vector @@ "
                        "websearch_to_tsquery('german', 'Bremsflüssigkeiten wechseln')"
                    )
                )
            )
            .scalars()
            .all()
        )

    assert stored == {(doc.id, doc.language.value) for doc in load_pack().documents}
    assert {language for _, language in stored} == {"en", "de"}
    assert "ri-all-brake-fluid-change" in german


async def test_a_changed_translation_updates_only_its_own_language_row(
    app: FastAPI, client: object
) -> None:
    pack = load_pack()
    german = next(doc for doc in pack.documents if doc.language.value == "de")
    changed = dataclasses.replace(german, body=german.body + "\n\nHinweis: geändert.")
    edited = dataclasses.replace(
        pack, documents=tuple(changed if doc is german else doc for doc in pack.documents)
    )
    database: Database = app.state.database
    versions = text("SELECT language, xmin::text FROM documents WHERE id = :id ORDER BY language")

    async with database.transaction() as session:
        rows = await session.execute(versions, {"id": german.id})
        before = {row.language: row.xmin for row in rows}
        counts = await seed_content(session, edited)
    async with database.transaction() as session:
        rows = await session.execute(versions, {"id": german.id})
        after = {row.language: row.xmin for row in rows}

    assert (counts.inserted, counts.updated) == (0, 1)
    assert after["en"] == before["en"]
    assert after["de"] != before["de"]
