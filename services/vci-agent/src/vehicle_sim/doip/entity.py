"""The DoIP entity: ISO 13400-2 on loopback, routing diagnostic messages to the ECUs.

TCP_DATA in the clear and, given a certificate, over TLS on a second port (ISO 13400-2:2019);
vehicle identification, entity status and diagnostic power mode requests over UDP when asked
for (see discovery.py; ISO 13400-2 has them on UDP only, so TCP_DATA answers them "unknown
payload type"). Never a broadcast.
"""

import asyncio
import logging
import ssl
import struct
import time
from collections.abc import Awaitable, Callable

from vehicle_sim.doip.codec import (
    HEADER_SIZE,
    ActivationType,
    DiagnosticNackCode,
    GenericNackCode,
    HeaderError,
    PayloadType,
    PowerMode,
    RoutingActivationCode,
    alive_check_response,
    diagnostic_ack,
    diagnostic_message,
    diagnostic_nack,
    generic_nack,
    parse_header,
    routing_activation_response,
)
from vehicle_sim.doip.discovery import DiscoveryResponder, EntityIdentity
from vehicle_sim.faults import FaultInjector, FaultKind
from vehicle_sim.uds import EcuServer, negative_response, pending_response
from vehicle_sim.vehicle import SimulatedVehicle

__all__ = [
    "CAN_500K_PAYLOAD_BYTES_PER_S",
    "DEFAULT_FUNCTIONAL_ADDRESS",
    "MAX_PAYLOAD_LENGTH",
    "DoipEntity",
]

logger = logging.getLogger(__name__)

# UDS payload rate of ISO-TP on classical CAN at 500 kbit/s (8-byte frames, 111 bits each).
CAN_500K_PAYLOAD_BYTES_PER_S = 31_400.0
MAX_PAYLOAD_LENGTH = 4 * 1024 * 1024
# How many leading bytes of a diagnostic message the positive ACK echoes back.
ACK_ECHO_LENGTH = 4
# ISO 13400-2 leaves the functional logical address to the vehicle maker; 0xE400 is a common
# choice (ours unless the entity is given another).
DEFAULT_FUNCTIONAL_ADDRESS = 0xE400
_TESTER_ADDRESSES = range(0x0E00, 0x1000)
_ACTIVATION_TYPES = frozenset(ActivationType)


class _Connection:
    __slots__ = ("secure", "tester", "writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.secure = writer.get_extra_info("sslcontext") is not None
        self.tester: int | None = None  # set by a successful routing activation


class DoipEntity:
    """A DoIP entity on ``host``:``port`` (port 0 = any free port, see ``port`` after start).

    ``payload_rate`` (bytes/s) optionally slows diagnostic messages to a bus rate such as
    CAN_500K_PAYLOAD_BYTES_PER_S; the bus time of each message is waited with ``bus_sleep``
    (tests pass one that records the delays asked for). ``clock`` (seconds, monotonic) times
    a power loss with a duration (tests pass one they advance themselves).

    ``tls`` (a server context with the entity's certificate) also serves TCP_DATA over TLS on
    ``tls_port`` (0 = any free port). Central security routing activation (0xE0) is granted on
    the TLS port only; on the clear port it is answered "requires TLS" (0x07).
    ``udp_port`` (0 = any free port, None = none) answers vehicle identification requests with
    the VIN, the logical address, ``eid`` and ``gid`` (default: a locally administered MAC
    made from the logical address; the GID is the EID), entity status requests with the
    TCP_DATA connections open now (clear and TLS), and diagnostic power mode requests with
    "ready" while the vehicle has power and its ignition is on, else "not ready".

    A diagnostic message to ``functional_address`` (None = none) is functionally addressed: it
    is acknowledged once (from the functional address), then every ECU handles it and sends
    its own answer, if any: positive answers suppressed by the request (``3E 80``) and the
    NRCs an ECU keeps quiet about on functional requests (see ``EcuServer.handle``) are not
    sent.
    """

    def __init__(
        self,
        vehicle: SimulatedVehicle,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultInjector | None = None,
        payload_rate: float | None = None,
        bus_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        tls: ssl.SSLContext | None = None,
        tls_port: int = 0,
        udp_port: int | None = None,
        eid: bytes | None = None,
        gid: bytes | None = None,
        functional_address: int | None = DEFAULT_FUNCTIONAL_ADDRESS,
    ) -> None:
        self.vehicle = vehicle
        self.functional_address = functional_address
        self.host = host
        self._requested_port = port
        self._tls = tls
        self._requested_tls_port = tls_port
        self._requested_udp_port = udp_port
        self._tls_server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        eid = eid if eid is not None else bytes((0x02, 0, 0, 0)) + self.address.to_bytes(2, "big")
        if len(eid) != 6 or (gid is not None and len(gid) != 6):
            raise ValueError("an EID and a GID are 6 bytes")
        self.identity = EntityIdentity(
            vin=vehicle.config.vin,
            logical_address=self.address,
            eid=eid,
            gid=gid if gid is not None else eid,
        )
        self.faults = faults or FaultInjector()
        self.payload_rate = payload_rate
        self._bus_sleep = bus_sleep
        self._clock = clock
        self._power_back_at = float("-inf")
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> int:
        return self.vehicle.config.logical_address

    @property
    def port(self) -> int:
        """The bound TCP port. Raises RuntimeError before start()."""
        if self._server is None:
            raise RuntimeError("the DoIP entity is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def tls_port(self) -> int | None:
        """The bound TLS port; None when the entity serves no TLS or is not started."""
        if self._tls_server is None:
            return None
        port: int = self._tls_server.sockets[0].getsockname()[1]
        return port

    @property
    def udp_port(self) -> int | None:
        """The bound UDP discovery port; None when the entity answers none or is not started."""
        if self._udp is None:
            return None
        port: int = self._udp.get_extra_info("sockname")[1]
        return port

    @property
    def powered(self) -> bool:
        """False while a power loss with a duration lasts."""
        return self._clock() >= self._power_back_at

    def power_off(self, seconds: float, *, cause: EcuServer | None = None) -> None:
        """The whole vehicle loses power for ``seconds``: every ECU but ``cause`` (which the
        caller has already cut mid-request) loses its volatile state, every connection drops,
        and new connections are closed at once until the power is back."""
        for ecu in self.vehicle:
            if ecu is not cause:
                ecu.power_loss()
        self._power_back_at = self._clock() + seconds
        for writer in list(self._writers):
            writer.transport.abort()
        logger.info("vehicle without power for %.1f s", seconds)

    @property
    def open_connections(self) -> int:
        """TCP_DATA connections open now, clear and TLS (what entity status reports)."""
        return len(self._writers)

    @property
    def power_mode(self) -> PowerMode:
        """Ready for diagnostics: the vehicle has power and its ignition is on."""
        ready = self.powered and self.vehicle.ignition.on
        return PowerMode.READY if ready else PowerMode.NOT_READY

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self._requested_port, limit=1 << 20
        )
        if self._tls is not None:
            self._tls_server = await asyncio.start_server(
                self._serve, self.host, self._requested_tls_port, limit=1 << 20, ssl=self._tls
            )
        if self._requested_udp_port is not None:
            transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: DiscoveryResponder(
                    self.identity,
                    powered=lambda: self.powered,
                    open_sockets=lambda: self.open_connections,
                    power_mode=lambda: self.power_mode,
                    max_data_size=MAX_PAYLOAD_LENGTH,
                ),
                local_addr=(self.host, self._requested_udp_port),
            )
            self._udp = transport

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tls_server is not None:
            self._tls_server.close()
        if self._server is not None:
            self._server.close()
        handlers = list(self._handlers)
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        if self._tls_server is not None:
            await self._tls_server.wait_closed()
            self._tls_server = None
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
        connection = _Connection(writer)
        if not self.powered:
            writer.transport.abort()  # nothing answers while the vehicle has no power
            if handler is not None:
                self._handlers.discard(handler)
            return
        self._writers.add(writer)
        try:
            while await self._read_one(connection, reader):
                pass
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the tester went away; nothing to answer
        except asyncio.CancelledError:
            # close() cancels the connection handlers; the connection simply ends. Not
            # re-raised: asyncio's stream callback would log it as an error.
            pass
        finally:
            if handler is not None:
                self._handlers.discard(handler)
            self._writers.discard(writer)
            writer.close()

    async def _read_one(self, connection: _Connection, reader: asyncio.StreamReader) -> bool:
        """Read and answer one DoIP message. Returns False when the socket must close."""
        raw_header = await reader.readexactly(HEADER_SIZE)
        writer = connection.writer
        try:
            header = parse_header(raw_header)
        except HeaderError:
            version = raw_header[0] if raw_header[0] in (0x02, 0x03) else 0x02
            writer.write(generic_nack(version, GenericNackCode.INCORRECT_PATTERN))
            await writer.drain()
            return False
        version = header.version
        if header.payload_length > MAX_PAYLOAD_LENGTH:
            writer.write(generic_nack(version, GenericNackCode.MESSAGE_TOO_LARGE))
            await writer.drain()
            return False
        payload = memoryview(await reader.readexactly(header.payload_length))
        kind = header.payload_type
        if kind == PayloadType.DIAGNOSTIC_MESSAGE:
            return await self._diagnostic(connection, version, payload)
        if kind == PayloadType.ROUTING_ACTIVATION_REQUEST:
            return await self._routing_activation(connection, version, payload)
        if kind == PayloadType.ALIVE_CHECK_REQUEST:
            if len(payload) != 0:
                return await self._nack_close(
                    writer, version, GenericNackCode.INVALID_PAYLOAD_LENGTH
                )
            writer.write(alive_check_response(version, source=self.address))
            await writer.drain()
            return True
        if kind == PayloadType.ALIVE_CHECK_RESPONSE:
            return True
        writer.write(generic_nack(version, GenericNackCode.UNKNOWN_PAYLOAD_TYPE))
        await writer.drain()
        return True

    async def _nack_close(
        self, writer: asyncio.StreamWriter, version: int, code: GenericNackCode
    ) -> bool:
        writer.write(generic_nack(version, code))
        await writer.drain()
        return False

    async def _routing_activation(
        self, connection: _Connection, version: int, payload: memoryview
    ) -> bool:
        writer = connection.writer
        if len(payload) not in (7, 11):
            return await self._nack_close(writer, version, GenericNackCode.INVALID_PAYLOAD_LENGTH)
        tester, activation_type = struct.unpack_from(">HB", payload)
        if tester not in _TESTER_ADDRESSES:
            code = RoutingActivationCode.UNKNOWN_SOURCE_ADDRESS
        elif activation_type not in _ACTIVATION_TYPES:
            code = RoutingActivationCode.UNSUPPORTED_ACTIVATION_TYPE
        elif activation_type == ActivationType.CENTRAL_SECURITY and not connection.secure:
            code = RoutingActivationCode.REQUIRES_TLS
        else:
            code = RoutingActivationCode.SUCCESS
            connection.tester = tester
        writer.write(
            routing_activation_response(version, tester=tester, entity=self.address, code=code)
        )
        await writer.drain()
        return code is RoutingActivationCode.SUCCESS

    async def _diagnostic(self, connection: _Connection, version: int, payload: memoryview) -> bool:
        writer = connection.writer
        if len(payload) < 5:
            return await self._nack_close(writer, version, GenericNackCode.INVALID_PAYLOAD_LENGTH)
        source, target = struct.unpack_from(">HH", payload)
        uds = payload[4:]
        echo = uds[:ACK_ECHO_LENGTH]
        if connection.tester is None or source != connection.tester:
            writer.write(
                diagnostic_nack(
                    version,
                    source=target,
                    target=source,
                    code=DiagnosticNackCode.INVALID_SOURCE_ADDRESS,
                    previous=echo,
                )
            )
            await writer.drain()
            return False
        if target == self.functional_address:
            return await self._functional(
                writer, version, address=target, tester=source, request=uds
            )
        ecu = self.vehicle.ecu(target)
        if ecu is None:
            writer.write(
                diagnostic_nack(
                    version,
                    source=target,
                    target=source,
                    code=DiagnosticNackCode.UNKNOWN_TARGET_ADDRESS,
                    previous=echo,
                )
            )
            await writer.drain()
            return True
        if self.payload_rate:
            # The request is "on the bus" until it is fully transmitted: acknowledge it after.
            await self._bus_sleep(len(uds) / self.payload_rate)
        writer.write(diagnostic_ack(version, source=target, target=source, previous=echo))
        return await self._uds(writer, ecu, version, tester=source, request=uds)

    async def _functional(
        self,
        writer: asyncio.StreamWriter,
        version: int,
        *,
        address: int,
        tester: int,
        request: memoryview,
    ) -> bool:
        """One request to every ECU: one ACK, then each ECU's answer (in address order)."""
        if self.payload_rate:
            await self._bus_sleep(len(request) / self.payload_rate)
        writer.write(
            diagnostic_ack(
                version,
                source=address,
                target=tester,
                previous=request[:ACK_ECHO_LENGTH],
            )
        )
        for ecu in sorted(self.vehicle, key=lambda server: server.address):
            if not await self._uds(
                writer, ecu, version, tester=tester, request=request, functional=True
            ):
                return False
        return True

    async def _uds(
        self,
        writer: asyncio.StreamWriter,
        ecu: EcuServer,
        version: int,
        *,
        tester: int,
        request: memoryview,
        functional: bool = False,
    ) -> bool:
        def send(response: bytes) -> None:
            writer.write(
                diagnostic_message(version, source=ecu.address, target=tester, user_data=response)
            )

        fault = self.faults.check(ecu.address, request)
        if fault is not None:
            logger.info("fault %s on ECU 0x%04X SID 0x%02X", fault.kind, ecu.address, request[0])
            if fault.kind is FaultKind.DELAY:
                await asyncio.sleep(fault.delay_seconds)
            elif fault.kind is FaultKind.NRC:
                send(negative_response(request[0], fault.nrc))
                await writer.drain()
                return True
            elif fault.kind is FaultKind.LINK_LOSS:
                return False
            elif fault.kind is FaultKind.POWER_LOSS:
                ecu.power_loss(request[2:] if request[0] == 0x36 else None)
                if fault.power_off_seconds > 0:
                    self.power_off(fault.power_off_seconds, cause=ecu)
                return False
        reply = ecu.handle(request, functional=functional)
        if self.payload_rate and reply.response is not None:
            await self._bus_sleep(len(reply.response) / self.payload_rate)
        if fault is not None and fault.kind is FaultKind.DROP:
            await writer.drain()
            return True
        if reply.pending_s > 0:
            send(pending_response(request[0]))
            await writer.drain()
            await asyncio.sleep(reply.pending_s)
        if reply.response is not None:
            send(reply.response)
        await writer.drain()
        return True
