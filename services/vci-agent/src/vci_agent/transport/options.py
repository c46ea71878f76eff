"""The command line's vehicle interface options, and the connection seam they build.

Every command that talks to the vehicle (``flash``, ``connect``, ``read-vehicle``) takes the
same options and gets one ``connect(logical_address) -> BaseConnection``; the flasher and the
vehicle reader only ever see that. DoIP is the default; ``--interface`` picks a python-can
interface instead (ISO-TP on CAN), or ``j2534`` for a SAE J2534 pass-thru device (its library
by ``--j2534-dll`` or, on Windows, its registered name by ``--j2534-device``); on CAN the ECUs
are found by their CAN ids (``--can-id``).

Over DoIP the connector also offers ``preflight()``, which the flash paths call before a job
starts: the entity's diagnostic power mode and entity status over UDP (``--udp-port``), unless
``--skip-doip-checks``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import ssl
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import can
from udsoncan.connections import BaseConnection

from aos_contracts.demo import DEMO_ECUS
from vci_agent.platform import PLATFORM, RegistryReader, installed_passthru_devices, is_windows
from vci_agent.transport.discovery import (
    DISCOVERY_PORT,
    DiscoveryError,
    EntityStatus,
    PowerMode,
    entity_status,
    power_mode,
)
from vci_agent.transport.doip import (
    TCP_DATA_PORT,
    TLS_DATA_PORT,
    ActivationType,
    doip_connection,
    tls_context,
)
from vci_agent.transport.isotp import IsoTpEndpoint, isotp_connection
from vci_agent.transport.j2534 import J2534Connector, J2534Device

__all__ = [
    "ANOTHER_TESTER",
    "DEMO_CAN_IDS",
    "IGNITION_OFF",
    "Connector",
    "DoipConnector",
    "IsoTpConnector",
    "add_interface_options",
    "connector_from_args",
    "j2534_library_path",
    "parse_activation_type",
    "parse_can_id",
    "preflight_problems",
]

Connector = Callable[[int], BaseConnection]

DEFAULT_BITRATE = 500_000
J2534_INTERFACE = "j2534"
# (request id, response id) of the AOS demo vehicle's ECUs on CAN (11-bit, normal addressing),
# for the offline commands; a service job carries its ECU's ids from the programming catalog
# (IsoTpConnector.learn), and --can-id overrides both.
DEMO_CAN_IDS: Mapping[int, tuple[int, int]] = MappingProxyType(
    {ecu.logical_address: (ecu.can_request_id, ecu.can_response_id) for ecu in DEMO_ECUS}
)

_log = logging.getLogger(__name__)

# What the DoIP pre-flight check refuses a job with (the technician reads it in the portal).
IGNITION_OFF = "the vehicle's ignition is off: switch it on and start again"
ANOTHER_TESTER = "another tester is connected to the vehicle: disconnect it"

_ACTIVATION_NAMES = {
    "default": ActivationType.DEFAULT,
    "wwh-obd": ActivationType.WWH_OBD,
    "central-security": ActivationType.CENTRAL_SECURITY,
}


def parse_activation_type(text: str) -> int:
    """A routing activation type by name (default, wwh-obd, central-security) or number."""
    named = _ACTIVATION_NAMES.get(text.lower())
    if named is not None:
        return int(named)
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 <= value <= 0xFF:
        names = ", ".join(_ACTIVATION_NAMES)
        raise argparse.ArgumentTypeError(
            f"not a routing activation type: {text!r} (use {names} or a number 0x00-0xFF)"
        )
    return value


def parse_can_id(text: str) -> tuple[int, int, int]:
    """``ECU=REQUEST:RESPONSE`` (e.g. ``0x12=0x712:0x71A``) as (ECU, request id, response id)."""
    try:
        ecu, ids = text.split("=", 1)
        request, response = ids.split(":", 1)
        values = (int(ecu, 0), int(request, 0), int(response, 0))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a CAN id mapping: {text!r} (use ECU=REQUEST:RESPONSE, e.g. 0x12=0x712:0x71A)"
        ) from None
    if not all(0 <= can_id <= 0x7FF for can_id in values[1:]):
        raise argparse.ArgumentTypeError(f"CAN ids are 11-bit (0x000-0x7FF): {text!r}")
    return values


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r} (use 0x.. for hex)") from None


def add_interface_options(command: argparse.ArgumentParser) -> None:
    """DoIP options: entity address and port, protocol version, TLS and activation type."""
    doip = command.add_argument_group("DoIP (ISO 13400-2)")
    doip.add_argument("--host", default="127.0.0.1", help="DoIP entity address")
    doip.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"DoIP TCP port (default {TCP_DATA_PORT}, or {TLS_DATA_PORT} with --tls)",
    )
    doip.add_argument(
        "--protocol-version", type=_int, default=2, help="DoIP protocol version (2 or 3)"
    )
    doip.add_argument(
        "--tls", action="store_true", help="speak TLS to the entity (ISO 13400-2:2019)"
    )
    doip.add_argument(
        "--ca-file",
        type=Path,
        help="PEM file of the CA(s) that signed the entity's certificate (with --tls; "
        "default: the system's trusted CAs)",
    )
    doip.add_argument(
        "--activation-type",
        type=parse_activation_type,
        default=int(ActivationType.DEFAULT),
        help="routing activation type: default (0x00), wwh-obd (0x01), central-security "
        "(0xE0, needs --tls) or a number",
    )
    doip.add_argument(
        "--udp-port",
        type=int,
        default=None,
        help="the entity's UDP port for the pre-flight checks (default: --port when given "
        f"without --tls, else {DISCOVERY_PORT}; an entity serves UDP and TCP on one port)",
    )
    doip.add_argument(
        "--skip-doip-checks",
        action="store_true",
        help="do not ask the entity for its diagnostic power mode (ignition) and status "
        "(another tester connected) before a flash",
    )
    bus = command.add_argument_group("CAN (ISO-TP on python-can or a J2534 device) instead of DoIP")
    bus.add_argument(
        "--interface",
        help="python-can interface, e.g. socketcan, pcan, vector, kvaser, gs_usb, slcan, "
        "virtual; or j2534 for a SAE J2534 (04.04) pass-thru device",
    )
    bus.add_argument("--channel", help="the interface's channel, e.g. can0, PCAN_USBBUS1, 0")
    bus.add_argument(
        "--bitrate", type=int, default=DEFAULT_BITRATE, help="CAN bit rate (default 500000)"
    )
    bus.add_argument(
        "--can-id",
        type=parse_can_id,
        action="append",
        default=[],
        metavar="ECU=REQ:RESP",
        help="CAN request and response ids of an ECU, e.g. 0x12=0x712:0x71A (repeatable; the "
        "demo vehicle's ECUs are known)",
    )
    passthru = bus.add_mutually_exclusive_group()
    passthru.add_argument(
        "--j2534-dll",
        type=Path,
        metavar="PATH",
        help="with --interface j2534: the device's J2534 library (a 64-bit DLL on Windows)",
    )
    passthru.add_argument(
        "--j2534-device",
        metavar="NAME",
        help="with --interface j2534 on Windows: the device's name as registered under "
        "PassThruSupport.04.04 (a wrong name lists the installed ones)",
    )


@contextlib.contextmanager
def connector_from_args(args: argparse.Namespace) -> Iterator[Connector]:
    """The ``connect(logical_address)`` the options describe, for the duration of the block
    (a CAN bus is opened once and shut down at its end).

    Raises ``ValueError`` for options that do not go together, ``OSError``/``ssl.SSLError``
    when the CA file cannot be read and ``can.CanError`` when the CAN interface cannot be
    opened (before any connection is tried).
    """
    passthru = args.j2534_dll is not None or args.j2534_device is not None
    if passthru and args.interface != J2534_INTERFACE:
        raise ValueError("--j2534-dll and --j2534-device are for J2534: add --interface j2534")
    if args.interface is not None:
        if args.tls:
            raise ValueError("--tls is for DoIP: leave it out with --interface")
        ids = dict(DEMO_CAN_IDS)
        ids.update({ecu: (request, response) for ecu, request, response in args.can_id})
        given = frozenset(ecu for ecu, _, _ in args.can_id)
        if args.interface == J2534_INTERFACE:
            device = J2534Device.open(
                j2534_library_path(dll=args.j2534_dll, device=args.j2534_device),
                baudrate=args.bitrate,
            )
            try:
                yield J2534Connector(device, ids, pinned=given)
            finally:
                device.close()
            return
        bus = can.Bus(interface=args.interface, channel=args.channel, bitrate=args.bitrate)
        try:
            notifier = can.Notifier(bus, [], timeout=0.1)
            try:
                yield IsoTpConnector(bus, ids, notifier=notifier, pinned=given)
            finally:
                notifier.stop()
        finally:
            bus.shutdown()
        return
    if args.can_id:
        raise ValueError("--can-id is for CAN: add --interface")
    yield _doip_from_args(args)


def preflight_problems(connect: Connector) -> list[str]:
    """What the connector's pre-flight check finds against starting a flash (``preflight()``,
    DoIP only); none for a connector without one. It blocks up to a few seconds (UDP)."""
    check = getattr(connect, "preflight", None)
    if not callable(check):
        return []
    problems: list[str] = check()
    return problems


def j2534_library_path(
    *,
    dll: Path | None,
    device: str | None,
    platform: str = PLATFORM,
    registry: RegistryReader | None = None,
) -> Path:
    """The J2534 library to load: ``dll`` as given, or the one the Windows registry names for
    ``device`` (its registered name, case-insensitive). Raises ``ValueError`` saying what to
    give instead, with the installed devices' names."""
    if dll is not None:
        if not dll.is_file():
            raise ValueError(f"no J2534 library at {dll}: give the path of the device's DLL")
        return dll
    if not is_windows(platform):
        raise ValueError(
            "--interface j2534 needs --j2534-dll PATH (devices are registered by name on "
            "Windows only)"
        )
    installed = installed_passthru_devices(platform=platform, registry=registry)
    names = "; ".join(
        f"{d.name} ({d.vendor}{', 32-bit' if d.bits == 32 else ''})" for d in installed
    )
    listing = f"installed: {names}" if installed else "none is installed"
    if device is None:
        raise ValueError(
            f"--interface j2534 needs --j2534-device NAME or --j2534-dll PATH; {listing}"
        )
    matches = [d for d in installed if d.name.casefold() == device.casefold()]
    usable = [d for d in matches if d.bits == 64]
    if usable:
        return Path(usable[0].function_library)
    if matches:
        raise ValueError(
            f"the J2534 device {device!r} is registered with a 32-bit DLL only "
            f"({matches[0].function_library}); the agent is 64-bit: install the vendor's "
            "64-bit driver"
        )
    raise ValueError(f"no J2534 device named {device!r}; {listing}")


def _doip_from_args(args: argparse.Namespace) -> Connector:
    if args.ca_file is not None and not args.tls:
        raise ValueError("--ca-file is for TLS: add --tls")
    tls = tls_context(args.ca_file) if args.tls else None
    port = args.port if args.port is not None else TLS_DATA_PORT if args.tls else TCP_DATA_PORT
    return DoipConnector(
        args.host,
        port,
        protocol_version=args.protocol_version,
        tls=tls,
        activation_type=args.activation_type,
        udp_port=_udp_port(args),
        checks=not args.skip_doip_checks,
    )


def _udp_port(args: argparse.Namespace) -> int:
    """The entity's UDP port: as given, else the TCP port given (ISO 13400-2 serves both on
    13400, and an entity on another port, like a simulator, keeps them together), else 13400;
    the TLS port 3496 is TCP only."""
    if args.udp_port is not None:
        return int(args.udp_port)
    if args.port is not None and not args.tls:
        return int(args.port)
    return DISCOVERY_PORT


@dataclass(frozen=True, slots=True)
class DoipConnector:
    """Opens a DoIP connection to one ECU of the entity at ``host``:``port``; ``preflight``
    asks the entity on ``udp_port`` whether a flash may start (unless ``checks`` is False)."""

    host: str
    port: int
    protocol_version: int = 2
    tls: ssl.SSLContext | None = None
    activation_type: int = ActivationType.DEFAULT
    udp_port: int = DISCOVERY_PORT
    checks: bool = True
    udp_timeout: float = 0.5
    udp_attempts: int = 3
    # A connection a tester (or this agent's last job) just closed may still count for a
    # moment while the entity takes it down: open sockets are asked again after this pause.
    settle_seconds: float = 0.5
    # The connections this connector opened: while open, they are ours, not another tester's
    # (a vehicle read may run while a job starts on the same entity).
    _opened: weakref.WeakSet[BaseConnection] = field(
        default_factory=weakref.WeakSet, compare=False, repr=False
    )

    def preflight(self) -> list[str]:
        """What stands against starting a flash now, each a sentence for the technician; call
        it while this agent holds no connection to the entity. Asks the entity (unicast UDP)
        for its diagnostic power mode ("not ready": the ignition is off) and its status (open
        TCP_DATA sockets: another tester is connected). Neither carries a battery voltage.
        An entity that does not answer, or does not support a request, is let through with a
        warning in the log: many do not answer these requests."""
        if not self.checks:
            _log.warning("DoIP pre-flight checks skipped: ignition and other testers unchecked")
            return []
        where = f"the DoIP entity at {self.host} (UDP {self.udp_port})"
        problems: list[str] = []
        try:
            mode = power_mode(
                self.host,
                port=self.udp_port,
                timeout=self.udp_timeout,
                attempts=self.udp_attempts,
                protocol_version=self.protocol_version,
            )
            status = self._entity_status()
        except (DiscoveryError, OSError) as exc:
            _log.warning("%s cannot be asked for its state (%s): flashing without", where, exc)
            return []
        if mode is PowerMode.NOT_READY:
            problems.append(IGNITION_OFF)
        elif mode is None:
            _log.warning("%s did not answer the power mode request: ignition unchecked", where)
        elif mode is not PowerMode.READY:
            _log.warning("%s reports power mode 0x%02X: ignition unchecked", where, mode)
        if status is None:
            _log.warning(
                "%s did not answer the entity status request: other testers unchecked", where
            )
        elif status.open_sockets > self._own_sockets() and self._still_busy():
            problems.append(ANOTHER_TESTER)
        return problems

    def __call__(self, logical_address: int) -> BaseConnection:
        connection = doip_connection(
            self.host,
            self.port,
            logical_address,
            protocol_version=self.protocol_version,
            tls=self.tls,
            activation_type=self.activation_type,
        )
        self._opened.add(connection)
        return connection

    def _own_sockets(self) -> int:
        """How many TCP connections to the entity this agent holds open now."""
        return sum(1 for connection in list(self._opened) if connection.is_open())

    def _entity_status(self) -> EntityStatus | None:
        return entity_status(
            self.host,
            port=self.udp_port,
            timeout=self.udp_timeout,
            attempts=self.udp_attempts,
            protocol_version=self.protocol_version,
        )

    def _still_busy(self) -> bool:
        time.sleep(self.settle_seconds)
        try:
            status = self._entity_status()
        except (DiscoveryError, OSError):
            return True  # it answered a moment ago: the sockets it reported stand
        return status is None or status.open_sockets > self._own_sockets()


class IsoTpConnector:
    """Opens an ISO-TP connection to one ECU on ``bus``; ``can_ids`` maps a logical address to
    the ECU's (request id, response id). Every connection reads through the one ``notifier``
    of the bus (a vehicle read may run while another ECU is flashed). ``pinned``: logical
    addresses whose ids the user gave (``--can-id``), which ``learn`` leaves alone."""

    def __init__(
        self,
        bus: can.BusABC,
        can_ids: Mapping[int, tuple[int, int]],
        *,
        notifier: can.Notifier,
        pinned: Iterable[int] = (),
    ) -> None:
        self.bus = bus
        self.can_ids = dict(can_ids)
        self.notifier = notifier
        self.pinned = frozenset(pinned)

    def learn(self, logical_address: int, ids: tuple[int, int]) -> None:
        """Use ``ids`` (request id, response id) for the ECU from now on, as a job from the
        service's catalog gives them, unless the user pinned the ECU's ids."""
        if logical_address not in self.pinned:
            self.can_ids[logical_address] = ids

    def __call__(self, logical_address: int) -> BaseConnection:
        ids = self.can_ids.get(logical_address)
        if ids is None:
            raise ValueError(
                f"no CAN ids known for ECU 0x{logical_address:04X}: give "
                f"--can-id 0x{logical_address:X}=REQUEST:RESPONSE"
            )
        endpoint = IsoTpEndpoint(txid=ids[0], rxid=ids[1])
        return isotp_connection(self.bus, endpoint, notifier=self.notifier)
