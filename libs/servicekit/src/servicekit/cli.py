"""The commands every service's ``python -m <service>`` has: ``migrate`` and ``serve``,
``replay-dlq`` for a service that consumes events, and ``rotate-secret-keys`` for one that seals
secrets (servicekit.envelope).

Each service's ``__main__`` builds its own parser (it has commands of its own, such as ``seed``)
and calls these for the shared ones, so they behave the same everywhere.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servicekit.migrations import upgrade
from servicekit.multiprocess_metrics import multiprocess_directory
from servicekit.server import http_protocol
from servicekit.settings import ServiceSettings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from servicekit.app import ConsumerSpec
    from servicekit.envelope import EnvelopeCipher


WORKER_START_TIMEOUT_SECONDS = 60


def add_standard_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], settings: type[ServiceSettings]
) -> None:
    """Add ``migrate`` and ``serve`` (with ``--host``/``--port``) to a subparser set."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    defaults = settings.model_fields
    commands.add_parser("migrate", help=f"apply the database migrations to {prefix}DATABASE_URL")
    serve = commands.add_parser("serve", help="run the HTTP service with uvicorn")
    serve.add_argument(
        "--host", help=f"bind address (default: {prefix}HOST or {defaults['host'].default})"
    )
    serve.add_argument(
        "--port", type=int, help=f"port (default: {prefix}PORT or {defaults['port'].default})"
    )


def migrate(migrations_dir: Path, settings: ServiceSettings) -> None:
    upgrade(migrations_dir, settings.database_url)
    print(f"{settings.service_name}: migrations applied")


def serve(
    app: Any, settings: ServiceSettings, *, host: str | None = None, port: int | None = None
) -> None:
    """Run ``app`` (an ASGI app, or an import string of a factory) with uvicorn.

    Our JSON logging stays in charge (``log_config=None``); X-Forwarded-* headers are not
    trusted by the services: only the gateway faces clients. The HTTP protocol enforces the
    settings' header size limit and header/body timeouts, WebSockets its
    :class:`~servicekit.server.WebSocketOptions` (:mod:`servicekit.server`). With
    ``settings.workers`` above 1 (``app`` must then be an import string) the workers' metrics
    are merged (:mod:`servicekit.multiprocess_metrics`).
    """
    import uvicorn

    def run() -> None:
        uvicorn.run(
            app,
            factory=isinstance(app, str),
            host=host or settings.host,
            port=port or settings.port,
            workers=settings.workers,
            # uvicorn restarts a worker that has not started within this (5 s by default): a
            # service's imports alone can take longer on a busy machine, and a restart only
            # starts the wait over.
            timeout_worker_healthcheck=WORKER_START_TIMEOUT_SECONDS,
            log_config=None,
            proxy_headers=False,
            http=http_protocol(settings.connection_limits),
            **settings.websocket_options.uvicorn_options(),
        )

    if settings.workers > 1:
        with multiprocess_directory(prefix=f"aos-{settings.service_name}-metrics-"):
            run()
    else:
        run()


def add_replay_dlq_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], *, service: str
) -> None:
    """Add ``replay-dlq [--consumer NAME] [--dry-run]`` to a subparser set."""
    replay = commands.add_parser(
        "replay-dlq",
        help="republish a consumer's dead-lettered events to their original topic",
        description=(
            f"Republish the events a consumer of {service} dead-lettered (to <topic>.dlq) to "
            "their original topic, with their original key, headers and event id. Consumers "
            "deduplicate by event id, so replaying an event that was applied after all is "
            "harmless. A second run sends only dead letters that arrived since the first. "
            "Uses KAFKA_BOOTSTRAP_SERVERS and AOS_TOPIC_NAMESPACE."
        ),
    )
    replay.add_argument(
        "--consumer",
        metavar="NAME",
        help="the consumer whose dead letters to replay (default: the service's only consumer)",
    )
    replay.add_argument(
        "--dry-run", action="store_true", help="only list what would be replayed; send nothing"
    )


def replay_dlq(
    settings: ServiceSettings,
    consumers: Sequence[ConsumerSpec],
    *,
    consumer: str | None,
    dry_run: bool,
) -> int:
    """Run ``replay-dlq``; returns the exit status (0, or 2 for an unknown consumer).

    Besides ``consumers`` (the service's own) every service has the consumer of its token deny
    list (servicekit.revocations), which is only replayed when named."""
    from servicekit.app import ConsumerSpec
    from servicekit.dlq import replay_dead_letters
    from servicekit.revocations import IDENTITY_TOPIC, revocations_consumer_name

    deny_list = ConsumerSpec(
        name=revocations_consumer_name(settings.service_name),
        topics=[IDENTITY_TOPIC],
        subscriptions={},  # replaying republishes; it applies nothing itself
    )
    known = [*consumers, deny_list]
    names = [spec.name for spec in known]
    if consumer is None and len(consumers) == 1:
        consumer = consumers[0].name
    chosen = [spec for spec in known if spec.name == consumer]
    if not chosen:
        print(
            f"{settings.service_name}: choose a consumer with --consumer: {', '.join(names)}"
            if consumer is None
            else f"{settings.service_name}: no consumer {consumer!r}; it has: {', '.join(names)}"
        )
        return 2
    spec = chosen[0]
    asyncio.run(
        replay_dead_letters(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            consumer=settings.topic(spec.name),
            topics=[settings.topic(topic) for topic in spec.topics],
            dry_run=dry_run,
            progress=lambda line: print(line, flush=True),
        )
    )
    return 0


def add_rotate_secret_keys_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], *, sealed: str
) -> None:
    """Add ``rotate-secret-keys``; ``sealed`` names what the service seals ("TOTP secret")."""
    commands.add_parser(
        "rotate-secret-keys",
        help=f"rewrap every sealed {sealed} with the current key-encryption key",
    )


def rotate_secret_keys(
    settings: ServiceSettings,
    cipher: EnvelopeCipher,
    rewrap: Callable[[AsyncSession, EnvelopeCipher], Awaitable[int]],
    *,
    sealed: str,
) -> int:
    """Run ``rotate-secret-keys``: ``rewrap`` (the service's own: it knows its rows) moves every
    sealed value to ``cipher``'s current key in one transaction and returns how many changed.
    Returns the exit status."""
    from servicekit.db import Database

    async def run() -> int:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction() as session:
                return await rewrap(session, cipher)
        finally:
            await database.dispose()

    changed = asyncio.run(run())
    print(
        f"{settings.service_name}: {changed} {sealed}(s) rewrapped to key "
        f"{cipher.current_key_id}; keys no longer named by any row may now leave the key file"
    )
    return 0
