"""The entity's answers to vehicle identification, entity status and diagnostic power mode
datagrams, as exact bytes."""

import asyncio
import socket
import struct
from pathlib import Path

import pytest

from vehicle_sim.doip.codec import PowerMode
from vehicle_sim.doip.discovery import DiscoveryResponder, EntityIdentity
from vehicle_sim.testing import running_vehicle

EID = bytes.fromhex("02aabbccddee")
GID = bytes.fromhex("02aabbcc0000")
IDENTITY = EntityIdentity(vin="WBA5F3103MFX12345", logical_address=0x0010, eid=EID, gid=GID)
RESPONSE_PAYLOAD = b"WBA5F3103MFX12345" + b"\x00\x10" + EID + GID + b"\x00\x00"


def _frame(version: int, payload_type: int, payload: bytes, length: int | None = None) -> bytes:
    size = len(payload) if length is None else length
    return struct.pack(">BBHI", version, version ^ 0xFF, payload_type, size) + payload


def _responder(
    powered: bool = True,
    *,
    open_sockets: int = 0,
    mode: PowerMode = PowerMode.READY,
    max_data_size: int | None = None,
) -> DiscoveryResponder:
    return DiscoveryResponder(
        IDENTITY,
        powered=lambda: powered,
        open_sockets=lambda: open_sockets,
        power_mode=lambda: mode,
        max_data_size=max_data_size,
    )


@pytest.mark.parametrize(
    ("request_version", "answer_version"), [(0x02, 0x02), (0x03, 0x03), (0xFF, 0x02)]
)
def test_identification_request_is_answered_with_vin_address_eid_and_gid(
    request_version: int, answer_version: int
) -> None:
    answer = _responder().answer(_frame(request_version, 0x0001, b""))

    assert answer == _frame(answer_version, 0x0004, RESPONSE_PAYLOAD)


def test_request_with_the_entitys_eid_or_vin_is_answered_and_others_are_not() -> None:
    responder = _responder()

    assert responder.answer(_frame(2, 0x0002, EID)) == _frame(2, 0x0004, RESPONSE_PAYLOAD)
    assert responder.answer(_frame(2, 0x0003, b"WBA5F3103MFX12345")) == _frame(
        2, 0x0004, RESPONSE_PAYLOAD
    )
    assert responder.answer(_frame(2, 0x0002, bytes(6))) is None
    assert responder.answer(_frame(2, 0x0003, b"WVWZZZ1JZXW000001")) is None


def test_wrong_payload_length_gets_nack_invalid_length() -> None:
    responder = _responder()

    assert responder.answer(_frame(2, 0x0001, b"\x00")) == _frame(2, 0x0000, b"\x04")
    assert responder.answer(_frame(2, 0x0002, EID, length=7)) == _frame(2, 0x0000, b"\x04")


def test_unknown_payload_type_gets_nack_unknown_type() -> None:
    assert _responder().answer(_frame(2, 0x4005, b"")) == _frame(2, 0x0000, b"\x01")


def test_bad_version_pattern_gets_nack_incorrect_pattern() -> None:
    bad = b"\x02\x02\x00\x01\x00\x00\x00\x00"

    assert _responder().answer(bad) == _frame(2, 0x0000, b"\x00")


def test_a_datagram_shorter_than_a_header_is_ignored() -> None:
    assert _responder().answer(b"\x02\xfd\x00") is None


def test_entity_status_reports_a_gateway_its_open_sockets_and_max_data_size() -> None:
    responder = _responder(open_sockets=2, max_data_size=0x00400000)

    answer = responder.answer(_frame(2, 0x4001, b""))

    assert answer == _frame(2, 0x4002, b"\x00\xff\x02\x00\x40\x00\x00")


def test_entity_status_without_a_max_data_size_leaves_the_field_out() -> None:
    answer = _responder(open_sockets=0).answer(_frame(3, 0x4001, b""))

    assert answer == _frame(3, 0x4002, b"\x00\xff\x00")


@pytest.mark.parametrize(("mode", "byte"), [(PowerMode.READY, 0x01), (PowerMode.NOT_READY, 0x00)])
def test_power_mode_request_is_answered_with_the_power_mode(mode: PowerMode, byte: int) -> None:
    answer = _responder(mode=mode).answer(_frame(2, 0x4003, b""))

    assert answer == _frame(2, 0x4004, bytes((byte,)))


def test_without_power_only_the_power_mode_is_answered_not_ready() -> None:
    responder = _responder(powered=False, open_sockets=1)

    assert responder.answer(_frame(2, 0x4003, b"")) == _frame(2, 0x4004, b"\x00")
    assert responder.answer(_frame(2, 0x4001, b"")) is None
    assert responder.answer(_frame(2, 0x0001, b"")) is None


def test_status_and_power_mode_requests_with_a_payload_get_nack_invalid_length() -> None:
    responder = _responder()

    assert responder.answer(_frame(2, 0x4001, b"\x00")) == _frame(2, 0x0000, b"\x04")
    assert responder.answer(_frame(2, 0x4003, b"\x00")) == _frame(2, 0x0000, b"\x04")


async def _ask_udp(port: int, request: bytes) -> bytes:
    def exchange() -> bytes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            sock.sendto(request, ("127.0.0.1", port))
            return sock.recv(1024)

    return await asyncio.to_thread(exchange)


async def test_entity_status_counts_the_open_tcp_connections(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, discovery=True) as sim:
        assert sim.udp_port is not None
        idle = await _ask_udp(sim.udp_port, _frame(2, 0x4001, b""))
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        # An alive check round trip: the entity has taken the connection up.
        writer.write(_frame(2, 0x0007, b""))
        await writer.drain()
        await asyncio.wait_for(reader.readexactly(10), 5)

        busy = await _ask_udp(sim.udp_port, _frame(2, 0x4001, b""))
        writer.close()

    assert idle == _frame(2, 0x4002, b"\x00\xff\x00\x00\x40\x00\x00")
    assert busy == _frame(2, 0x4002, b"\x00\xff\x01\x00\x40\x00\x00")


async def test_power_mode_is_ready_until_an_ignition_off_fault_and_during_a_power_loss_not(
    tmp_path: Path,
) -> None:
    now = [100.0]
    async with running_vehicle(tmp_path, discovery=True, clock=lambda: now[0]) as on:
        assert on.udp_port is not None
        ready = await _ask_udp(on.udp_port, _frame(2, 0x4003, b""))
        on.entity.power_off(60)
        without_power = await _ask_udp(on.udp_port, _frame(2, 0x4003, b""))
    async with running_vehicle(
        tmp_path, discovery=True, clock=lambda: now[0], faults=["ignition-off,seconds=30"]
    ) as off:
        assert off.udp_port is not None
        ignition_off = await _ask_udp(off.udp_port, _frame(2, 0x4003, b""))
        now[0] += 30
        switched_on = await _ask_udp(off.udp_port, _frame(2, 0x4003, b""))

    assert ready == _frame(2, 0x4004, b"\x01")
    assert without_power == _frame(2, 0x4004, b"\x00")
    assert ignition_off == _frame(2, 0x4004, b"\x00")
    assert switched_on == _frame(2, 0x4004, b"\x01")
