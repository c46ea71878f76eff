"""The two commands every service's ``python -m <service>`` has: ``migrate`` and ``serve``.

Each service's ``__main__`` builds its own parser (it has commands of its own, such as ``seed``)
and calls these for the shared ones, so they behave the same everywhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from servicekit.migrations import upgrade
from servicekit.server import http_protocol
from servicekit.settings import ServiceSettings


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
    settings' header size limit and header/body timeouts (:mod:`servicekit.server`).
    """
    import uvicorn

    uvicorn.run(
        app,
        factory=isinstance(app, str),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        proxy_headers=False,
        http=http_protocol(settings.connection_limits),
    )
