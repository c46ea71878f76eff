"""DoIP vehicle discovery (ISO 13400-2): a vehicle identification request over UDP to the address
the user picks, and the identification responses that come back.

The request goes to one address only: a vehicle's (or its VCI's) address, or, when the user
asks for it with ``allow_broadcast``, the broadcast address of the workshop network the vehicle
is on. The socket is bound to an ephemeral port of the interface that reaches that address;
each entity answers to that port (ISO 13400-2: the response goes to the request's source).
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from vci_agent.transport.doip import pack_doip_frame

__all__ = [
    "DISCOVERY_PORT",
    "DiscoveredEntity",
    "DiscoveryError",
    "discover",
    "identification_request",
    "parse_identification_response",
]

DISCOVERY_PORT = 13400  # ISO 13400-2 UDP_DISCOVERY
_IDENTIFICATION_REQUEST = 0x0001
_IDENTIFICATION_REQUEST_EID = 0x0002
_IDENTIFICATION_REQUEST_VIN = 0x0003
_IDENTIFICATION_RESPONSE = 0x0004
_GENERIC_NACK = 0x0000
_HEADER = struct.Struct(">BBHI")
_RESPONSE = struct.Struct(">17sH6s6sB")  # then an optional VIN/GID sync status byte
_MAX_DATAGRAM = 1024


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
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise DiscoveryError(f"cannot resolve {address!r}: {exc.strerror}") from exc
    family, _, _, _, target = infos[0]
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
