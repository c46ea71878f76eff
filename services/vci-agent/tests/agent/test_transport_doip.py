"""The DoIP send path that skips doipclient's per-byte debug string writes the same bytes."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from doipclient.client import DoIPClient
from doipclient.messages import DiagnosticMessage

from vci_agent.transport.doip import FastDoIPClient, pack_diagnostic_frame


@pytest.fixture
def byte_sink() -> Iterator[socket.socket]:
    """A plain TCP listener on loopback; the test reads what a client wrote."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    yield listener
    listener.close()


def _captured(listener: socket.socket, client_class: type[DoIPClient], message: object) -> bytes:
    port = listener.getsockname()[1]
    client = client_class(
        "127.0.0.1",
        0x0012,
        tcp_port=port,
        activation_type=None,
        client_ip_address="127.0.0.1",
        protocol_version=3,
    )
    peer, _ = listener.accept()
    try:
        client.send_doip_message(message)
        client.close()
        peer.settimeout(5)
        chunks = []
        while chunk := peer.recv(1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        peer.close()


def test_fast_send_writes_the_same_bytes_as_doipclient(byte_sink: socket.socket) -> None:
    message = DiagnosticMessage(0x0E00, 0x0012, bytearray(b"\x36\x01" + os.urandom(65536)))

    stock = _captured(byte_sink, DoIPClient, message)
    fast = _captured(byte_sink, FastDoIPClient, message)

    assert fast == stock
    assert len(fast) == 8 + 4 + 2 + 65536


def test_pack_diagnostic_frame_matches_doipclient_packing() -> None:
    user_data = b"\x22\xf1\x90"

    frame = pack_diagnostic_frame(2, source=0x0E00, target=0x0012, user_data=user_data)

    expected = DoIPClient._pack_doip(2, 0x8001, DiagnosticMessage(0x0E00, 0x0012, user_data).pack())
    assert frame == expected
    assert frame == b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x12\x22\xf1\x90"


def test_fast_client_opens_no_udp_socket(byte_sink: socket.socket) -> None:
    port = byte_sink.getsockname()[1]
    client = FastDoIPClient("127.0.0.1", 0x0012, tcp_port=port, activation_type=None)
    try:
        assert client._udp_sock is None
    finally:
        client.close()


def test_fast_client_refuses_to_send_over_udp(byte_sink: socket.socket) -> None:
    port = byte_sink.getsockname()[1]
    client = FastDoIPClient("127.0.0.1", 0x0012, tcp_port=port, activation_type=None)
    try:
        with pytest.raises(ValueError, match="never uses UDP"):
            client.send_doip(0x0001, b"", transport=DoIPClient.TransportType.TRANSPORT_UDP)
    finally:
        client.close()
