"""Flash throughput of the agent over DoIP on loopback, and the agent's CPU per MB.

Runs the vehicle simulator in a separate process (so ``time.process_time`` counts the agent
only), flashes a 1 MiB signed image into the demo DME with 4 KB and 64 KB TransferData blocks,
and prints, per block size, the transfer throughput (MB/s = 10^6 bytes/s, best of ``--runs``),
its ratio to the 100BASE-TX line rate, and the agent's CPU seconds per MB over the whole job;
then a flash over ISO-TP on python-can's virtual bus at the classical CAN 500 kbit/s rate and its
ratio to the 31.4 kB/s limit, and a DoIP flash with the simulator limited to that rate
(``--can-speed``). These rates are measured here, not asserted in tests: the tests check the
limiters deterministically.

    .venv/bin/python tests/bench/flash_bench.py [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import can
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from doipclient.client import DoIPClient

from aos_contracts.aosimg import HEADER_SIZE, build_image
from vci_agent.flash import Flasher, FlashOptions, FlashProgress
from vci_agent.image import verify_image
from vci_agent.journal import JobPhase, Journal, JournalEntry
from vci_agent.keys import local_key_provider
from vci_agent.transport.doip import FastDoIPClient, doip_connection
from vci_agent.transport.isotp import (
    CLASSICAL_CAN_500K_DATA_BITRATE,
    IsoTpEndpoint,
    isotp_connection,
)
from vci_agent.uds import UdsTiming
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import running_isotp_vehicle

DME = 0x0012
DME_REGION = 0x00080000
IMAGE_SIZE = 1024 * 1024
ETHERNET_100_MBPS_MB_S = 11.8  # 100BASE-TX payload line rate, MB/s (architecture page)
CAN_500K_PAYLOAD_B_S = 31_400.0  # ISO-TP UDS payload on classical CAN 500 kbit/s, B/s (ditto)
BLOCK_LENGTHS = {"4 KB": 4096 + 2, "64 KB": 65536 + 2}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_simulator(max_block_length: int, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vehicle_sim",
            "serve",
            "--in-memory",
            "--port",
            str(port),
            "--max-block-length",
            str(max_block_length),
            "--erase-time",
            "0.01",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("the simulator did not start listening")


def _flash_once(
    port: int,
    state_dir: Path,
    image_bytes: bytes,
    key: Ed25519PrivateKey,
    client_class: type[DoIPClient],
) -> dict[str, float]:
    image = verify_image(image_bytes, signature=key.sign(image_bytes), public_key=key.public_key())
    journal = Journal(state_dir / "journal")
    entry = journal.save(
        JournalEntry(
            job_id=str(uuid.uuid4()),
            ecu_logical_address=DME,
            image_path="bench.img",
            image_sha256=image.sha256.hex(),
            image_size=image.size,
            memory_address=DME_REGION,
        )
    )
    marks: dict[str, float] = {}

    def on_progress(progress: FlashProgress) -> None:
        if progress.phase is JobPhase.TRANSFERRING:
            marks.setdefault("transfer_start", time.perf_counter())
            if progress.bytes_done == progress.bytes_total:
                marks["transfer_end"] = time.perf_counter()

    flasher = Flasher(
        lambda: doip_connection("127.0.0.1", port, DME, client_class=client_class),
        journal,
        key_for=local_key_provider("aos-demo-1", DEV_SECRETS["DME_B48"]),
        options=FlashOptions(reset_wait=0.05, journal_every_bytes=256 * 1024),
        on_progress=on_progress,
    )
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    flasher.run(image, entry)
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    transfer = marks["transfer_end"] - marks["transfer_start"]
    megabytes = image.size / 1e6
    return {
        "transfer_mb_s": megabytes / transfer,
        "job_seconds": wall,
        "cpu_s_per_mb": cpu / megabytes,
    }


def _isotp_flash(image_size: int, key: Ed25519PrivateKey) -> dict[str, float]:
    """Flash the BDC over ISO-TP on python-can's virtual bus, both sides limited to classical
    CAN at 500 kbit/s (simulator in this process, so no CPU figure)."""
    payload = os.urandom(image_size - HEADER_SIZE)
    image_bytes = build_image("BDC_G20", "2.4.0", payload)
    image = verify_image(image_bytes, signature=key.sign(image_bytes), public_key=key.public_key())
    endpoint = IsoTpEndpoint(
        txid=0x740, rxid=0x748, rate_limit_bitrate=CLASSICAL_CAN_500K_DATA_BITRATE
    )
    marks: dict[str, float] = {}

    def on_progress(progress: FlashProgress) -> None:
        if progress.phase is JobPhase.TRANSFERRING:
            marks.setdefault("transfer_start", time.perf_counter())
            if progress.bytes_done == progress.bytes_total:
                marks["transfer_end"] = time.perf_counter()

    with (
        tempfile.TemporaryDirectory() as state,
        running_isotp_vehicle(None, rate_limit=True, erase_time_s=0.01) as vehicle,
    ):
        bus = can.Bus(interface="virtual", channel=vehicle.channel, receive_own_messages=False)
        try:
            journal = Journal(Path(state) / "journal")
            entry = journal.save(
                JournalEntry(
                    job_id=str(uuid.uuid4()),
                    ecu_logical_address=0x0040,
                    image_path="bench.img",
                    image_sha256=image.sha256.hex(),
                    image_size=image.size,
                    memory_address=0x00020000,
                )
            )
            Flasher(
                lambda: isotp_connection(bus, endpoint),
                journal,
                key_for=local_key_provider("aos-demo-1", DEV_SECRETS["BDC_G20"]),
                options=FlashOptions(reset_wait=0.05, timing=UdsTiming(p2=5.0)),
                on_progress=on_progress,
            ).run(image, entry)
        finally:
            bus.shutdown()
    rate = image.size / (marks["transfer_end"] - marks["transfer_start"])
    return {"transfer_kb_s": rate / 1e3, "ratio_of_can_500k": rate / CAN_500K_PAYLOAD_B_S}


def _doip_can_speed_flash(image_size: int, key: Ed25519PrivateKey) -> dict[str, float]:
    """Flash the DME over DoIP with the simulator limiting diagnostic payload to classical CAN
    at 500 kbit/s (its ``--can-speed``)."""
    image_bytes = build_image("DME_B48", "1.1.0", os.urandom(image_size - HEADER_SIZE))
    process, port = _start_simulator(4096 + 2, "--can-speed")
    try:
        with tempfile.TemporaryDirectory() as state:
            run = _flash_once(port, Path(state), image_bytes, key, FastDoIPClient)
    finally:
        process.terminate()
        process.wait(timeout=10)
    rate = run["transfer_mb_s"] * 1e6
    return {"transfer_kb_s": rate / 1e3, "ratio_of_can_500k": rate / CAN_500K_PAYLOAD_B_S}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="flashes per block size (best kept)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--isotp-kib",
        type=int,
        default=64,
        help="image size (KiB) for the ISO-TP 500 kbit/s run; 0 skips it",
    )
    parser.add_argument(
        "--can-speed-kib",
        type=int,
        default=64,
        help="image size (KiB) for the DoIP run with the simulator at CAN 500 kbit/s; 0 skips it",
    )
    parser.add_argument(
        "--stock-doipclient",
        action="store_true",
        help="also measure doipclient's own send path (per-byte debug string) for comparison",
    )
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    image_bytes = build_image("DME_B48", "1.1.0", os.urandom(IMAGE_SIZE - HEADER_SIZE))
    variants: list[tuple[str, type[DoIPClient]]] = [("", FastDoIPClient)]
    if args.stock_doipclient:
        variants.append((", stock doipclient", DoIPClient))
    results: dict[str, dict[str, float]] = {}
    for (label, max_block_length), (variant, client_class) in itertools.product(
        BLOCK_LENGTHS.items(), variants
    ):
        process, port = _start_simulator(max_block_length)
        try:
            with tempfile.TemporaryDirectory() as state:
                runs = [
                    _flash_once(port, Path(state), image_bytes, key, client_class)
                    for _ in range(args.runs)
                ]
        finally:
            process.terminate()
            process.wait(timeout=10)
        best = max(runs, key=lambda run: run["transfer_mb_s"])
        best["ratio_of_100base_tx"] = best["transfer_mb_s"] / ETHERNET_100_MBPS_MB_S
        best["cpu_s_per_mb"] = min(run["cpu_s_per_mb"] for run in runs)
        results[f"{label} blocks{variant}"] = best
    isotp = _isotp_flash(args.isotp_kib * 1024, key) if args.isotp_kib else None
    doip_can = _doip_can_speed_flash(args.can_speed_kib * 1024, key) if args.can_speed_kib else None
    if args.json:
        print(
            json.dumps({"doip": results, "isotp_500k": isotp, "doip_can_500k": doip_can}, indent=2)
        )
    else:
        print("DoIP loopback flash of a 1 MiB image (agent CPU measured in this process)")
        for label, result in results.items():
            print(
                f"  {label}: {result['transfer_mb_s']:7.2f} MB/s transfer "
                f"({result['ratio_of_100base_tx']:.1f}x the 11.8 MB/s 100BASE-TX line rate), "
                f"{result['cpu_s_per_mb']:.3f} CPU s/MB, job {result['job_seconds']:.2f} s"
            )
        if isotp is not None:
            print(
                f"ISO-TP on the virtual bus at classical CAN 500 kbit/s, {args.isotp_kib} KiB: "
                f"{isotp['transfer_kb_s']:.1f} kB/s transfer "
                f"({isotp['ratio_of_can_500k']:.2f} of the 31.4 kB/s limit)"
            )
        if doip_can is not None:
            print(
                f"DoIP with the simulator at classical CAN 500 kbit/s (--can-speed), "
                f"{args.can_speed_kib} KiB: {doip_can['transfer_kb_s']:.1f} kB/s transfer "
                f"({doip_can['ratio_of_can_500k']:.2f} of the 31.4 kB/s limit)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
