"""DoIP over UDP (ISO 13400-2 UDP_DISCOVERY): the entity answers vehicle identification
requests sent to it with its VIN, logical address, EID and GID, DoIP entity status requests
with its node type and TCP_DATA sockets (the most it takes, how many are open now), and
diagnostic power mode requests with whether the vehicle is ready for diagnostics.

ISO 13400-2 carries these three requests over UDP only (on TCP_DATA the entity answers them
"unknown payload type", see entity.py). The entity only answers: it never sends a vehicle
announcement on its own, since that is a broadcast, and the simulator never broadcasts. An
answer goes to the address and port the request came from, as the standard asks.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from vehicle_sim.doip.codec import (
    EID_LENGTH,
    HEADER_SIZE,
    IDENTIFICATION_REQUEST_VERSION,
    VIN_LENGTH,
    GenericNackCode,
    HeaderError,
    NodeType,
    PayloadType,
    PowerMode,
    diagnostic_power_mode_response,
    entity_status_response,
    generic_nack,
    parse_header,
    vehicle_identification_response,
)

__all__ = ["MAX_TCP_SOCKETS", "DiscoveryResponder", "EntityIdentity"]

logger = logging.getLogger(__name__)

# The version the entity answers in when the request says "any version" (0xFF).
_ANSWER_VERSION = 0x02
# The entity sets no limit of its own on TCP_DATA sockets: it reports the most the one-byte
# field holds.
MAX_TCP_SOCKETS = 0xFF


@dataclass(frozen=True, slots=True)
class EntityIdentity:
    """What the entity tells a tester that looks for vehicles. ``eid`` is the entity's 6-byte
    id (normally a MAC address), ``gid`` its group's (the EID when it stands alone)."""

    vin: str
    logical_address: int
    eid: bytes
    gid: bytes

    def matches(self, payload_type: int, payload: bytes) -> bool:
        if payload_type == PayloadType.VEHICLE_IDENTIFICATION_REQUEST_EID:
            return payload == self.eid
        if payload_type == PayloadType.VEHICLE_IDENTIFICATION_REQUEST_VIN:
            return payload == self.vin.encode("ascii")
        return True


# Payload length of each request the entity answers (IntEnum keys: looked up by plain int).
_EXPECTED_LENGTH: dict[int, int] = {
    PayloadType.VEHICLE_IDENTIFICATION_REQUEST: 0,
    PayloadType.VEHICLE_IDENTIFICATION_REQUEST_EID: EID_LENGTH,
    PayloadType.VEHICLE_IDENTIFICATION_REQUEST_VIN: VIN_LENGTH,
    PayloadType.ENTITY_STATUS_REQUEST: 0,
    PayloadType.DIAGNOSTIC_POWER_MODE_REQUEST: 0,
}


class DiscoveryResponder(asyncio.DatagramProtocol):
    """Answers one datagram at a time (one DoIP message per datagram, ISO 13400-2).

    ``powered()`` False keeps it silent, like the rest of a vehicle without power, except for
    the diagnostic power mode, which it answers "not ready" (the DoIP edge node stays on the
    permanent supply and tells the tester that the ECUs are not). ``open_sockets()`` is the
    number of TCP_DATA connections open now (clear and TLS), ``power_mode()`` the power mode
    while powered; ``max_data_size`` the largest diagnostic message the entity takes.
    """

    def __init__(
        self,
        identity: EntityIdentity,
        *,
        powered: Callable[[], bool],
        open_sockets: Callable[[], int] = lambda: 0,
        power_mode: Callable[[], PowerMode] = lambda: PowerMode.READY,
        max_data_size: int | None = None,
    ) -> None:
        self.identity = identity
        self._powered = powered
        self._open_sockets = open_sockets
        self._power_mode = power_mode
        self._max_data_size = max_data_size
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport is no DatagramTransport subclass at run time.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self._transport is None:
            return
        answer = self.answer(data)
        if answer is not None:
            self._transport.sendto(answer, addr)

    def answer(self, data: bytes) -> bytes | None:
        """The datagram to send back for ``data``, or None when the entity stays silent."""
        powered = self._powered()
        if len(data) < HEADER_SIZE:
            return None  # not even a header: nothing to answer in
        try:
            header = parse_header(data, any_version=True)
        except HeaderError:
            if not powered:
                return None
            return generic_nack(_ANSWER_VERSION, GenericNackCode.INCORRECT_PATTERN)
        version = header.version
        if version == IDENTIFICATION_REQUEST_VERSION:
            version = _ANSWER_VERSION
        if not powered and header.payload_type != PayloadType.DIAGNOSTIC_POWER_MODE_REQUEST:
            return None
        payload = data[HEADER_SIZE:]
        expected = _EXPECTED_LENGTH.get(header.payload_type)
        if expected is None:
            return generic_nack(version, GenericNackCode.UNKNOWN_PAYLOAD_TYPE)
        if header.payload_length != len(payload) or len(payload) != expected:
            return generic_nack(version, GenericNackCode.INVALID_PAYLOAD_LENGTH)
        if header.payload_type == PayloadType.DIAGNOSTIC_POWER_MODE_REQUEST:
            mode = self._power_mode() if powered else PowerMode.NOT_READY
            logger.info("diagnostic power mode request answered: %s", mode.name)
            return diagnostic_power_mode_response(version, mode)
        if header.payload_type == PayloadType.ENTITY_STATUS_REQUEST:
            open_sockets = self._open_sockets()
            logger.info("entity status request answered: %d TCP sockets open", open_sockets)
            return entity_status_response(
                version,
                node_type=NodeType.GATEWAY,
                max_sockets=MAX_TCP_SOCKETS,
                open_sockets=min(open_sockets, MAX_TCP_SOCKETS),
                max_data_size=self._max_data_size,
            )
        if not self.identity.matches(header.payload_type, payload):
            return None  # a request for another vehicle: only that one answers
        logger.info("vehicle identification request answered")
        return vehicle_identification_response(
            version,
            vin=self.identity.vin,
            logical_address=self.identity.logical_address,
            eid=self.identity.eid,
            gid=self.identity.gid,
        )
