"""UDS over DoIP (ISO 13400-2) on TCP, built on doipclient 1.2.x, without UDP or discovery.

Why a subclass of ``doipclient.DoIPClient``:

* ``DoIPClient.send_doip()`` formats every payload byte into a hex debug string
  (``" ".join(f"{byte:02X}" ...)``) before calling ``logger.debug`` - the string is built
  whatever the log level, which caps a flash at about 3-4 MiB/s of CPU. ``FastDoIPClient``
  overrides ``send_doip`` only: it packs the frame with doipclient's own ``_pack_doip`` (the
  generic header via ``struct``) and writes it with ``sendall``, logging a one-line summary
  (payload type and length) and only when debug logging is on. The bytes on the wire are the
  same as doipclient's (tested byte for byte in tests/agent/test_transport_doip.py).
* ``DoIPClient._connect()`` also opens and binds a UDP socket, which we never want (no
  discovery, no broadcast); ``_connect``/``close`` are overridden to handle TCP only, and a send
  on the UDP transport is refused.

These hooks are private in doipclient, so the package pins doipclient 1.2.x (see pyproject); a
test fails loudly if the packing ever diverges.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any

from doipclient.client import DoIPClient
from doipclient.connectors import DoIPClientUDSConnector
from doipclient.constants import A_PROCESSING_TIME
from doipclient.messages import DiagnosticMessage
from udsoncan.connections import BaseConnection

__all__ = [
    "DEFAULT_CLIENT_LOGICAL_ADDRESS",
    "DIAGNOSTIC_MESSAGE_PAYLOAD_TYPE",
    "FastDoIPClient",
    "doip_connection",
    "pack_doip_frame",
]

DEFAULT_CLIENT_LOGICAL_ADDRESS = 0x0E00
DIAGNOSTIC_MESSAGE_PAYLOAD_TYPE = 0x8001

_log = logging.getLogger(__name__)


def pack_doip_frame(protocol_version: int, payload_type: int, payload: bytes | bytearray) -> bytes:
    """One DoIP frame (8-byte generic header + payload), packed by doipclient's own code."""
    frame: bytes = DoIPClient._pack_doip(  # type: ignore[no-untyped-call]
        protocol_version, payload_type, payload
    )
    return frame


def pack_diagnostic_frame(
    protocol_version: int, *, source: int, target: int, user_data: bytes
) -> bytes:
    """A DoIP diagnostic message (0x8001) frame carrying one UDS request."""
    message = DiagnosticMessage(source, target, user_data)  # type: ignore[no-untyped-call]
    payload = message.pack()  # type: ignore[no-untyped-call]
    return pack_doip_frame(protocol_version, DIAGNOSTIC_MESSAGE_PAYLOAD_TYPE, bytes(payload))


class FastDoIPClient(DoIPClient):
    """A ``DoIPClient`` whose send path does not build a per-byte debug string, TCP only.

    Raises ``ConnectionRefusedError`` (routing activation refused) and ``OSError`` (TCP connect)
    from the constructor, like ``DoIPClient``.
    """

    def _connect(self) -> None:
        sock = socket.socket(self._address_family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        if self._client_ip_address is not None:
            sock.bind((self._client_ip_address, 0))
        sock.settimeout(A_PROCESSING_TIME * 10)
        try:
            sock.connect((self._ecu_ip_address, self._tcp_port))
        except OSError:
            sock.close()
            raise
        sock.settimeout(A_PROCESSING_TIME)
        self._tcp_sock = sock
        self._udp_sock = None  # type: ignore[assignment]  # TCP only, on purpose
        self._tcp_close_detected = False

    def close(self) -> None:
        self._tcp_sock.close()

    def send_doip(
        self,
        payload_type: int,
        payload_data: bytes | bytearray,
        transport: Any = DoIPClient.TransportType.TRANSPORT_TCP,
        disable_retry: bool = False,
    ) -> None:
        if transport != DoIPClient.TransportType.TRANSPORT_TCP:
            raise ValueError("FastDoIPClient never uses UDP")
        frame = pack_doip_frame(self._protocol_version, payload_type, payload_data)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("DoIP send type=0x%04X length=%d", payload_type, len(payload_data))
        self._tcp_sock.sendall(frame)


def doip_connection(
    host: str,
    port: int,
    ecu_logical_address: int,
    *,
    client_logical_address: int = DEFAULT_CLIENT_LOGICAL_ADDRESS,
    protocol_version: int = 2,
    client_ip_address: str | None = None,
    client_class: type[DoIPClient] = FastDoIPClient,
) -> BaseConnection:
    """Connect (TCP + routing activation) and return an opened udsoncan connection to one ECU.

    ``client_ip_address`` binds the local end; by default 127.0.0.1 when ``host`` is a loopback
    address, else the OS chooses. ``client_class`` exists for the benchmark's comparison with
    the stock ``DoIPClient``.
    Closing the returned connection closes the TCP socket. Raises ``OSError`` when the DoIP
    entity is unreachable and ``ConnectionRefusedError`` when routing activation is refused.
    """
    if client_ip_address is None and ipaddress.ip_address(host).is_loopback:
        client_ip_address = "127.0.0.1" if ipaddress.ip_address(host).version == 4 else "::1"
    client = client_class(
        host,
        ecu_logical_address,
        tcp_port=port,
        client_logical_address=client_logical_address,
        client_ip_address=client_ip_address,
        protocol_version=protocol_version,
    )
    connection = DoIPClientUDSConnector(  # type: ignore[no-untyped-call]
        client, name=f"doip-{ecu_logical_address:04X}", close_connection=True
    )
    connection.open()  # type: ignore[no-untyped-call]
    return connection
