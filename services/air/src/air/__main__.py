"""Command line of the AIR service: ``python -m air {migrate,seed,serve}``.

The commands import the application lazily, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from air.config import Settings
from servicekit.settings import load_settings


def _migrate(settings: Settings) -> None:
    from air.main import MIGRATIONS_DIR
    from servicekit.migrations import upgrade

    upgrade(MIGRATIONS_DIR, settings.database_url)
    print("migrations applied")


async def _seed(settings: Settings) -> None:
    from air.main import seed
    from servicekit.db import Database

    database = Database(settings.database_url, pool_size=1)
    try:
        counts = await seed(database)
    finally:
        await database.dispose()
    print(
        f"content pack loaded: {counts.inserted} inserted, {counts.updated} updated, "
        f"{counts.unchanged} unchanged"
    )


def _serve(settings: Settings, *, host: str | None, port: int | None) -> None:
    import uvicorn

    uvicorn.run(
        "air.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m air", description="AOS AIR service (settings from AIR_* variables)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations to AIR_DATABASE_URL")
    commands.add_parser("seed", help="load the shipped content pack (idempotent)")
    serve = commands.add_parser("serve", help="run the HTTP service with uvicorn")
    serve.add_argument("--host", help="bind address (default AIR_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default AIR_PORT, 8103)")
    args = parser.parse_args(argv)

    settings = load_settings(Settings)
    from servicekit.logging import configure_logging

    configure_logging(service=settings.service_name, level=settings.log_level)
    if args.command == "migrate":
        _migrate(settings)
    elif args.command == "seed":
        asyncio.run(_seed(settings))
    else:
        _serve(settings, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
