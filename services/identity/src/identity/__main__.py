"""Command line of the identity service:
``python -m identity {migrate,serve,seed,rotate-secret-keys}``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from identity.config import Settings
from servicekit import cli
from servicekit.settings import load_settings

__all__ = ["main"]

SEALED = "TOTP secret"  # what rotate-secret-keys rewraps


def _migrate(settings: Settings) -> int:
    from identity.main import MIGRATIONS_DIR

    cli.migrate(MIGRATIONS_DIR, settings)
    return 0


def _serve(settings: Settings, *, host: str | None, port: int | None) -> int:
    from identity.errors import SigningKeyError
    from identity.main import create_app
    from identity.services.signing_keys import load_key_ring
    from identity.services.totp_secrets import load_secret_cipher
    from servicekit.envelope import EnvelopeKeyError

    try:
        # Checked here too so a missing key is one clear line, not a start-up traceback.
        load_key_ring(settings)
        load_secret_cipher(settings)
    except (SigningKeyError, EnvelopeKeyError) as exc:
        print(f"identity: cannot start: {exc}", file=sys.stderr)
        return 2
    cli.serve(create_app(settings), settings, host=host, port=port)
    return 0


async def _seed_async(settings: Settings, *, reset_password: bool) -> int:
    from identity.main import MIGRATIONS_DIR
    from identity.services.seed import seed_demo
    from identity.services.totp_secrets import TotpSecrets, load_secret_cipher
    from servicekit.db import Database
    from servicekit.migrations import upgrade

    secrets = TotpSecrets(load_secret_cipher(settings))
    # The demo data needs the tables; applying migrations is idempotent.
    await asyncio.to_thread(
        upgrade,
        MIGRATIONS_DIR,
        settings.database_url,
        attributes={"envelope_cipher": secrets.cipher},
    )
    database = Database(settings.database_url, pool_size=1)
    try:
        account = await seed_demo(
            database, settings, secrets=secrets, reset_password=reset_password
        )
    finally:
        await database.dispose()
    state = "created" if account.created else "already present"
    # The one place a secret is printed: the demo account's, so a person can try the system.
    print(f"Demo workshop ({state}): Demo Werkstatt GmbH")
    print(f"  e-mail:      {account.email}")
    if account.password is not None:
        print(f"  password:    {account.password}")
    else:
        print(
            "  password:    unchanged since the first seed (run `python -m identity seed "
            "--reset-password` or set IDENTITY_DEMO_PASSWORD to get a known one)"
        )
    print(f"  TOTP secret: {account.totp_secret}  (add it to an authenticator app)")
    # The other members after the owner, each label prefixed with the role, so that the
    # owner's "password:" stays the first one a reader (deploy/local/run.py) finds.
    for member in account.members:
        print(f"Demo {member.role}:")
        print(f"  {member.role} e-mail:      {member.email}")
        if member.password is not None:
            print(f"  {member.role} password:    {member.password}")
        else:
            print(f"  {member.role} password:    unchanged since the first seed")
        print(f"  {member.role} TOTP secret: {member.totp_secret}")
    return 0


def _rotate_secret_keys(settings: Settings) -> int:
    from identity.services.totp_secrets import load_secret_cipher, rewrap_totp_secrets

    return cli.rotate_secret_keys(
        settings, load_secret_cipher(settings), rewrap_totp_secrets, sealed=SEALED
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m identity",
        description="AOS identity service. Settings come from IDENTITY_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cli.add_standard_commands(commands, Settings)
    seed = commands.add_parser(
        "seed", help="create the demo workshop and print its login (idempotent)"
    )
    seed.add_argument(
        "--reset-password",
        action="store_true",
        help="give an existing demo account a new password (printed)",
    )
    cli.add_rotate_secret_keys_command(commands, sealed=SEALED)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings(Settings)
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "serve":
        return _serve(settings, host=args.host, port=args.port)
    if args.command == "rotate-secret-keys":
        return _rotate_secret_keys(settings)
    return asyncio.run(_seed_async(settings, reset_password=args.reset_password))


if __name__ == "__main__":
    sys.exit(main())
