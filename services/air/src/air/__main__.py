"""Command line of the AIR service: ``python -m air {migrate,seed,seed-demo,serve,replay-dlq}``.

The commands import the application lazily, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from air.config import Settings
from servicekit import cli
from servicekit.settings import load_settings


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


async def _seed_demo(settings: Settings, *, vin: str) -> None:
    from datetime import UTC, datetime

    from air.services.demo import seed_demo_service_history
    from servicekit.db import Database

    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            result = await seed_demo_service_history(
                session, vin=vin, today=datetime.now(UTC).date()
            )
    finally:
        await database.dispose()
    if result.already_there:
        print(f"demo service history for {result.vin}: already there, nothing written")
        return
    for view in result.written:
        entry = view.entry
        print(
            f"demo service entry for {entry.vin}: {entry.performed_on.isoformat()} "
            f"{entry.kind} at {entry.mileage_km:,} km by {view.row.workshop_name} "
            f"({view.row.workshop_city})"
        )
    print("the demo car's brake fluid change is overdue; its oil service is recent")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m air", description="AOS AIR service (settings from AIR_* variables)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cli.add_standard_commands(commands, Settings)
    cli.add_replay_dlq_command(commands, service="air")
    commands.add_parser("seed", help="load the shipped content pack (idempotent)")
    demo = commands.add_parser(
        "seed-demo",
        help="write the demo car's service history by a demo workshop (idempotent)",
    )
    demo.add_argument("--vin", default="WBA5F3103MFX12345", help="the demo car's VIN")
    args = parser.parse_args(argv)

    settings = load_settings(Settings)
    from servicekit.logging import configure_logging

    configure_logging(service=settings.service_name, level=settings.log_level)
    if args.command == "migrate":
        from air.main import MIGRATIONS_DIR

        cli.migrate(MIGRATIONS_DIR, settings)
    elif args.command == "seed":
        asyncio.run(_seed(settings))
    elif args.command == "seed-demo":
        asyncio.run(_seed_demo(settings, vin=args.vin))
    elif args.command == "replay-dlq":
        from air.main import CONSUMERS

        return cli.replay_dlq(settings, CONSUMERS, consumer=args.consumer, dry_run=args.dry_run)
    else:
        cli.serve("air.main:create_app", settings, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
