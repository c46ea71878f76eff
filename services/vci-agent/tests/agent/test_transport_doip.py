"""The DoIP send path that skips doipclient's per-byte debug string writes the same bytes."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
from doipclient.client import DoIPClient
from doipclient.messages import DiagnosticMessage

from vci_agent.transport.doip import FastDoIPClient, doip_connection, pack_diagnostic_frame


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


ACTIVATED = b"\x02\xfd\x00\x06\x00\x00\x00\x09\x0e\x00\x00\x10\x10\x00\x00\x00\x00"


def _read_frame(peer: socket.socket) -> bytes:
    header = peer.recv(8, socket.MSG_WAITALL)
    length = int.from_bytes(header[4:], "big")
    return header + (peer.recv(length, socket.MSG_WAITALL) if length else b"")


def _scripted_entity(
    listener: socket.socket, answers: list[bytes]
) -> tuple[list[bytes], threading.Thread]:
    """Accept one tester in a thread: grant its routing activation, then answer each frame it
    sends with the next of ``answers``. Returns the list the thread fills with the frames that
    came after the activation request, and the thread."""
    received: list[bytes] = []

    def serve() -> None:
        peer, _ = listener.accept()
        with peer:
            peer.settimeout(5)
            _read_frame(peer)  # routing activation request
            peer.sendall(ACTIVATED)
            for answer in answers:
                received.append(_read_frame(peer))
                peer.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return received, thread


def test_send_functional_goes_to_0xe400_on_the_same_socket(byte_sink: socket.socket) -> None:
    received, entity = _scripted_entity(
        byte_sink, [b"\x02\xfd\x80\x02\x00\x00\x00\x07\xe4\x00\x0e\x00\x00\x3e\x80"]
    )
    connection = doip_connection("127.0.0.1", byte_sink.getsockname()[1], 0x0012)
    try:
        connection.send_functional(b"\x3e\x80")  # type: ignore[attr-defined]
    finally:
        connection.close()
    entity.join(5)

    assert received == [b"\x02\xfd\x80\x01\x00\x00\x00\x06\x0e\x00\xe4\x00\x3e\x80"]


def test_after_a_nack_of_the_functional_address_it_goes_to_the_ecu(
    byte_sink: socket.socket,
) -> None:
    nack = b"\x02\xfd\x80\x03\x00\x00\x00\x07\xe4\x00\x0e\x00\x03\x3e\x80"
    ack_from_ecu = b"\x02\xfd\x80\x02\x00\x00\x00\x07\x00\x12\x0e\x00\x00\x3e\x80"
    received, entity = _scripted_entity(byte_sink, [nack, ack_from_ecu, ack_from_ecu])
    connection = doip_connection("127.0.0.1", byte_sink.getsockname()[1], 0x0012)
    try:
        connection.send_functional(b"\x3e\x80")  # type: ignore[attr-defined]
        connection.send_functional(b"\x3e\x80")  # type: ignore[attr-defined]
    finally:
        connection.close()
    entity.join(5)

    functional = b"\x02\xfd\x80\x01\x00\x00\x00\x06\x0e\x00\xe4\x00\x3e\x80"
    physical = b"\x02\xfd\x80\x01\x00\x00\x00\x06\x0e\x00\x00\x12\x3e\x80"
    assert received == [functional, physical, physical]
