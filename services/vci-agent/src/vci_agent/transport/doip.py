"""UDS over DoIP (ISO 13400-2) on TCP or TLS, built on doipclient 1.2.x.

Why a subclass of ``doipclient.DoIPClient``:

* ``DoIPClient.send_doip()`` formats every payload byte into a hex debug string
  (``" ".join(f"{byte:02X}" ...)``) before calling ``logger.debug`` - the string is built
  whatever the log level, which caps a flash at about 3-4 MiB/s of CPU. ``FastDoIPClient``
  overrides ``send_doip`` only: it packs the frame with doipclient's own ``_pack_doip`` (the
  generic header via ``struct``) and writes it with ``sendall``, logging a one-line summary
  (payload type and length) and only when debug logging is on. The bytes on the wire are the
  same as doipclient's (tested byte for byte in tests/agent/test_transport_doip.py).
* ``DoIPClient._connect()`` also opens and binds a UDP socket, which we never want (no
  broadcast; discovery has its own module); ``_connect``/``close`` are overridden to handle TCP
  only, and a send on the UDP transport is refused. The override keeps doipclient's TLS path
  (``use_secure``: ISO 13400-2:2019 TCP port 3496), and wraps the socket with the entity's
  address as server name so that the certificate is checked against it, which doipclient's
  ``_wrap_socket`` does not pass (a default context then refuses to wrap at all).

Routing activation is requested here rather than in doipclient's constructor, so that a refusal
says what the entity meant, and so that a refusal which no retry can cure (an activation type
the entity does not support, a missing authentication, TLS required) is not an ``OSError``: the
flasher treats ``OSError`` as a lost link and keeps trying to resume.

The returned connection also sends functionally addressed requests (``send_functional``): a
diagnostic message to the vehicle's functional logical address (0xE400 unless the maker uses
another) over the same socket. An entity that does not know that address answers NACK 0x03
(unknown target); from then on the connection sends them physically to its ECU.

These hooks are private in doipclient, so the package pins doipclient 1.2.x (see pyproject); a
test fails loudly if the packing ever diverges.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
from enum import IntEnum
from pathlib import Path
from typing import Any

from doipclient.client import DoIPClient
from doipclient.connectors import DoIPClientUDSConnector
from doipclient.constants import A_PROCESSING_TIME
from doipclient.messages import DiagnosticMessage
from udsoncan.connections import BaseConnection

__all__ = [
    "DEFAULT_CLIENT_LOGICAL_ADDRESS",
    "DEFAULT_FUNCTIONAL_ADDRESS",
    "DIAGNOSTIC_MESSAGE_PAYLOAD_TYPE",
    "TCP_DATA_PORT",
    "TLS_DATA_PORT",
    "ActivationType",
    "DoipRefusedError",
    "FastDoIPClient",
    "RoutingActivationRefusedError",
    "doip_connection",
    "pack_doip_frame",
    "tls_context",
]

DEFAULT_CLIENT_LOGICAL_ADDRESS = 0x0E00
# ISO 13400-2 leaves the functional logical address to the vehicle maker; 0xE400 is common.
DEFAULT_FUNCTIONAL_ADDRESS = 0xE400
DIAGNOSTIC_MESSAGE_PAYLOAD_TYPE = 0x8001
TCP_DATA_PORT = 13400  # ISO 13400-2 TCP_DATA
TLS_DATA_PORT = 3496  # ISO 13400-2:2019 TCP_DATA over TLS


class ActivationType(IntEnum):
    """Routing activation types of ISO 13400-2 (table "routing activation request activation
    types"). doipclient names 0xE1 its central security type; the standard's is 0xE0."""

    DEFAULT = 0x00
    WWH_OBD = 0x01
    CENTRAL_SECURITY = 0xE0


# Routing activation response codes and what they mean for the person at the workshop PC.
_ACTIVATION_REFUSALS = {
    0x00: "the entity does not know the tester's logical address",
    0x01: "every TCP socket of the entity is in use",
    0x02: "another tester address is already registered on this socket",
    0x03: "this tester address is already registered on another socket",
    0x04: "authentication is missing",
    0x05: "the confirmation was rejected",
    0x06: "the entity does not support this activation type",
    0x07: "this activation type needs a TLS connection (use --tls)",
    0x11: "the entity waits for a confirmation in the vehicle",
}
# Refusals that can pass on their own (a socket still held by a lost connection, another
# tester, a confirmation pending): these stay ConnectionRefusedError, an OSError the flasher
# retries.
_TRANSIENT_REFUSALS = frozenset({0x01, 0x03, 0x11})
_ACTIVATION_SUCCESS = 0x10


class DoipRefusedError(Exception):
    """The DoIP entity refuses this tester as configured (its TLS certificate is not trusted,
    or routing activation is denied for good): trying again unchanged cannot help. Not an
    ``OSError`` on purpose."""


class RoutingActivationRefusedError(DoipRefusedError):
    """Routing activation denied with ``code`` (ISO 13400-2 response code)."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A client TLS context (TLS 1.2 or newer, certificate and name checked) trusting the CAs in
    ``ca_file`` (PEM), or the system's when None. Raises ``OSError``/``ssl.SSLError`` when the
    file cannot be read or holds no certificate."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


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
    """A ``DoIPClient`` whose send path does not build a per-byte debug string, TCP (or TLS
    with ``use_secure``) only.

    Raises ``ConnectionRefusedError`` (routing activation refused) and ``OSError`` (TCP connect,
    TLS handshake) from the constructor, like ``DoIPClient``, and ``DoipRefusedError`` when the
    entity's certificate is not trusted.
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
            if self._use_secure:
                sock = self._secure(sock)
        except OSError:
            sock.close()
            raise
        sock.settimeout(A_PROCESSING_TIME)
        self._tcp_sock = sock
        self._udp_sock = None  # type: ignore[assignment]  # TCP only, on purpose
        self._tcp_close_detected = False

    def _secure(self, sock: socket.socket) -> ssl.SSLSocket:
        """The TLS handshake, on the connected socket (closed by the caller on failure)."""
        context = self._use_secure
        if not isinstance(context, ssl.SSLContext):
            context = tls_context()
        try:
            return context.wrap_socket(sock, server_hostname=self._ecu_ip_address)
        except ssl.SSLCertVerificationError as exc:
            raise DoipRefusedError(
                f"the TLS certificate of the DoIP entity at {self._ecu_ip_address}:"
                f"{self._tcp_port} is not trusted: {exc.verify_message} (give the CA that "
                f"signed it with --ca-file)"
            ) from exc

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


class _DoipConnection(DoIPClientUDSConnector):
    """doipclient's udsoncan connector, plus ``send_functional``."""

    def __init__(self, client: DoIPClient, *, name: str, functional_address: int | None) -> None:
        super().__init__(client, name=name, close_connection=True)  # type: ignore[no-untyped-call]
        self._client = client
        self._functional_address = functional_address

    def send_functional(self, payload: bytes) -> None:
        """Send ``payload`` to the functional address and wait for the entity's ACK; to the
        connection's ECU when there is no functional address or the entity refused it (NACK).
        Raises ``OSError``/``TimeoutError`` when the link is lost."""
        address = self._functional_address
        if address is None:
            self.send(payload)
            return
        try:
            self._client.send_diagnostic_to_address(  # type: ignore[no-untyped-call]
                address, bytearray(payload)
            )
        except OSError as exc:
            # doipclient reports a diagnostic NACK as a bare OSError (IOError); socket
            # failures are subclasses (ConnectionError, TimeoutError) and stay errors.
            if type(exc) is not OSError:
                raise
            _log.info("functional address 0x%04X refused (%s): sending physically", address, exc)
            self._functional_address = None
            self.send(payload)


def doip_connection(
    host: str,
    port: int,
    ecu_logical_address: int,
    *,
    client_logical_address: int = DEFAULT_CLIENT_LOGICAL_ADDRESS,
    functional_address: int | None = DEFAULT_FUNCTIONAL_ADDRESS,
    protocol_version: int = 2,
    client_ip_address: str | None = None,
    tls: ssl.SSLContext | None = None,
    activation_type: int = ActivationType.DEFAULT,
    client_class: type[DoIPClient] = FastDoIPClient,
) -> BaseConnection:
    """Connect (TCP or TLS + routing activation) and return an opened udsoncan connection to
    one ECU.

    ``client_ip_address`` binds the local end; by default 127.0.0.1 when ``host`` is a loopback
    address, else the OS chooses. ``tls`` (see ``tls_context``) speaks TLS, normally on
    ``TLS_DATA_PORT``. ``client_class`` exists for the benchmark's comparison with the stock
    ``DoIPClient``.
    Closing the returned connection closes the TCP socket. Raises ``OSError`` when the DoIP
    entity is unreachable, ``ConnectionRefusedError`` when routing activation is refused for
    now (sockets busy) and ``DoipRefusedError`` when the entity's certificate is not trusted
    or activation is refused for good (``RoutingActivationRefusedError``).
    """
    if client_ip_address is None and ipaddress.ip_address(host).is_loopback:
        client_ip_address = "127.0.0.1" if ipaddress.ip_address(host).version == 4 else "::1"
    client = client_class(
        host,
        ecu_logical_address,
        tcp_port=port,
        activation_type=None,
        client_logical_address=client_logical_address,
        client_ip_address=client_ip_address,
        protocol_version=protocol_version,
        use_secure=tls if tls is not None else False,
    )
    try:
        _activate(client, activation_type, where=f"{host}:{port}")
    except BaseException:
        client.close()  # type: ignore[no-untyped-call]
        raise
    connection = _DoipConnection(
        client, name=f"doip-{ecu_logical_address:04X}", functional_address=functional_address
    )
    connection.open()  # type: ignore[no-untyped-call]
    return connection


def _activate(client: DoIPClient, activation_type: int, *, where: str) -> None:
    result = client.request_activation(  # type: ignore[no-untyped-call]
        activation_type, disable_retry=True
    )
    code = int(result.response_code)
    if code == _ACTIVATION_SUCCESS:
        return
    reason = _ACTIVATION_REFUSALS.get(code, "a reason this agent does not know")
    message = (
        f"the DoIP entity at {where} denied routing activation type 0x{activation_type:02X} "
        f"(code 0x{code:02X}: {reason})"
    )
    if code in _TRANSIENT_REFUSALS:
        raise ConnectionRefusedError(message)
    raise RoutingActivationRefusedError(message, code=code)
