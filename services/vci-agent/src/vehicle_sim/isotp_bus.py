"""ISO-TP mode: the same ECU servers on python-can's in-process ``virtual`` bus (can-isotp).

python-can's virtual bus connects Bus objects of one process only, so this mode serves tests and
benchmarks that run tester and simulator in the same process. Each ECU gets a
NotifierBasedCanStack (11-bit normal addressing, ids from EcuConfig.can_ids) and a worker
thread that answers requests with the ECU's pure UDS server.

Speed: the bus itself is not timed. With ``rate_limit=True`` a stack's sending is limited to
classical CAN 500 kbit/s (can-isotp counts data bits only, so the limit is 500000*64/111 bit/s,
which gives about 31.4 kB/s of UDS payload). Both sides must be limited to model the bus: use
``open_tester_stack(..., rate_limit=True)`` for the tester.

Functional addressing: every ECU also listens on the functional request id (0x7DF, the one
ISO 15765-4 gives OBD; single frames only) and answers, if at all, on its own response id,
with the quiet rules of functionally addressed requests (see ``EcuServer.handle``).
"""

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import can
import isotp

from vehicle_sim.config import EcuConfig
from vehicle_sim.faults import FaultInjector, FaultKind
from vehicle_sim.uds import EcuServer, negative_response, pending_response
from vehicle_sim.vehicle import SimulatedVehicle

__all__ = [
    "CAN_500K_RATE_LIMIT_BITRATE",
    "FUNCTIONAL_CAN_ID",
    "ISOTP_MAX_BLOCK_LENGTH",
    "IsoTpVehicle",
    "isotp_params",
    "open_tester_stack",
]

CAN_500K_RATE_LIMIT_BITRATE = 500_000 * 64 / 111
FUNCTIONAL_CAN_ID = 0x7DF
# Classical ISO-TP (no escape sequence) carries at most 4095 bytes per message.
ISOTP_MAX_BLOCK_LENGTH = 4095


def isotp_params(*, rate_limit: bool = False) -> dict[str, Any]:
    """can-isotp parameters for 8-byte classical CAN frames, optionally at 500 kbit/s."""
    params: dict[str, Any] = {
        "stmin": 0,
        "blocksize": 0,
        "tx_data_length": 8,
        "tx_padding": 0xAA,
        "max_frame_size": ISOTP_MAX_BLOCK_LENGTH,
        "rx_flowcontrol_timeout": 1000,
        "rx_consecutive_frame_timeout": 1000,
    }
    if rate_limit:
        params.update(
            rate_limit_enable=True,
            rate_limit_max_bitrate=int(CAN_500K_RATE_LIMIT_BITRATE),
            rate_limit_window_size=0.05,
        )
    return params


def _address(request_id: int, response_id: int) -> isotp.Address:
    return isotp.Address(isotp.AddressingMode.Normal_11bits, txid=request_id, rxid=response_id)


class _EcuWorker:
    """Answers the requests of one ISO-TP stack with ``ecu``; ``lock`` is the ECU's, shared
    with its other worker (physical and functional requests arrive on two stacks)."""

    def __init__(
        self,
        ecu: EcuServer,
        stack: Any,
        faults: FaultInjector,
        *,
        lock: threading.Lock,
        functional: bool = False,
    ) -> None:
        self.ecu = ecu
        self.stack = stack
        self.faults = faults
        self.lock = lock
        self.functional = functional
        self.stopping = threading.Event()
        kind = "functional" if functional else "ecu"
        self.thread = threading.Thread(
            target=self._run, name=f"isotp-{kind}-{ecu.address:04x}", daemon=True
        )

    def _run(self) -> None:
        while not self.stopping.is_set():
            request = self.stack.recv(block=True, timeout=0.1)
            if request:
                with self.lock:
                    self._answer(bytes(request))

    def _answer(self, request: bytes) -> None:
        fault = self.faults.check(self.ecu.address, request)
        if fault is not None:
            if fault.kind is FaultKind.DELAY:
                time.sleep(fault.delay_seconds)
            elif fault.kind is FaultKind.NRC:
                self.stack.send(negative_response(request[0], fault.nrc))
                return
            elif fault.kind is FaultKind.LINK_LOSS:
                return  # on CAN a lost link is a missing answer
            elif fault.kind is FaultKind.POWER_LOSS:
                self.ecu.power_loss(memoryview(request)[2:] if request[0] == 0x36 else None)
                return
        reply = self.ecu.handle(request, functional=self.functional)
        if fault is not None and fault.kind is FaultKind.DROP:
            return
        if reply.pending_s > 0:
            self.stack.send(pending_response(request[0]))
            time.sleep(reply.pending_s)
        if reply.response is not None:
            self.stack.send(reply.response)


class IsoTpVehicle:
    """Serves every ECU of ``vehicle`` on the CAN ``channel`` until stop(); ``interface`` is
    python-can's (``virtual`` by default; ``socketcan`` with a ``vcan`` channel reaches testers
    in other processes). Requests on ``functional_id`` (None = none) reach every ECU."""

    def __init__(
        self,
        vehicle: SimulatedVehicle,
        *,
        channel: str,
        interface: str = "virtual",
        rate_limit: bool = False,
        faults: FaultInjector | None = None,
        functional_id: int | None = FUNCTIONAL_CAN_ID,
    ) -> None:
        for ecu in vehicle:
            if ecu.config.max_block_length > ISOTP_MAX_BLOCK_LENGTH:
                raise ValueError("on ISO-TP max_block_length must be at most 4095 bytes")
        self.vehicle = vehicle
        self.channel = channel
        self.interface = interface
        self._rate_limit = rate_limit
        self._faults = faults or FaultInjector()
        self.functional_id = functional_id
        self._bus: can.BusABC | None = None
        self._notifier: can.Notifier | None = None
        self._workers: list[_EcuWorker] = []

    def start(self) -> None:
        self._bus = can.Bus(
            interface=self.interface, channel=self.channel, receive_own_messages=False
        )
        self._notifier = can.Notifier(self._bus, [], timeout=0.05)
        for ecu in self.vehicle:
            request_id, response_id = ecu.config.can_ids
            lock = threading.Lock()
            listen = [(request_id, False)]
            if self.functional_id is not None:
                listen.append((self.functional_id, True))
            for rxid, functional in listen:
                stack = isotp.NotifierBasedCanStack(
                    self._bus,
                    self._notifier,
                    address=_address(response_id, rxid),
                    params=isotp_params(rate_limit=self._rate_limit),
                )
                stack.start()
                worker = _EcuWorker(ecu, stack, self._faults, lock=lock, functional=functional)
                worker.thread.start()
                self._workers.append(worker)

    @property
    def ecu_stacks(self) -> list[Any]:
        """The ISO-TP stacks answering physical requests to the ECUs (while started)."""
        return [worker.stack for worker in self._workers if not worker.functional]

    def stop(self) -> None:
        for worker in self._workers:
            worker.stopping.set()
        for worker in self._workers:
            worker.thread.join(timeout=2)
            worker.stack.stop()
        self._workers.clear()
        if self._notifier is not None:
            self._notifier.stop()
        if self._bus is not None:
            self._bus.shutdown()
        self._bus = self._notifier = None


@contextlib.contextmanager
def open_tester_stack(channel: str, ecu: EcuConfig, *, rate_limit: bool = False) -> Iterator[Any]:
    """A tester-side NotifierBasedCanStack for ``ecu`` on the virtual ``channel``, not started:
    wrap it in ``udsoncan.connections.PythonIsoTpConnection`` (whose open() starts it), or
    call ``start()`` to use ``send``/``recv`` directly. It is stopped on exit."""
    bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    notifier = can.Notifier(bus, [], timeout=0.05)
    request_id, response_id = ecu.can_ids
    stack = isotp.NotifierBasedCanStack(
        bus,
        notifier,
        address=_address(request_id, response_id),
        params=isotp_params(rate_limit=rate_limit),
    )
    try:
        yield stack
    finally:
        if stack.started:
            stack.stop()
        notifier.stop()
        bus.shutdown()
