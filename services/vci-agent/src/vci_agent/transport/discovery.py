"""DoIP vehicle discovery (ISO 13400-2): a vehicle identification request over UDP to the address
the user picks, and the identification responses that come back.

The request goes to one address only: a vehicle's (or its VCI's) address, or, when the user
asks for it with ``allow_broadcast``, the broadcast address of the workshop network the vehicle
is on. The socket is bound to an ephemeral port of the interface that reaches that address;
each entity answers to that port (ISO 13400-2: the response goes to the request's source).

``entity_status`` and ``power_mode`` ask one entity, unicast only, for its DoIP entity status
(the TCP_DATA sockets it has open: another tester's) and its diagnostic power mode (is the
vehicle ready for diagnostics: the ignition). ISO 13400-2 has these requests on UDP only.
Neither carries a battery voltage.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeVar

from vci_agent.transport.doip import pack_doip_frame

__all__ = [
    "DISCOVERY_PORT",
    "DiscoveredEntity",
    "DiscoveryError",
    "EntityStatus",
    "PowerMode",
    "discover",
    "entity_status",
    "entity_status_request",
    "identification_request",
    "parse_entity_status_response",
    "parse_identification_response",
    "parse_power_mode_response",
    "power_mode",
    "power_mode_request",
]

DISCOVERY_PORT = 13400  # ISO 13400-2 UDP_DISCOVERY
_IDENTIFICATION_REQUEST = 0x0001
_IDENTIFICATION_REQUEST_EID = 0x0002
_IDENTIFICATION_REQUEST_VIN = 0x0003
_IDENTIFICATION_RESPONSE = 0x0004
_GENERIC_NACK = 0x0000
_ENTITY_STATUS_REQUEST = 0x4001
_ENTITY_STATUS_RESPONSE = 0x4002
_POWER_MODE_REQUEST = 0x4003
_POWER_MODE_RESPONSE = 0x4004
_HEADER = struct.Struct(">BBHI")
_RESPONSE = struct.Struct(">17sH6s6sB")  # then an optional VIN/GID sync status byte
_ENTITY_STATUS = struct.Struct(">BBB")  # then an optional 4-byte max data size
_MAX_DATAGRAM = 1024
_T = TypeVar("_T")


class DiscoveryError(ValueError):
    """A discovery request that cannot be sent as asked (bad address, VIN or EID)."""


@dataclass(frozen=True, slots=True)
class DiscoveredEntity:
    """One identification response. ``eid``/``gid`` are hex; ``sync_status`` None when the
    entity sent none."""

    ip_address: str
    vin: str
    logical_address: int
    eid: str
    gid: str
    further_action: int
    sync_status: int | None


class PowerMode(IntEnum):
    """Diagnostic power mode (ISO 13400-2)."""

    NOT_READY = 0x00
    READY = 0x01
    NOT_SUPPORTED = 0x02


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """A DoIP entity status response. ``node_type`` 0x00 gateway, 0x01 node; ``max_sockets``
    the TCP_DATA sockets it accepts at once, ``open_sockets`` those open now; ``max_data_size``
    (bytes) the largest diagnostic message it takes, None when it sent none."""

    node_type: int
    max_sockets: int
    open_sockets: int
    max_data_size: int | None


def identification_request(
    *, protocol_version: int = 0x02, vin: str | None = None, eid: bytes | None = None
) -> bytes:
    """The request datagram: for every vehicle, or only the one with ``vin`` or ``eid``."""
    if vin is not None and eid is not None:
        raise DiscoveryError("ask for a VIN or an EID, not both")
    if vin is not None:
        if len(vin) != 17 or not vin.isascii():
            raise DiscoveryError(f"a VIN is 17 ASCII characters, got {vin!r}")
        return pack_doip_frame(protocol_version, _IDENTIFICATION_REQUEST_VIN, vin.encode())
    if eid is not None:
        if len(eid) != 6:
            raise DiscoveryError(f"an EID is 6 bytes, got {len(eid)}")
        return pack_doip_frame(protocol_version, _IDENTIFICATION_REQUEST_EID, eid)
    return pack_doip_frame(protocol_version, _IDENTIFICATION_REQUEST, b"")


def parse_identification_response(data: bytes, ip_address: str) -> DiscoveredEntity | None:
    """The entity in ``data``, or None when it is no well-formed identification response."""
    if len(data) < _HEADER.size:
        return None
    version, inverse, payload_type, length = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if inverse != version ^ 0xFF or payload_type != _IDENTIFICATION_RESPONSE:
        return None
    if length != len(payload) or length not in (_RESPONSE.size, _RESPONSE.size + 1):
        return None
    vin, logical_address, eid, gid, further_action = _RESPONSE.unpack_from(payload)
    return DiscoveredEntity(
        ip_address=ip_address,
        vin=vin.decode("ascii", errors="replace").rstrip("\0 "),
        logical_address=logical_address,
        eid=eid.hex(),
        gid=gid.hex(),
        further_action=further_action,
        sync_status=payload[_RESPONSE.size] if length > _RESPONSE.size else None,
    )


def entity_status_request(*, protocol_version: int = 0x02) -> bytes:
    return pack_doip_frame(protocol_version, _ENTITY_STATUS_REQUEST, b"")


def power_mode_request(*, protocol_version: int = 0x02) -> bytes:
    return pack_doip_frame(protocol_version, _POWER_MODE_REQUEST, b"")


def _payload(data: bytes, payload_type: int) -> bytes | None:
    """The payload of ``data`` when it is a well-formed message of ``payload_type``."""
    if len(data) < _HEADER.size:
        return None
    version, inverse, kind, length = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if inverse != version ^ 0xFF or kind != payload_type or length != len(payload):
        return None
    return payload


def parse_entity_status_response(data: bytes) -> EntityStatus | None:
    """The status in ``data``, or None when it is no well-formed entity status response."""
    payload = _payload(data, _ENTITY_STATUS_RESPONSE)
    if payload is None or len(payload) not in (_ENTITY_STATUS.size, _ENTITY_STATUS.size + 4):
        return None
    node_type, max_sockets, open_sockets = _ENTITY_STATUS.unpack_from(payload)
    has_size = len(payload) > _ENTITY_STATUS.size
    return EntityStatus(
        node_type=node_type,
        max_sockets=max_sockets,
        open_sockets=open_sockets,
        max_data_size=int.from_bytes(payload[_ENTITY_STATUS.size :], "big") if has_size else None,
    )


def parse_power_mode_response(data: bytes) -> PowerMode | int | None:
    """The power mode in ``data`` (a plain int for a value ISO 13400-2 reserves), or None when
    it is no well-formed diagnostic power mode response."""
    payload = _payload(data, _POWER_MODE_RESPONSE)
    if payload is None or len(payload) != 1:
        return None
    try:
        return PowerMode(payload[0])
    except ValueError:
        return payload[0]


def entity_status(
    address: str,
    *,
    port: int = DISCOVERY_PORT,
    timeout: float = 0.5,
    attempts: int = 3,
    protocol_version: int = 0x02,
    clock: Callable[[], float] = time.monotonic,
) -> EntityStatus | None:
    """Ask the entity at ``address`` (unicast; a broadcast address is refused) for its status:
    up to ``attempts`` requests, each awaited ``timeout`` seconds (UDP may lose one). None when
    no well-formed answer came (many entities do not support the request). Raises
    ``DiscoveryError`` for a broadcast or unresolvable address, ``OSError`` when the request
    cannot be sent."""
    request = entity_status_request(protocol_version=protocol_version)
    return _ask(
        address,
        port,
        request,
        parse_entity_status_response,
        timeout=timeout,
        attempts=attempts,
        clock=clock,
    )


def power_mode(
    address: str,
    *,
    port: int = DISCOVERY_PORT,
    timeout: float = 0.5,
    attempts: int = 3,
    protocol_version: int = 0x02,
    clock: Callable[[], float] = time.monotonic,
) -> PowerMode | int | None:
    """Ask the entity at ``address`` (unicast only) for its diagnostic power mode, like
    ``entity_status``. None when no well-formed answer came."""
    request = power_mode_request(protocol_version=protocol_version)
    return _ask(
        address,
        port,
        request,
        parse_power_mode_response,
        timeout=timeout,
        attempts=attempts,
        clock=clock,
    )


def _ask(
    address: str,
    port: int,
    request: bytes,
    parse: Callable[[bytes], _T | None],
    *,
    timeout: float,
    attempts: int,
    clock: Callable[[], float],
) -> _T | None:
    """Send ``request`` to one entity until ``parse`` accepts an answer from it, at most
    ``attempts`` times. The socket is connected to the entity, so datagrams from elsewhere
    never arrive; answers ``parse`` rejects are skipped, except a generic NACK (the entity
    does not know the request), which ends the asking."""
    if _is_broadcast(address):
        raise DiscoveryError(f"{address} is a broadcast address: give the vehicle's address")
    family, target = _target(address, port)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect(target)  # only the entity's own datagrams are received
        for _ in range(max(attempts, 1)):
            sock.send(request)
            deadline = clock() + timeout
            while (left := deadline - clock()) > 0:
                sock.settimeout(left)
                try:
                    data = sock.recv(_MAX_DATAGRAM)
                except TimeoutError:
                    break
                except ConnectionError:
                    # ICMP port unreachable from the last send (Linux: refused, Windows:
                    # reset): nothing listens there; the next attempt asks again.
                    break
                answer = parse(data)
                if answer is not None:
                    return answer
                if _payload(data, _GENERIC_NACK) is not None:
                    return None  # the entity knows no such request: asking again cannot help
    return None


def _target(address: str, port: int) -> tuple[socket.AddressFamily, Any]:
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise DiscoveryError(f"cannot resolve {address!r}: {exc.strerror}") from exc
    family, _, _, _, target = infos[0]
    return family, target


def discover(
    address: str,
    *,
    port: int = DISCOVERY_PORT,
    timeout: float = 2.0,
    vin: str | None = None,
    eid: bytes | None = None,
    protocol_version: int = 0x02,
    allow_broadcast: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> list[DiscoveredEntity]:
    """Send one vehicle identification request to ``address``:``port`` and collect the answers
    that arrive within ``timeout`` seconds (ISO 13400-2's A_DoIP_Ctrl is 2 s), one per entity.

    Sending to a broadcast address needs ``allow_broadcast`` (the OS refuses it otherwise).
    Raises ``DiscoveryError`` for a bad VIN/EID or address and ``OSError`` when the request
    cannot be sent.
    """
    request = identification_request(protocol_version=protocol_version, vin=vin, eid=eid)
    if not allow_broadcast and _is_broadcast(address):
        raise DiscoveryError(
            f"{address} is a broadcast address: ask for broadcast explicitly (--broadcast)"
        )
    family, target = _target(address, port)
    found: dict[tuple[str, int], DiscoveredEntity] = {}
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        if allow_broadcast:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        try:
            sock.sendto(request, target)
        except PermissionError as exc:
            # Linux refuses a subnet's broadcast address (x.y.z.255) without SO_BROADCAST.
            hint = "" if allow_broadcast else " (a broadcast address needs --broadcast)"
            raise DiscoveryError(f"the OS refuses to send to {address}{hint}") from exc
        deadline = clock() + timeout
        while (left := deadline - clock()) > 0:
            sock.settimeout(left)
            try:
                data, sender = sock.recvfrom(_MAX_DATAGRAM)
            except TimeoutError:
                break
            entity = parse_identification_response(data, str(sender[0]))
            if entity is not None:
                found.setdefault((entity.ip_address, entity.logical_address), entity)
    return list(found.values())


def _is_broadcast(address: str) -> bool:
    try:
        return ipaddress.ip_address(address) == ipaddress.IPv4Address("255.255.255.255")
    except ValueError:
        return False  # a host name: the OS decides
