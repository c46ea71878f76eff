"""Helpers to run the simulator inside tests (also used by the agent's tests).

Example::

    async with running_vehicle(tmp_path, faults=["drop,ecu=0x12,block=5"]) as sim:
        client = DoIPClient(sim.host, 0x0012, tcp_port=sim.port, client_ip_address=sim.host)
        ...
        assert sim.ecu(0x0012).persistent.version == "1.1.0"

The testers (udsoncan + doipclient) block, so run them with ``asyncio.to_thread`` while the
simulator serves on the event loop.
"""

import asyncio
import contextlib
import ssl
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vehicle_sim.config import VehicleConfig, demo_vehicle
from vehicle_sim.doip import (
    CAN_500K_PAYLOAD_BYTES_PER_S,
    DEFAULT_FUNCTIONAL_ADDRESS,
    DoipEntity,
)
from vehicle_sim.faults import Fault, FaultInjector, parse_fault
from vehicle_sim.isotp_bus import FUNCTIONAL_CAN_ID, ISOTP_MAX_BLOCK_LENGTH, IsoTpVehicle
from vehicle_sim.uds import EcuServer
from vehicle_sim.vehicle import SimulatedVehicle

__all__ = [
    "RunningVehicle",
    "running_isotp_vehicle",
    "running_vehicle",
    "running_vehicle_in_thread",
]


@dataclass(frozen=True, slots=True)
class RunningVehicle:
    host: str
    port: int
    vehicle: SimulatedVehicle
    entity: DoipEntity
    faults: FaultInjector
    tls_port: int | None = None  # with running_vehicle(tls=...)
    udp_port: int | None = None  # with running_vehicle(discovery=True)

    def ecu(self, logical_address: int) -> EcuServer:
        """The ECU server at ``logical_address``. Raises KeyError if there is none."""
        server = self.vehicle.ecu(logical_address)
        if server is None:
            raise KeyError(f"no ECU at 0x{logical_address:04X}")
        return server


@contextlib.asynccontextmanager
async def running_vehicle(
    state_dir: Path | None,
    *,
    config: VehicleConfig | None = None,
    faults: Iterable[str | Fault] = (),
    max_block_length: int | None = None,
    can_speed: bool = False,
    erase_time_s: float | None = None,
    port: int = 0,
    bus_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    tls: ssl.SSLContext | None = None,
    discovery: bool = False,
    functional_address: int | None = DEFAULT_FUNCTIONAL_ADDRESS,
) -> AsyncIterator[RunningVehicle]:
    """Run a DoIP entity on 127.0.0.1 (port 0 = any free port) for the demo vehicle or
    ``config``, with state persisted in ``state_dir`` (None = in memory only).

    ``faults`` are Fault objects or ``--fault`` strings (see vehicle_sim.faults);
    ``max_block_length`` overrides maxNumberOfBlockLength (e.g. 65536 + 2);
    ``can_speed`` limits throughput to classical CAN 500 kbit/s, waiting each message's bus time
    with ``bus_sleep``; ``erase_time_s`` overrides the pending time of the erase routine;
    ``clock`` times power losses with a duration, the ECUs' S3 session timers and their
    security delays; ``tls`` (a server context) also serves TLS on ``tls_port``; ``discovery``
    answers vehicle identification requests on ``udp_port``; diagnostic messages to
    ``functional_address`` (None = none) go to every ECU.
    """
    vehicle_config = config or demo_vehicle()
    if max_block_length is not None:
        vehicle_config = vehicle_config.with_max_block_length(max_block_length)
    if erase_time_s is not None:
        vehicle_config = vehicle_config.with_erase_time(erase_time_s)
    vehicle = SimulatedVehicle(vehicle_config, state_dir=state_dir, clock=clock)
    injector = FaultInjector(
        [f if isinstance(f, Fault) else parse_fault(f) for f in faults],
        battery=vehicle.battery,
        ignition=vehicle.ignition,
    )
    entity = DoipEntity(
        vehicle,
        port=port,
        faults=injector,
        payload_rate=CAN_500K_PAYLOAD_BYTES_PER_S if can_speed else None,
        bus_sleep=bus_sleep,
        clock=clock,
        tls=tls,
        udp_port=0 if discovery else None,
        functional_address=functional_address,
    )
    try:
        await entity.start()
        yield RunningVehicle(
            host=entity.host,
            port=entity.port,
            vehicle=vehicle,
            entity=entity,
            faults=injector,
            tls_port=entity.tls_port,
            udp_port=entity.udp_port,
        )
    finally:
        await entity.close()
        vehicle.close()


@contextlib.contextmanager
def running_isotp_vehicle(
    state_dir: Path | None,
    *,
    config: VehicleConfig | None = None,
    faults: Iterable[str | Fault] = (),
    rate_limit: bool = False,
    erase_time_s: float | None = None,
    interface: str = "virtual",
    channel: str | None = None,
    functional_id: int | None = FUNCTIONAL_CAN_ID,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[IsoTpVehicle]:
    """Serve the demo vehicle (or ``config``) over ISO-TP on a fresh virtual CAN channel
    (``vehicle.channel``); maxNumberOfBlockLength is capped at 4095. Connect a tester with
    ``vehicle_sim.isotp_bus.open_tester_stack(vehicle.channel, ecu_config, rate_limit=...)``.
    ``interface``/``channel`` put it on another python-can bus instead (e.g. socketcan, vcan0).
    Requests on CAN id ``functional_id`` (None = none) reach every ECU. ``clock`` times the
    ECUs' S3 session timers and security delays.
    """
    base = config or demo_vehicle()
    ecus = tuple(
        replace(e, max_block_length=min(e.max_block_length, ISOTP_MAX_BLOCK_LENGTH))
        for e in base.ecus
    )
    vehicle_config = replace(base, ecus=ecus)
    if erase_time_s is not None:
        vehicle_config = vehicle_config.with_erase_time(erase_time_s)
    vehicle = SimulatedVehicle(vehicle_config, state_dir=state_dir, clock=clock)
    injector = FaultInjector(
        [f if isinstance(f, Fault) else parse_fault(f) for f in faults],
        battery=vehicle.battery,
        ignition=vehicle.ignition,
    )
    isotp_vehicle = IsoTpVehicle(
        vehicle,
        channel=channel or f"aos-sim-{uuid.uuid4().hex}",
        interface=interface,
        rate_limit=rate_limit,
        faults=injector,
        functional_id=functional_id,
    )
    try:
        isotp_vehicle.start()
        yield isotp_vehicle
    finally:
        isotp_vehicle.stop()
        vehicle.close()


@contextlib.contextmanager
def running_vehicle_in_thread(state_dir: Path | None, **options: Any) -> Iterator[RunningVehicle]:
    """Like running_vehicle, but serving from an event loop in a background thread, for
    synchronous tests. ``options`` are running_vehicle's keyword arguments. Read ECU state
    (``sim.ecu(...)``) only while the tester is idle: the ECUs live on the other thread.

    Raises whatever starting the simulator raised (for example OSError on a taken port).
    """
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()
    outcome: dict[str, Any] = {}

    async def serve() -> None:
        try:
            async with running_vehicle(state_dir, **options) as sim:
                outcome["sim"] = sim
                started.set()
                await stop.wait()
        except BaseException as exc:
            outcome["error"] = exc
            started.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    started.wait()
    try:
        if "error" in outcome:
            raise outcome["error"]
        yield outcome["sim"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()
