"""Commands for platform staff: ``python -m programming ecu-types ...``.

Until the maker's admin area exists, staff keep the catalog's CAN ids and key algorithms from
the command line.
Each command runs in one transaction and prints what it did; a refused command prints why on
stderr and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys

from aos_contracts.keys import UnknownKeyAlgorithmError
from programming.config import Settings
from programming.db.models import EcuType
from programming.domain.can_ids import format_can_ids
from programming.errors import EcuTypeNotFoundError, InvalidCanIdsError
from programming.services import catalog
from servicekit.db import Database

__all__ = ["add_staff_commands", "run_staff_command"]


def _can_id(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is no CAN id; write it in hex, e.g. 0x712"
        ) from None


def add_staff_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "ecu-types",
        help="list the catalog's ECU types and set their CAN ids (platform staff)",
        description=(
            "The CAN ids (11-bit, ISO-TP normal addressing) an agent on a CAN link reaches "
            "each ECU type by; every StartJob of the type carries them."
        ),
    )
    actions = parser.add_subparsers(dest="ecu_types_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="every ECU type with its CAN ids")
    can_ids = actions.add_parser("set-can-ids", help="set an ECU type's request and response id")
    can_ids.add_argument("key", help="ECU type, e.g. DME_B48")
    can_ids.add_argument("request", type=_can_id, help="request id, e.g. 0x712")
    can_ids.add_argument("response", type=_can_id, help="response id, e.g. 0x71A")
    clear = actions.add_parser("clear-can-ids", help="forget an ECU type's CAN ids")
    clear.add_argument("key", help="ECU type, e.g. DME_B48")
    algorithm = actions.add_parser(
        "set-algorithm", help="name the seed/key algorithm the service unlocks the type with"
    )
    algorithm.add_argument("key", help="ECU type, e.g. DME_B48")
    algorithm.add_argument("algorithm", help="e.g. AOS-DEMO-1 (an unknown name lists the known)")


def _line(ecu_type: EcuType) -> str:
    ids = format_can_ids(ecu_type.can_request_id, ecu_type.can_response_id)
    return f"{ecu_type.key:<16} CAN {ids:<12} KEY {ecu_type.security_algorithm:<12} {ecu_type.name}"


async def run_staff_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run an ``ecu-types`` command; 0 when done, 1 when refused."""
    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            action = args.ecu_types_command
            if action == "list":
                found = list(await catalog.list_ecu_types(session))
            elif action == "set-algorithm":
                found = [await catalog.set_security_algorithm(session, args.key, args.algorithm)]
            else:
                set_both = action == "set-can-ids"
                found = [
                    await catalog.set_can_ids(
                        session,
                        args.key,
                        request=args.request if set_both else None,
                        response=args.response if set_both else None,
                    )
                ]
            lines = [_line(ecu_type) for ecu_type in found]
    except (EcuTypeNotFoundError, InvalidCanIdsError, UnknownKeyAlgorithmError) as exc:
        print(f"programming: {exc}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    for line in lines:
        print(line)
    return 0
