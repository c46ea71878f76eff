"""Fault injection between the transport and the ECU servers.

A fault fires once, on the first request that matches it. Specification (CLI ``--fault``):
``KIND[,ecu=ADDR][,service=SID][,block=N][,nrc=CODE][,seconds=S][,volts=V]`` with KIND one of

- ``nrc``: answer ``7F <SID> <nrc>`` (default 0x72) instead of processing the request;
- ``delay``: wait ``seconds`` (default 1.0) before processing the request;
- ``drop``: process the request but send no response;
- ``link-loss``: close the TCP connection instead of processing the request;
- ``power-loss``: the ECU loses power: half of the block (if it is a TransferData) is written,
  volatile state is lost, the ECU stays "in bootloader", and the connection closes. With
  ``seconds`` the whole vehicle stays without power that long (DoIP: every connection is
  dropped and new ones are closed at once; ISO-TP ignores the duration), as when a technician
  reconnects a charger; without, power is back at once.
- ``voltage``: from that request on the vehicle's battery reads ``volts`` (required), for
  ``seconds`` (on the simulator's clock) or, without, until another ``voltage`` fault fires.
  The request itself is processed normally, and other faults may fire on it too; the
  transports never see this kind (the injector applies it to the battery).
- ``ignition-off``: the ignition is off, for ``seconds`` (on the simulator's clock) or, without,
  for good: the DoIP entity answers a diagnostic power mode request "not ready" (0x00). The
  ECUs keep answering UDS, as behind a gateway on the permanent supply; only the power mode
  tells. Without ``ecu``, ``service`` or ``block`` it holds from the simulator's start (the
  usual case: a tester's pre-flight check sees it before any request); with them, from the
  first matching request on, which is processed normally (the transports never see it).

``block=N`` means the N-th TransferData (0x36) request since the last RequestDownload (0x34),
counted per ECU, repeats included; it implies ``service=0x36``. Numbers may be hex (0x12).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vehicle_sim.battery import Battery
from vehicle_sim.ignition import Ignition

__all__ = ["Fault", "FaultInjector", "FaultKind", "fault_from_json", "parse_fault"]

_TRANSFER_DATA = 0x36
_REQUEST_DOWNLOAD = 0x34


class FaultKind(StrEnum):
    NRC = "nrc"
    DELAY = "delay"
    DROP = "drop"
    LINK_LOSS = "link-loss"
    POWER_LOSS = "power-loss"
    VOLTAGE = "voltage"
    IGNITION_OFF = "ignition-off"


# Kinds that change the vehicle's state instead of the transport's answer.
_STATE_KINDS = frozenset({FaultKind.VOLTAGE, FaultKind.IGNITION_OFF})


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    ecu: int | None = None
    service: int | None = None
    block: int | None = None
    nrc: int = 0x72
    seconds: float | None = None
    volts: float | None = None
    fired: bool = False

    @property
    def delay_seconds(self) -> float:
        """How long a ``delay`` fault holds the request (default 1 s)."""
        return 1.0 if self.seconds is None else self.seconds

    @property
    def power_off_seconds(self) -> float:
        """How long a ``power-loss`` fault keeps the vehicle without power (default 0)."""
        return 0.0 if self.seconds is None else self.seconds

    def matches(self, ecu: int, sid: int, block: int | None) -> bool:
        if self.fired or (self.ecu is not None and self.ecu != ecu):
            return False
        service = (
            _TRANSFER_DATA if self.block is not None and self.service is None else self.service
        )
        if service is not None and service != sid:
            return False
        return self.block is None or self.block == block


def _number(value: Any, name: str) -> int:
    try:
        return value if isinstance(value, int) else int(str(value), 0)
    except ValueError as exc:
        raise ValueError(f"fault field {name} must be a number, got {value!r}") from exc


def fault_from_json(raw: dict[str, Any]) -> Fault:
    """Build a fault from a config entry like ``{"kind": "drop", "ecu": "0x12", "block": 5}``.

    Raises ValueError on an unknown kind or field, or a value that is not a number.
    """
    fields = dict(raw)
    try:
        kind = FaultKind(str(fields.pop("kind")))
    except (KeyError, ValueError) as exc:
        kinds = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"fault kind must be one of {kinds}") from exc
    fault = Fault(kind=kind)
    for name, value in fields.items():
        if name in ("ecu", "service", "block", "nrc"):
            setattr(fault, name, _number(value, name))
        elif name in ("seconds", "volts"):
            try:
                setattr(fault, name, float(value))
            except ValueError as exc:
                raise ValueError(f"fault field {name} must be a number, got {value!r}") from exc
        else:
            raise ValueError(f"unknown fault field {name!r}")
    if fault.block is not None and fault.block < 1:
        raise ValueError("fault block numbers start at 1")
    if fault.kind is FaultKind.VOLTAGE:
        if fault.volts is None or fault.volts < 0:
            raise ValueError("a voltage fault needs volts=V (V >= 0), e.g. voltage,volts=11.8")
    elif fault.volts is not None:
        raise ValueError("only a voltage fault takes volts")
    return fault


def parse_fault(spec: str) -> Fault:
    """Parse ``KIND[,key=value...]``. Raises ValueError on a malformed specification."""
    kind, *pairs = [part.strip() for part in spec.split(",") if part.strip()] or [""]
    raw: dict[str, Any] = {"kind": kind}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"fault option {pair!r} must be key=value")
        raw[name.strip()] = value.strip()
    return fault_from_json(raw)


class FaultInjector:
    """Decides, per request, which fault (if any) fires. Counts TransferData blocks per ECU.
    ``battery`` is the vehicle's, which ``voltage`` faults set, and ``ignition`` the one
    ``ignition-off`` faults switch off (without them those faults are ignored). An
    ``ignition-off`` fault without ``ecu``, ``service`` or ``block`` fires here, at once."""

    def __init__(
        self,
        faults: list[Fault] | None = None,
        *,
        battery: Battery | None = None,
        ignition: Ignition | None = None,
    ) -> None:
        self.faults = list(faults or [])
        self.battery = battery
        self.ignition = ignition
        self._blocks: dict[int, int] = {}
        for fault in self.faults:
            unfiltered = fault.ecu is None and fault.service is None and fault.block is None
            if fault.kind is FaultKind.IGNITION_OFF and unfiltered:
                self._apply_state(fault)

    def _apply_state(self, fault: Fault) -> None:
        fault.fired = True
        if fault.kind is FaultKind.VOLTAGE:
            if self.battery is not None and fault.volts is not None:
                self.battery.set(fault.volts, seconds=fault.seconds)
        elif self.ignition is not None:
            self.ignition.switch_off(seconds=fault.seconds)

    def check(self, ecu: int, request: bytes | memoryview) -> Fault | None:
        """Return the transport fault to apply to ``request`` for ``ecu`` (marking it fired),
        or None. Matching ``voltage`` and ``ignition-off`` faults are applied to the battery and
        the ignition here and not returned."""
        if len(request) == 0:
            return None
        sid = request[0]
        block: int | None = None
        if sid == _REQUEST_DOWNLOAD:
            self._blocks[ecu] = 0
        elif sid == _TRANSFER_DATA:
            block = self._blocks[ecu] = self._blocks.get(ecu, 0) + 1
        for fault in self.faults:
            if fault.kind in _STATE_KINDS and fault.matches(ecu, sid, block):
                self._apply_state(fault)
        for fault in self.faults:
            if fault.kind not in _STATE_KINDS and fault.matches(ecu, sid, block):
                fault.fired = True
                return fault
        return None
