"""Command line: ``aos-vehicle-sim`` / ``python -m vehicle_sim``."""

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import platformdirs

from vehicle_sim.config import ConfigError, VehicleConfig, demo_vehicle, load_config
from vehicle_sim.doip import (
    CAN_500K_PAYLOAD_BYTES_PER_S,
    DEFAULT_FUNCTIONAL_ADDRESS,
    TLS_DATA_PORT,
    DoipEntity,
    server_tls_context,
)
from vehicle_sim.faults import Fault, FaultInjector, fault_from_json, parse_fault
from vehicle_sim.vehicle import SimulatedVehicle

__all__ = ["build_parser", "main"]

DEFAULT_PORT = 13400  # ISO 13400-2 TCP_DATA


def _fault(spec: str) -> Fault:
    try:
        return parse_fault(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aos-vehicle-sim",
        description="A simulated vehicle: a DoIP entity (TCP, optionally TLS and UDP "
        "identification answers, never a broadcast) with UDS ECUs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the DoIP entity until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="TCP port, 0 = any free port (default 13400)"
    )
    serve.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where ECU memory and state persist (default: the user state directory)",
    )
    serve.add_argument(
        "--in-memory", action="store_true", help="keep ECU state in memory only (no state dir)"
    )
    serve.add_argument("--config", type=Path, help="JSON vehicle config (default: demo vehicle)")
    serve.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault, e.g. 'power-loss,ecu=0x12,block=50' (add ',seconds=60' to keep "
        "the vehicle without power that long), 'drop,block=3', "
        "'nrc,service=0x31,nrc=0x22', 'delay,service=0x36,seconds=2', 'link-loss,block=9', "
        "'voltage,volts=11.6,block=20,seconds=30' (the battery sags to 11.6 V for 30 s), "
        "'ignition-off' (from the start; add ',seconds=S' to switch it on after S s: the "
        "diagnostic power mode answers 'not ready' meanwhile, see --discovery)",
    )
    serve.add_argument(
        "--can-speed",
        action="store_true",
        help="limit diagnostic payload to classical CAN 500 kbit/s (about 31.4 kB/s)",
    )
    serve.add_argument(
        "--max-block-length", type=int, help="maxNumberOfBlockLength answered to 0x34 (bytes)"
    )
    serve.add_argument("--erase-time", type=float, help="seconds the erase routine takes")
    serve.add_argument(
        "--tls-cert", type=Path, help="entity certificate (PEM): also serve TCP_DATA over TLS"
    )
    serve.add_argument("--tls-key", type=Path, help="private key of --tls-cert (PEM)")
    serve.add_argument(
        "--tls-port",
        type=int,
        default=TLS_DATA_PORT,
        help=f"TLS port with --tls-cert, 0 = any free port (default {TLS_DATA_PORT})",
    )
    serve.add_argument(
        "--discovery",
        action="store_true",
        help="answer vehicle identification, DoIP entity status (open TCP sockets) and "
        "diagnostic power mode requests on UDP --port (never broadcasts)",
    )
    serve.add_argument(
        "--functional-address",
        type=lambda text: int(text, 0),
        default=DEFAULT_FUNCTIONAL_ADDRESS,
        help="DoIP logical address of functionally addressed requests, sent to every ECU "
        f"(default 0x{DEFAULT_FUNCTIONAL_ADDRESS:04X})",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log faults and connections")
    commands.add_parser("example-config", help="print the demo vehicle as a JSON config")
    return parser


def _example_config() -> dict[str, Any]:
    vehicle = demo_vehicle()
    return {
        "vin": vehicle.vin,
        "logical_address": f"0x{vehicle.logical_address:04X}",
        "max_block_length": vehicle.ecus[0].max_block_length,
        "ecus": [
            {
                "logical_address": f"0x{e.logical_address:04X}",
                "name": e.name,
                "ecu_type": e.ecu_type,
                "version": e.version,
                "region_address": f"0x{e.region_address:08X}",
                "region_size": f"0x{e.region_size:08X}",
                "secret_hex": e.secret.hex(),
                "security_algorithm": e.security_algorithm,
                "erase_time_s": e.erase_time_s,
                "dtcs": [
                    {"dtc": f"0x{code:06X}", "status": f"0x{status:02X}"} for code, status in e.dtcs
                ],
            }
            for e in vehicle.ecus
        ],
        "faults": [],
    }


async def _serve(
    vehicle_config: VehicleConfig, args: argparse.Namespace, faults: list[Fault]
) -> None:
    state_dir: Path | None = None
    if not args.in_memory:
        state_dir = args.state_dir or platformdirs.user_state_path("aos-vehicle-sim")
    tls = server_tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    vehicle = SimulatedVehicle(vehicle_config, state_dir=state_dir)
    entity = DoipEntity(
        vehicle,
        host=args.host,
        port=args.port,
        faults=FaultInjector(faults, battery=vehicle.battery, ignition=vehicle.ignition),
        payload_rate=CAN_500K_PAYLOAD_BYTES_PER_S if args.can_speed else None,
        tls=tls,
        tls_port=args.tls_port,
        udp_port=args.port if args.discovery else None,
        functional_address=args.functional_address,
    )
    await entity.start()
    print(
        f"DoIP entity 0x{entity.address:04X} VIN {vehicle_config.vin} "
        f"listening on {entity.host}:{entity.port}",
        flush=True,
    )
    if entity.tls_port is not None:
        print(f"  TLS on {entity.host}:{entity.tls_port}", flush=True)
    if entity.udp_port is not None:
        print(
            f"  vehicle identification, entity status and power mode on UDP "
            f"{entity.host}:{entity.udp_port}",
            flush=True,
        )
    for ecu in vehicle:
        state = ecu.persistent
        flag = " (in bootloader)" if state.in_bootloader else ""
        print(
            f"  ECU 0x{ecu.address:04X} {ecu.config.name} {ecu.config.ecu_type} "
            f"version {state.version}{flag}",
            flush=True,
        )
    print(f"  state: {state_dir or 'in memory'}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await entity.close()
        vehicle.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "example-config":
        print(json.dumps(_example_config(), indent=2))
        return 0
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    vehicle_config = demo_vehicle()
    faults: list[Fault] = list(args.fault)
    if args.config is not None:
        try:
            vehicle_config, raw_faults = load_config(args.config)
            faults = [fault_from_json(raw) for raw in raw_faults] + faults
        except (ConfigError, ValueError, TypeError) as exc:
            parser.error(f"invalid config: {exc}")
    if args.max_block_length is not None:
        vehicle_config = vehicle_config.with_max_block_length(args.max_block_length)
    if args.erase_time is not None:
        vehicle_config = vehicle_config.with_erase_time(args.erase_time)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    try:
        asyncio.run(_serve(vehicle_config, args, faults))
    except OSError as exc:
        print(f"aos-vehicle-sim: cannot serve: {exc}", file=sys.stderr)
        return 1
    return 0
