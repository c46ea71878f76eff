"""DoIP vehicle discovery (ISO 13400-2 UDP_DISCOVERY): the entity answers vehicle identification
requests sent to it with its VIN, logical address, EID and GID.

It only answers: it never sends a vehicle announcement on its own, since that is a broadcast,
and the simulator never broadcasts. An answer goes to the address and port the request came
from, as the standard asks.
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
    PayloadType,
    generic_nack,
    parse_header,
    vehicle_identification_response,
)

__all__ = ["EntityIdentity", "IdentificationResponder"]

logger = logging.getLogger(__name__)

# The version the entity answers in when the request says "any version" (0xFF).
_ANSWER_VERSION = 0x02


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
}


class IdentificationResponder(asyncio.DatagramProtocol):
    """Answers one datagram at a time (one DoIP message per datagram, ISO 13400-2).

    ``powered()`` False keeps it silent, like the rest of a vehicle without power.
    """

    def __init__(self, identity: EntityIdentity, *, powered: Callable[[], bool]) -> None:
        self.identity = identity
        self._powered = powered
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport is no DatagramTransport subclass at run time.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self._transport is None or not self._powered():
            return
        answer = self.answer(data)
        if answer is not None:
            self._transport.sendto(answer, addr)

    def answer(self, data: bytes) -> bytes | None:
        """The datagram to send back for ``data``, or None when the entity stays silent."""
        if len(data) < HEADER_SIZE:
            return None  # not even a header: nothing to answer in
        try:
            header = parse_header(data, any_version=True)
        except HeaderError:
            return generic_nack(_ANSWER_VERSION, GenericNackCode.INCORRECT_PATTERN)
        version = header.version
        if version == IDENTIFICATION_REQUEST_VERSION:
            version = _ANSWER_VERSION
        payload = data[HEADER_SIZE:]
        expected = _EXPECTED_LENGTH.get(header.payload_type)
        if expected is None:
            return generic_nack(version, GenericNackCode.UNKNOWN_PAYLOAD_TYPE)
        if header.payload_length != len(payload) or len(payload) != expected:
            return generic_nack(version, GenericNackCode.INVALID_PAYLOAD_LENGTH)
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
