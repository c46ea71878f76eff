"""``python -m billing``: migrate, seed, serve, and the staff's catalog and orders commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from billing.config import Settings
from billing.main import CONSUMERS, MIGRATIONS_DIR
from billing.services.catalog import seed_catalog
from billing.staff import add_staff_commands, run_staff_command
from servicekit import cli
from servicekit.db import Database
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
    cli.add_standard_commands(commands, Settings)
    cli.add_replay_dlq_command(commands, service="billing")
    commands.add_parser(
        "seed",
        help="add the standard catalog products that are missing (never overwrites prices)",
    )
    add_staff_commands(commands)
    args = parser.parse_args(argv)
    settings = load_settings(Settings)

    if args.command == "migrate":
        cli.migrate(MIGRATIONS_DIR, settings)
    elif args.command == "seed":
        added = asyncio.run(_seed(settings))
        print(f"billing: catalog seeded, {added} product(s) added")
    elif args.command == "replay-dlq":
        return cli.replay_dlq(settings, CONSUMERS, consumer=args.consumer, dry_run=args.dry_run)
    elif args.command in ("catalog", "orders"):
        return asyncio.run(run_staff_command(args, settings))
    elif args.command == "serve":
        cli.serve("billing.main:create_app", settings, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
