"""``python -m billing``: migrate, seed, serve."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from billing.config import Settings
from billing.main import MIGRATIONS_DIR
from billing.services.catalog import seed_catalog
from servicekit.db import Database
from servicekit.migrations import upgrade
from servicekit.settings import load_settings


async def _seed(settings: Settings) -> int:
    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            return await seed_catalog(session)
    finally:
        await database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m billing",
        description="AOS billing service. Settings come from BILLING_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("migrate", help="apply database migrations to BILLING_DATABASE_URL")
    commands.add_parser(
        "seed",
        help="add the standard catalog products that are missing (never overwrites prices)",
    )
    serve = commands.add_parser("serve", help="run the HTTP service with uvicorn")
    serve.add_argument("--host", help="bind address (default: BILLING_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: BILLING_PORT or 8102)")
    args = parser.parse_args(argv)
    settings = load_settings(Settings)

    if args.command == "migrate":
        upgrade(MIGRATIONS_DIR, settings.database_url)
        print("billing: migrations applied")
    elif args.command == "seed":
        added = asyncio.run(_seed(settings))
        print(f"billing: catalog seeded, {added} product(s) added")
    elif args.command == "serve":
        import uvicorn

        uvicorn.run(
            "billing.main:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_config=None,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
