"""Alembic per service: the command that applies migrations and the shared env.py body.

A service keeps ``migrations/`` (env.py + versions/) beside ``src/``. Its env.py calls
:func:`run_env` with its metadata; :func:`upgrade` applies everything up to head.

Several processes may migrate one database at once: the workers of one service with
``migrate_on_start``, or replicas started together. :func:`run_env` serialises them with a
session-level advisory lock keyed by the service's name, taken before Alembic reads the current
revision: the second process waits, then finds the database at head and does nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from servicekit.envelope import EnvelopeCipher
from servicekit.leader import advisory_key
from servicekit.logging import get_logger
from servicekit.outbox import messaging_metadata
from servicekit.revocations import revocations_metadata

log = get_logger(__name__)

# The first key of the migration lock (servicekit.leader keeps the classes apart).
MIGRATION_LOCK_CLASS = 0x0A05_0002


def migration_lock_key(service: str) -> tuple[int, int]:
    """The two int4 keys of the advisory lock that serialises ``service``'s migrations."""
    return advisory_key(MIGRATION_LOCK_CLASS, service)


def alembic_config(
    migrations_dir: Path, database_url: str, *, attributes: Mapping[str, Any] | None = None
) -> Config:
    """``attributes`` reach the migrations as ``context.config.attributes`` (e.g. the cipher
    a data migration seals with, see :func:`migration_cipher`)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes.update(attributes or {})
    config.attributes["database_url"] = database_url
    # A service keeps its migrations in <service>/migrations: the folder names the lock.
    config.attributes.setdefault("service", migrations_dir.resolve().parent.name)
    return config


def upgrade(
    migrations_dir: Path,
    database_url: str,
    revision: str = "head",
    *,
    attributes: Mapping[str, Any] | None = None,
) -> None:
    """Apply migrations synchronously (it runs its own event loop: call it from a thread)."""
    command.upgrade(alembic_config(migrations_dir, database_url, attributes=attributes), revision)


def downgrade(
    migrations_dir: Path,
    database_url: str,
    revision: str,
    *,
    attributes: Mapping[str, Any] | None = None,
) -> None:
    """Revert migrations down to ``revision`` synchronously (call it from a thread)."""
    command.downgrade(alembic_config(migrations_dir, database_url, attributes=attributes), revision)


def migration_attribute(name: str) -> Any:
    """An attribute the caller of :func:`upgrade` passed, or None (from inside a migration)."""
    return context.config.attributes.get(name)


def migration_cipher(load: Callable[[], EnvelopeCipher]) -> EnvelopeCipher:
    """For a data migration that seals values: the envelope cipher the caller of
    :func:`upgrade` passed (``attributes={"envelope_cipher": ...}``: tests, a seed command), or
    else ``load()``, the service's own from its settings, as the running service will use."""
    cipher = migration_attribute("envelope_cipher")
    return cipher if isinstance(cipher, EnvelopeCipher) else load()


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's env.py: online migrations over the async engine."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database URL: pass it via alembic_config() or sqlalchemy.url")

    service = str(context.config.attributes.get("service") or "alembic")
    lock_key = migration_lock_key(service)

    def migrate(connection: Connection) -> None:
        _lock_migrations(connection, lock_key, service=service)
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        # The next waiting process may go on. After a failure the lock goes with the connection,
        # which the engine (NullPool) closes.
        connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), _lock_params(lock_key))
        connection.commit()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


def _lock_params(key: tuple[int, int]) -> dict[str, int]:
    return {"a": key[0], "b": key[1]}


def _lock_migrations(connection: Connection, key: tuple[int, int], *, service: str) -> None:
    """Wait for the service's migration lock (session-level: it outlives the transactions
    Alembic opens and commits), saying so when another process holds it."""
    params = _lock_params(key)
    if not connection.scalar(text("SELECT pg_try_advisory_lock(:a, :b)"), params):
        log.info("another process is migrating the database; waiting for it", service=service)
        connection.execute(text("SELECT pg_advisory_lock(:a, :b)"), params)
    # Ends the transaction the statement began, so Alembic begins its own; the lock stays.
    connection.commit()


def create_messaging_tables(op: Operations) -> None:
    """Create the outbox and inbox tables; call from a service's first migration."""
    messaging_metadata.create_all(op.get_bind())


def drop_messaging_tables(op: Operations) -> None:
    messaging_metadata.drop_all(op.get_bind())


def add_outbox_trace_context(op: Operations) -> None:
    """Add the outbox's ``trace_context`` column (servicekit.tracing); one migration per service.

    ``IF NOT EXISTS``: a database created from scratch has it already, because the first
    migration creates the messaging tables from today's :data:`messaging_metadata`.
    """
    op.execute("ALTER TABLE outbox ADD COLUMN IF NOT EXISTS trace_context JSONB")


def drop_outbox_trace_context(op: Operations) -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN IF EXISTS trace_context")


def create_token_revocations_table(op: Operations) -> None:
    """Create the token deny list table (servicekit.revocations); call from a migration of
    every service."""
    revocations_metadata.create_all(op.get_bind())


def drop_token_revocations_table(op: Operations) -> None:
    revocations_metadata.drop_all(op.get_bind())
