"""The DoIP entity over TCP loopback, as exact bytes on a raw socket."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vehicle_sim.testing import RunningVehicle, running_vehicle

ACTIVATE_V2 = b"\x02\xfd\x00\x05\x00\x00\x00\x07\x0e\x00\x00\x00\x00\x00\x00"
ACTIVATED_V2 = b"\x02\xfd\x00\x06\x00\x00\x00\x09\x0e\x00\x00\x10\x10\x00\x00\x00\x00"


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[RunningVehicle]:
    async with running_vehicle(tmp_path, erase_time_s=0.05) as running:
        yield running


class RawTester:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def receive(self) -> bytes:
        header = await asyncio.wait_for(self.reader.readexactly(8), 5)
        length = int.from_bytes(header[4:], "big")
        return header + await asyncio.wait_for(self.reader.readexactly(length), 5)

    async def closed_by_peer(self) -> bool:
        return await asyncio.wait_for(self.reader.read(1), 5) == b""


@pytest.fixture
async def raw(sim: RunningVehicle) -> AsyncIterator[RawTester]:
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    yield RawTester(reader, writer)
    writer.close()


async def test_routing_activation_v2_is_answered_with_code_0x10(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    assert await raw.receive() == ACTIVATED_V2


async def test_protocol_version_3_is_answered_in_version_3(raw: RawTester) -> None:
    await raw.send(b"\x03\xfc" + ACTIVATE_V2[2:])
    assert await raw.receive() == b"\x03\xfc" + ACTIVATED_V2[2:]


async def test_routing_activation_with_oem_field_is_accepted(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x00\x05\x00\x00\x00\x0b\x0e\x00\x00" + bytes(8))
    assert await raw.receive() == ACTIVATED_V2


async def test_routing_activation_from_non_tester_address_is_refused(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x00\x05\x00\x00\x00\x07\x00\x01\x00\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x06\x00\x00\x00\x09\x00\x01\x00\x10\x00" + bytes(4)
    assert await raw.closed_by_peer()


async def test_unsupported_activation_type_is_refused_with_0x06(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x00\x05\x00\x00\x00\x07\x0e\x00\x02\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x06\x00\x00\x00\x09\x0e\x00\x00\x10\x06" + bytes(4)
    assert await raw.closed_by_peer()


async def test_central_security_activation_in_the_clear_is_refused_with_0x07(
    raw: RawTester,
) -> None:
    await raw.send(b"\x02\xfd\x00\x05\x00\x00\x00\x07\x0e\x00\xe0\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x06\x00\x00\x00\x09\x0e\x00\x00\x10\x07" + bytes(4)
    assert await raw.closed_by_peer()


async def test_unsupported_protocol_version_gets_nack_0x00_and_close(raw: RawTester) -> None:
    await raw.send(b"\x04\xfb" + ACTIVATE_V2[2:])
    assert await raw.receive() == b"\x02\xfd\x00\x00\x00\x00\x00\x01\x00"
    assert await raw.closed_by_peer()


async def test_wrong_inverse_version_gets_nack_0x00(raw: RawTester) -> None:
    await raw.send(b"\x02\xfc" + ACTIVATE_V2[2:])
    assert await raw.receive() == b"\x02\xfd\x00\x00\x00\x00\x00\x01\x00"


async def test_unknown_payload_type_gets_nack_0x01_and_stays_open(raw: RawTester) -> None:
    # Entity status (0x4001) is a UDP request only (ISO 13400-2): unknown on TCP_DATA.
    await raw.send(b"\x02\xfd\x40\x01\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x00\x00\x00\x00\x01\x01"
    await raw.send(ACTIVATE_V2)
    assert await raw.receive() == ACTIVATED_V2


async def test_oversized_payload_gets_nack_0x02(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x80\x01\xff\xff\xff\xff")
    assert await raw.receive() == b"\x02\xfd\x00\x00\x00\x00\x00\x01\x02"


async def test_routing_activation_of_wrong_length_gets_nack_0x04(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x00\x05\x00\x00\x00\x03\x0e\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x00\x00\x00\x00\x01\x04"


async def test_alive_check_is_answered_with_entity_address(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x00\x07\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x08\x00\x00\x00\x02\x00\x10"


async def test_diagnostic_message_before_activation_gets_nack_0x02(raw: RawTester) -> None:
    await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x12\x22\xf1\x90")
    expected = b"\x02\xfd\x80\x03\x00\x00\x00\x08\x00\x12\x0e\x00\x02\x22\xf1\x90"
    assert await raw.receive() == expected
    assert await raw.closed_by_peer()


async def test_unknown_target_gets_nack_0x03(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    await raw.receive()
    await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x99\x22\xf1\x90")
    expected = b"\x02\xfd\x80\x03\x00\x00\x00\x08\x00\x99\x0e\x00\x03\x22\xf1\x90"
    assert await raw.receive() == expected


async def test_read_vin_is_acked_then_answered_from_the_ecu_address(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    await raw.receive()
    await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x12\x22\xf1\x90")
    assert (
        await raw.receive() == b"\x02\xfd\x80\x02\x00\x00\x00\x08\x00\x12\x0e\x00\x00\x22\xf1\x90"
    )
    response = b"\x00\x12\x0e\x00\x62\xf1\x90WBA5F3103MFX12345"
    assert await raw.receive() == b"\x02\xfd\x80\x01\x00\x00\x00\x18" + response


async def test_ack_echoes_at_most_four_request_bytes(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    await raw.receive()
    await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x09\x0e\x00\x00\x12\x22\xf1\x90\xf1\x89")
    assert (
        await raw.receive()
        == b"\x02\xfd\x80\x02\x00\x00\x00\x09\x00\x12\x0e\x00\x00\x22\xf1\x90\xf1"
    )


async def test_programming_session_answers_pending_then_positive(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    await raw.receive()
    answers = []
    for request in (b"\x10\x03", b"\x10\x02"):
        await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x06\x0e\x00\x00\x12" + request)
        await raw.receive()  # ACK
        answers.append((await raw.receive())[12:])
    answers.append((await raw.receive())[12:])
    assert answers == [b"\x50\x03\x00\x32\x01\xf4", b"\x7f\x10\x78", b"\x50\x02\x00\x32\x01\xf4"]


async def test_suppressed_tester_present_is_acked_without_response(raw: RawTester) -> None:
    await raw.send(ACTIVATE_V2)
    await raw.receive()
    await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x06\x0e\x00\x00\x12\x3e\x80")
    assert await raw.receive() == b"\x02\xfd\x80\x02\x00\x00\x00\x07\x00\x12\x0e\x00\x00\x3e\x80"
    await raw.send(b"\x02\xfd\x00\x07\x00\x00\x00\x00")
    assert await raw.receive() == b"\x02\xfd\x00\x08\x00\x00\x00\x02\x00\x10"


async def test_bound_port_is_reported(sim: RunningVehicle) -> None:
    assert sim.host == "127.0.0.1"
    assert sim.port > 0


async def test_delay_fault_holds_the_response(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, faults=["delay,service=0x22,seconds=0.3"]) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        raw = RawTester(reader, writer)
        await raw.send(ACTIVATE_V2)
        await raw.receive()
        started = asyncio.get_running_loop().time()
        await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x12\x22\xf1\x89")
        await raw.receive()  # ACK comes at once
        response = await raw.receive()
        elapsed = asyncio.get_running_loop().time() - started
        writer.close()
    assert response[12:] == b"\x62\xf1\x891.0.0"
    assert elapsed >= 0.3


async def test_nrc_fault_answers_the_injected_code(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, faults=["nrc,service=0x22,nrc=0x22"]) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        raw = RawTester(reader, writer)
        await raw.send(ACTIVATE_V2)
        await raw.receive()
        await raw.send(b"\x02\xfd\x80\x01\x00\x00\x00\x07\x0e\x00\x00\x12\x22\xf1\x89")
        await raw.receive()
        response = await raw.receive()
        writer.close()
    assert response[12:] == b"\x7f\x22\x22"


async def test_a_power_loss_with_a_duration_drops_and_refuses_connections_until_power_is_back(
    tmp_path: Path,
) -> None:
    now = [100.0]
    async with running_vehicle(tmp_path, clock=lambda: now[0]) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        open_before = RawTester(reader, writer)

        sim.entity.power_off(60)

        assert await open_before.closed_by_peer()
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        assert await RawTester(reader, writer).closed_by_peer()  # no power: nothing answers
        now[0] += 60
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        powered = RawTester(reader, writer)
        await powered.send(ACTIVATE_V2)
        assert await powered.receive() == ACTIVATED_V2
        writer.close()
