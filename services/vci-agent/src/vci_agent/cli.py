"""The agent's command line: ``aos-vci-agent`` / ``python -m vci_agent``.

* ``flash``: flash an image file into one ECU at a DoIP address, without any server (bench and
  workshop use), verifying SHA-256 and the Ed25519 signature first; an interrupted job for the
  same ECU and image is resumed from the journal.
* ``read-vehicle``: print the VIN and each ECU's software as JSON.
* ``discover``: send a DoIP vehicle identification request to an address and print the
  vehicles that answer as JSON.
* ``pair``: trade a pairing code from the portal for the device credential (kept in the OS
  keystore, or in a file only the user can read where there is none).
* ``connect``: keep the link to the programming service and run its vehicle reads and jobs;
  a job an earlier (crashed or killed) agent process left unfinished is resumed first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import can
import httpx
from keyring.backend import KeyringBackend

from aos_contracts import demo
from vci_agent.agent import run_agent
from vci_agent.credentials import (
    CredentialPlace,
    load_credential,
    move_secret_to_keystore,
    os_keystore,
    save_credential,
)
from vci_agent.flash import (
    Flasher,
    FlashError,
    FlashOptions,
    FlashProgress,
    FlashRefusedError,
)
from vci_agent.image import ImageError, load_public_key, verify_image
from vci_agent.jobs import JobRunner
from vci_agent.journal import JobPhase, Journal, JournalEntry
from vci_agent.keys import KEY_ALGORITHMS, local_key_provider
from vci_agent.link import AGENT_VERSION, LinkError
from vci_agent.pairing import DEFAULT_API_PREFIX, PairingError, pair
from vci_agent.platform import (
    APP_NAME,
    aside_path,
    default_config_dir,
    default_state_dir,
    on_stop_signals,
    remove_previous_executable,
)
from vci_agent.regions import KNOWN_REGIONS
from vci_agent.release import build_platform, running_frozen
from vci_agent.transport.discovery import DISCOVERY_PORT, discover
from vci_agent.transport.doip import DoipRefusedError
from vci_agent.transport.options import (
    Connector,
    add_interface_options,
    connector_from_args,
    preflight_problems,
)
from vci_agent.uds import UdsTiming
from vci_agent.update import SelfUpdater
from vci_agent.vehicle import EcuInfo, read_vehicle

__all__ = ["build_parser", "main"]

CREDENTIAL_FILE = "credential.json"
# `connect` exits with this after it installed an update: a service manager (WinSW, systemd
# Restart=on-failure) starts the new version; the value is EX_TEMPFAIL of sysexits.h.
EXIT_UPDATED = 75
# The AOS demo vehicle's ECUs (aos_contracts.demo), read when no --ecu is given.
DEMO_ECUS = tuple(EcuInfo(ecu.logical_address, ecu.name, ecu.ecu_type) for ecu in demo.DEMO_ECUS)


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r} (use 0x.. for hex)") from None


def _hex_bytes(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not hex bytes: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=APP_NAME, description="AOS VCI agent")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {AGENT_VERSION}")
    parser.add_argument(
        "--state-dir", type=Path, help="journal and image cache (default: the user state dir)"
    )
    parser.add_argument(
        "--config-dir", type=Path, help="device credential (default: the user config dir)"
    )
    parser.add_argument(
        "--credential-store",
        choices=("auto", "file"),
        default="auto",
        help="where the device credential's secret is kept: auto = the OS keystore (Windows "
        "Credential Manager, macOS Keychain, Secret Service) when usable, else the owner-only "
        "file in the config dir; file = always that file",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    pairing = commands.add_parser("pair", help="pair this agent with a code from the portal")
    pairing.add_argument("--server", required=True, help="AOS base URL, e.g. http://127.0.0.1:8080")
    pairing.add_argument("--code", required=True, help="the pairing code shown in the portal")
    pairing.add_argument("--name", default=socket.gethostname(), help="name shown in the portal")
    pairing.add_argument(
        "--api-prefix", default=DEFAULT_API_PREFIX, help="programming API path on the server"
    )

    def voltage_options(command: argparse.ArgumentParser) -> None:
        defaults = FlashOptions()
        command.add_argument(
            "--min-volts",
            type=float,
            default=defaults.min_start_volts,
            help="battery volts a flash needs to start: below, the job is refused and asks for "
            f"a charger (default {defaults.min_start_volts}; 0 = do not check)",
        )
        command.add_argument(
            "--pause-volts",
            type=float,
            default=defaults.min_flash_volts,
            help="below this the flash pauses until the battery is back at --min-volts "
            f"(default {defaults.min_flash_volts})",
        )

    flash = commands.add_parser("flash", help="flash an image file into one ECU (no server)")
    add_interface_options(flash)
    voltage_options(flash)
    flash.add_argument("--ecu", type=_int, required=True, help="ECU logical address, e.g. 0x0012")
    flash.add_argument("--image", type=Path, required=True, help="AOSIMG1 image file")
    flash.add_argument("--signature", type=Path, required=True, help="Ed25519 signature file")
    flash.add_argument(
        "--public-key", type=Path, required=True, help="release public key (PEM, raw or hex)"
    )
    flash.add_argument("--sha256", type=_hex_bytes, help="expected SHA-256 of the image (hex)")
    flash.add_argument(
        "--key-algorithm",
        default="aos-demo-1",
        type=str.lower,
        choices=sorted(name.lower() for name in KEY_ALGORITHMS),
        help="seed/key algorithm (the ECU type's, as in the programming catalog)",
    )
    secret = flash.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret", type=_hex_bytes, help="security-access secret (hex)")
    secret.add_argument("--secret-file", type=Path, help="file holding the secret as hex")
    flash.add_argument("--security-level", type=_int, default=0x11, help="requestSeed level")
    flash.add_argument("--block-size", type=int, help="data bytes per TransferData (max: ECU's)")
    flash.add_argument("--address", type=_int, help="memory address (default: known region)")
    flash.add_argument("--erase-size", type=_int, help="bytes to erase (default: known region)")
    flash.add_argument("--p2", type=float, default=1.0, help="seconds to wait for an answer")
    flash.add_argument(
        "--resume-window",
        type=float,
        default=FlashOptions().resume_window,
        help="seconds to keep trying to resume after the ECU stops answering (power or link "
        "loss), with backoff; the journal keeps the job after that, and running the same "
        "command again resumes it",
    )
    flash.add_argument(
        "--resume-attempts",
        type=int,
        default=None,
        help="also stop after this many resume attempts (default: only the window limits)",
    )

    serve = commands.add_parser(
        "connect", help="keep the link to the programming service and run its jobs"
    )
    add_interface_options(serve)
    voltage_options(serve)
    serve.add_argument(
        "--resume-window",
        type=float,
        default=FlashOptions().resume_window,
        help="seconds a flash keeps trying to resume while the ECU does not answer (power or "
        "link loss) before the job is given up with the ECU in its bootloader",
    )
    serve.add_argument(
        "--ecu",
        type=_int,
        action="append",
        help="ECU logical address to report (repeatable; default: the demo vehicle's ECUs)",
    )

    read = commands.add_parser("read-vehicle", help="print VIN and ECU software as JSON")
    add_interface_options(read)
    read.add_argument(
        "--ecu",
        type=_int,
        action="append",
        help="ECU logical address to read (repeatable; default: the demo vehicle's ECUs)",
    )

    find = commands.add_parser(
        "discover", help="ask for the DoIP vehicles at an address (UDP) and print them as JSON"
    )
    find.add_argument(
        "--interface",
        required=True,
        metavar="ADDR",
        help="address to send the vehicle identification request to: the vehicle's or VCI's "
        "address, or the workshop network's broadcast address with --broadcast",
    )
    find.add_argument("--port", type=int, default=DISCOVERY_PORT, help="UDP discovery port")
    find.add_argument("--timeout", type=float, default=2.0, help="seconds to collect answers")
    find.add_argument("--vin", help="only the vehicle with this VIN answers")
    find.add_argument("--eid", type=_hex_bytes, help="only the entity with this EID (hex)")
    find.add_argument(
        "--broadcast", action="store_true", help="allow ADDR to be a broadcast address"
    )
    find.add_argument(
        "--protocol-version", type=_int, default=2, help="DoIP protocol version (2 or 3)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    state_dir: Path = args.state_dir or default_state_dir()
    config_dir: Path = args.config_dir or default_config_dir()
    try:
        if args.command == "pair":
            return _pair(args, config_dir, keystore=_keystore(args), out=sys.stdout)
        if args.command == "discover":
            return _discover(args, sys.stdout)
        with connector_from_args(args) as connect:
            if args.command == "flash":
                return _flash(args, state_dir, sys.stdout, connect=connect)
            if args.command == "connect":
                return _connect(
                    args,
                    config_dir,
                    state_dir=state_dir,
                    keystore=_keystore(args),
                    out=sys.stdout,
                    connect=connect,
                )
            return _read_vehicle(args, sys.stdout, connect=connect)
    except (
        ImageError,
        FlashError,
        PairingError,
        LinkError,
        DoipRefusedError,
        can.CanError,
        ValueError,
        OSError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _keystore(args: argparse.Namespace) -> KeyringBackend | None:
    return None if args.credential_store == "file" else os_keystore()


def _pair(
    args: argparse.Namespace, config_dir: Path, *, keystore: KeyringBackend | None, out: TextIO
) -> int:
    with httpx.Client(timeout=30) as client:
        credential = pair(
            client, args.server, args.code, name=args.name, api_prefix=args.api_prefix
        )
    path = config_dir / CREDENTIAL_FILE
    place = save_credential(path, credential, keystore=keystore)
    where = (
        f"in {keystore.name}"
        if keystore is not None and place is CredentialPlace.KEYSTORE
        else f"in {path} (readable by this user only)"
    )
    print(f"paired as agent {credential.agent_id}; credential stored {where}", file=out)
    return 0


def _flash(args: argparse.Namespace, state_dir: Path, out: TextIO, *, connect: Connector) -> int:
    secret: bytes = args.secret
    if args.secret_file is not None:
        secret = bytes.fromhex(args.secret_file.read_text().strip())
    image = verify_image(
        args.image.read_bytes(),
        signature=args.signature.read_bytes(),
        public_key=load_public_key(args.public_key.read_bytes()),
        sha256=args.sha256,
    )
    region = KNOWN_REGIONS.get(image.header.ecu_type)
    address = args.address if args.address is not None else region.address if region else None
    if address is None:
        raise ValueError(f"unknown ECU type {image.header.ecu_type}: give --address")
    erase_size = args.erase_size if args.erase_size is not None else region and region.size
    print(
        f"image {image.header.ecu_type} {image.header.version}: {image.size} bytes, "
        f"SHA-256 and signature verified",
        file=out,
    )
    journal = Journal(state_dir / "journal")
    entry = _resumable_entry(journal, args.ecu, image.sha256.hex())
    problems = preflight_problems(connect)
    if problems:
        # Before any request to the ECU; a journaled job stays as it is, to resume later.
        raise FlashRefusedError(
            f"the flash does not start: {'; '.join(problems)}. Nothing was sent to "
            f"ECU 0x{args.ecu:04X}."
        )
    if entry is None:
        entry = journal.save(
            JournalEntry(
                job_id=str(uuid.uuid4()),
                ecu_logical_address=args.ecu,
                image_path=str(args.image.resolve()),
                image_sha256=image.sha256.hex(),
                image_size=image.size,
                memory_address=address,
            )
        )
    else:
        print(f"resuming job {entry.job_id} at byte {entry.acked_offset}", file=out)

    display = _ProgressDisplay(out)
    flasher = Flasher(
        lambda: connect(args.ecu),
        journal,
        key_for=local_key_provider(args.key_algorithm, secret),
        options=FlashOptions(
            security_level=args.security_level,
            block_size=args.block_size,
            erase_address=address,
            erase_size=erase_size or None,
            timing=UdsTiming(p2=args.p2),
            resume_window=args.resume_window,
            resume_attempts=args.resume_attempts,
            min_start_volts=args.min_volts or None,  # 0: no voltage check
            min_flash_volts=args.pause_volts,
        ),
        on_progress=display.update,
    )
    started = time.perf_counter()
    final = flasher.run(image, entry)
    elapsed = time.perf_counter() - started
    display.finish()
    print(
        f"done: ECU 0x{final.ecu_logical_address:04X} now runs {final.version_after}; "
        f"{final.image_size} bytes in {elapsed:.2f} s, "
        f"{final.retried_blocks} blocks retried, resumed {final.resumed_times} times "
        f"(job {final.job_id})",
        file=out,
    )
    return 0


def _resumable_entry(journal: Journal, ecu: int, sha256: str) -> JournalEntry | None:
    for entry in reversed(journal.unfinished()):
        if entry.ecu_logical_address == ecu and entry.image_sha256 == sha256:
            return entry
    return None


class _ProgressDisplay:
    """One rewritten line: phase, percentage, bytes and throughput, at most 10 times a second."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started: float | None = None
        self._first_done = 0
        self._shown = 0.0
        self._line = False

    def update(self, progress: FlashProgress) -> None:
        now = time.perf_counter()
        if progress.phase is JobPhase.WAITING_FOR_ECU:
            self._end_line()
            print(
                f"waiting for the ECU to answer again (the flash stands at byte "
                f"{progress.bytes_done} of {progress.bytes_total})…",
                file=self._out,
            )
            return
        if progress.phase is JobPhase.WAITING_FOR_VOLTAGE:
            self._end_line()
            print(
                f"waiting for the battery voltage to recover, connect a charger (the flash "
                f"stands at byte {progress.bytes_done} of {progress.bytes_total})…",
                file=self._out,
            )
            return
        if progress.phase != JobPhase.TRANSFERRING:
            self._end_line()
            print(f"{progress.phase.value}…", file=self._out)
            return
        if self._started is None:
            self._started, self._first_done = now, progress.bytes_done
        last = progress.bytes_done == progress.bytes_total
        if now - self._shown < 0.1 and not last:
            return
        self._shown = now
        rate = (progress.bytes_done - self._first_done) / max(now - self._started, 1e-6)
        percent = 100.0 * progress.bytes_done / max(progress.bytes_total, 1)
        self._out.write(
            f"\rtransferring {percent:5.1f}%  {progress.bytes_done}/{progress.bytes_total} B  "
            f"{rate / 1e6:6.2f} MB/s  BSC 0x{progress.block_counter:02X}"
        )
        self._out.flush()
        self._line = True

    def finish(self) -> None:
        self._end_line()

    def _end_line(self) -> None:
        if self._line:
            self._out.write("\n")
            self._line = False


def _connect(
    args: argparse.Namespace,
    config_dir: Path,
    *,
    state_dir: Path,
    keystore: KeyringBackend | None,
    out: TextIO,
    connect: Connector,
) -> int:
    path = config_dir / CREDENTIAL_FILE
    if keystore is not None and move_secret_to_keystore(path, keystore=keystore):
        print(f"credential moved from {path} into {keystore.name}", file=out)
    credential = load_credential(path, keystore=keystore)
    print(f"agent {credential.agent_id} connecting to {credential.api_base}", file=out)
    out.flush()

    updater = _self_updater(credential.release_public_key, out)

    async def serve() -> str | None:
        stop = asyncio.Event()
        restore_signals = on_stop_signals(asyncio.get_running_loop(), stop.set)
        try:
            return await run_agent(
                credential,
                state_dir=state_dir,
                connect=connect,
                ecus=_ecus(args.ecu),
                stop=stop,
                flash_options=FlashOptions(
                    resume_window=args.resume_window,
                    min_start_volts=args.min_volts or None,  # 0: no voltage check
                    min_flash_volts=args.pause_volts,
                ),
                updater=updater,
                platform_tag=build_platform() if updater is not None else "",
            )
        finally:
            restore_signals()

    installed = asyncio.run(serve())
    if installed is not None:
        print(f"agent stopped: updated to {installed}; start it again", file=out)
        return EXIT_UPDATED
    print("agent stopped", file=out)
    return 0


def _self_updater(release_public_key: str, out: TextIO) -> SelfUpdater | None:
    """The single-file build updates itself; from source there is no executable to replace
    (and Hello names no platform, so nothing is offered)."""
    if not running_frozen():
        return None
    executable = Path(sys.executable)
    if remove_previous_executable(executable):
        print(f"removed {aside_path(executable).name}, left by the last update", file=out)
    return SelfUpdater(
        executable,
        release_key=JobRunner.release_key_from_base64(release_public_key),
        running_version=AGENT_VERSION,
        report=lambda line: print(line, file=out, flush=True),
    )


def _ecus(addresses: list[int] | None) -> tuple[EcuInfo, ...]:
    known = {ecu.logical_address: ecu for ecu in DEMO_ECUS}
    if not addresses:
        return DEMO_ECUS
    return tuple(known.get(address, EcuInfo(address)) for address in addresses)


def _read_vehicle(args: argparse.Namespace, out: TextIO, *, connect: Connector) -> int:
    state = read_vehicle(connect, _ecus(args.ecu))
    document = {
        "vin": state.vin,
        "read_at": state.read_at.isoformat(),
        "ecus": [asdict(ecu) for ecu in state.ecus],
    }
    print(json.dumps(document, indent=2), file=out)
    return 0


def _discover(args: argparse.Namespace, out: TextIO) -> int:
    found = discover(
        args.interface,
        port=args.port,
        timeout=args.timeout,
        vin=args.vin,
        eid=args.eid,
        protocol_version=args.protocol_version,
        allow_broadcast=args.broadcast,
    )
    print(json.dumps([asdict(entity) for entity in found], indent=2), file=out)
    if not found:
        print(f"no DoIP entity answered at {args.interface}:{args.port}", file=sys.stderr)
        return 1
    return 0
