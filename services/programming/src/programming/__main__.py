"""``python -m programming``: migrate, seed, rotate-secret-keys, serve, replay-dlq, and the
staff's ecu-types commands.

The commands import the application lazily, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from programming.config import Settings
from servicekit import cli
from servicekit.settings import load_settings

SEALED = "ECU secret"  # what rotate-secret-keys rewraps


async def _seed(settings: Settings) -> str:
    from programming.main import seed
    from programming.services.ecu_secrets import load_secret_cipher
    from programming.services.signing import load_release_key
    from servicekit.db import Database

    database = Database(settings.database_url, pool_size=1)
    try:
        counts = await seed(database, load_release_key(settings), load_secret_cipher(settings))
    finally:
        await database.dispose()
    return (
        f"programming: catalog seeded, {counts.ecu_types} ECU type(s), "
        f"{counts.releases} release(s), {counts.targets} target(s) added"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m programming",
        description="AOS programming service. Settings come from PROGRAMMING_* variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli.add_standard_commands(commands, Settings)
    cli.add_replay_dlq_command(commands, service="programming")
    commands.add_parser(
        "seed",
        help="add the demo ECU types, signed releases and G20 targets that are missing",
    )
    cli.add_rotate_secret_keys_command(commands, sealed=SEALED)
    from programming.staff import add_staff_commands

    add_staff_commands(commands)
    args = parser.parse_args(argv)
    settings = load_settings(Settings)

    if args.command == "migrate":
        from programming.main import MIGRATIONS_DIR

        cli.migrate(MIGRATIONS_DIR, settings)
    elif args.command == "seed":
        print(asyncio.run(_seed(settings)))
    elif args.command == "rotate-secret-keys":
        from programming.services.ecu_secrets import load_secret_cipher, rewrap_ecu_secrets

        return cli.rotate_secret_keys(
            settings, load_secret_cipher(settings), rewrap_ecu_secrets, sealed=SEALED
        )
    elif args.command == "serve":
        cli.serve("programming.main:create_app", settings, host=args.host, port=args.port)
    elif args.command == "ecu-types":
        from programming.staff import run_staff_command

        return asyncio.run(run_staff_command(args, settings))
    elif args.command == "replay-dlq":
        from programming.main import CONSUMERS

        return cli.replay_dlq(settings, CONSUMERS, consumer=args.consumer, dry_run=args.dry_run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
