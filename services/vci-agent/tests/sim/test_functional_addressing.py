"""Functionally addressed requests (to every ECU): the UDS rules of ISO 14229-1, DoIP requests to
the functional logical address 0xE400 and CAN requests on 0x7DF."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import can
import pytest

from vehicle_sim.isotp_bus import FUNCTIONAL_CAN_ID
from vehicle_sim.testing import RunningVehicle, running_isotp_vehicle, running_vehicle
from vehicle_sim.uds import EcuServer, Session

ACTIVATE = b"\x02\xfd\x00\x05\x00\x00\x00\x07\x0e\x00\x00\x00\x00\x00\x00"
ALIVE_CHECK = b"\x02\xfd\x00\x07\x00\x00\x00\x00"
ALIVE_ANSWER = b"\x02\xfd\x00\x08\x00\x00\x00\x02\x00\x10"
ECUS = (0x0012, 0x0040, 0x0063)


def _diagnostic(target: int, uds: bytes) -> bytes:
    payload = b"\x0e\x00" + target.to_bytes(2, "big") + uds
    return b"\x02\xfd\x80\x01" + len(payload).to_bytes(4, "big") + payload


# --- The ECU's rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "nrc"),
    [
        (b"\x23\x12\x00\x10\x01", 0x11),  # service not supported (ReadMemoryByAddress)
        (b"\x3e\x05", 0x12),  # sub-function not supported
        (b"\x22\x12\x34", 0x31),  # request out of range (unknown DID)
        (b"\x28\x03\x01", 0x7F),  # service not supported in the active session
    ],
)
def test_a_functional_request_draws_no_nrc_0x11_0x12_0x31_0x7f(
    ecu: EcuServer, request_: bytes, nrc: int
) -> None:
    assert ecu.handle(request_).response == bytes((0x7F, request_[0], nrc))
    assert ecu.handle(request_, functional=True).response is None


def test_other_nrcs_are_answered_to_a_functional_request(ecu: EcuServer) -> None:
    # Programming session from the default session: conditions not correct.
    assert ecu.handle(b"\x10\x02", functional=True).response == b"\x7f\x10\x22"


def test_a_functional_request_is_served_like_a_physical_one(ecu: EcuServer) -> None:
    reply = ecu.handle(b"\x10\x03", functional=True)
    assert reply.response == b"\x50\x03\x00\x32\x01\xf4"
    assert ecu.session is Session.EXTENDED


# --- DoIP: the functional logical address ------------------------------------------------------


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[RunningVehicle]:
    async with running_vehicle(tmp_path, erase_time_s=0.05) as running:
        yield running


class DoipTester:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def receive(self) -> bytes:
        header = await asyncio.wait_for(self.reader.readexactly(8), 5)
        length = int.from_bytes(header[4:], "big")
        return header + await asyncio.wait_for(self.reader.readexactly(length), 5)


@pytest.fixture
async def tester(sim: RunningVehicle) -> AsyncIterator[DoipTester]:
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    tester = DoipTester(reader, writer)
    await tester.send(ACTIVATE)
    await tester.receive()
    yield tester
    writer.close()


async def test_functional_3e80_is_acked_once_restarts_every_ecus_s3_and_draws_no_answer(
    sim: RunningVehicle, tester: DoipTester
) -> None:
    before = {address: sim.ecu(address).last_request_done_at for address in ECUS}

    await tester.send(_diagnostic(0xE400, b"\x3e\x80"))

    assert await tester.receive() == b"\x02\xfd\x80\x02\x00\x00\x00\x07\xe4\x00\x0e\x00\x00\x3e\x80"
    # The entity answers in order: had any ECU answered 3E 80, it would come before this.
    await tester.send(ALIVE_CHECK)
    assert await tester.receive() == ALIVE_ANSWER
    after = {address: sim.ecu(address).last_request_done_at for address in ECUS}
    assert all(after[address] > before[address] for address in ECUS), (before, after)


async def test_functional_3e80_keeps_every_ecus_extended_session(
    tmp_path: Path,
) -> None:
    class Clock:
        now = 1_000.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    async with running_vehicle(tmp_path, clock=clock) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        tester = DoipTester(reader, writer)
        await tester.send(ACTIVATE)
        await tester.receive()
        await tester.send(_diagnostic(0xE400, b"\x10\x03"))
        await tester.receive()  # ACK
        answers = [(await tester.receive())[8:] for _ in ECUS]
        for _ in range(4):  # 12 s in all, never 5 s without a request
            clock.now += 3.0
            await tester.send(_diagnostic(0xE400, b"\x3e\x80"))
            await tester.receive()  # ACK
        await tester.send(ALIVE_CHECK)
        assert await tester.receive() == ALIVE_ANSWER
        writer.close()
        sessions = [sim.ecu(address).session for address in ECUS]
    assert answers == [
        address.to_bytes(2, "big") + b"\x0e\x00\x50\x03\x00\x32\x01\xf4" for address in ECUS
    ]
    assert sessions == [Session.EXTENDED] * len(ECUS)


async def test_a_functional_request_that_is_answered_gets_one_answer_per_ecu(
    tester: DoipTester,
) -> None:
    await tester.send(_diagnostic(0xE400, b"\x3e\x00"))

    assert await tester.receive() == b"\x02\xfd\x80\x02\x00\x00\x00\x07\xe4\x00\x0e\x00\x00\x3e\x00"
    answers = [await tester.receive() for _ in ECUS]
    assert answers == [
        b"\x02\xfd\x80\x01\x00\x00\x00\x06" + address.to_bytes(2, "big") + b"\x0e\x00\x7e\x00"
        for address in ECUS
    ]


async def test_a_functional_request_no_ecu_supports_draws_only_the_ack(tester: DoipTester) -> None:
    await tester.send(_diagnostic(0xE400, b"\x22\x12\x34"))

    assert (
        await tester.receive()
        == b"\x02\xfd\x80\x02\x00\x00\x00\x08\xe4\x00\x0e\x00\x00\x22\x12\x34"
    )
    await tester.send(ALIVE_CHECK)
    assert await tester.receive() == ALIVE_ANSWER


async def test_an_entity_without_functional_address_nacks_it_as_unknown(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, functional_address=None) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        tester = DoipTester(reader, writer)
        await tester.send(ACTIVATE)
        await tester.receive()
        await tester.send(_diagnostic(0xE400, b"\x3e\x80"))
        answer = await tester.receive()
        writer.close()
    assert answer == b"\x02\xfd\x80\x03\x00\x00\x00\x07\xe4\x00\x0e\x00\x03\x3e\x80"


async def test_another_functional_address_can_be_configured(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, functional_address=0xE401) as sim:
        reader, writer = await asyncio.open_connection(sim.host, sim.port)
        tester = DoipTester(reader, writer)
        await tester.send(ACTIVATE)
        await tester.receive()
        await tester.send(_diagnostic(0xE401, b"\x3e\x00"))
        ack = await tester.receive()
        answers = [(await tester.receive())[8:10] for _ in ECUS]
        writer.close()
    assert ack[8:10] == b"\xe4\x01"
    assert answers == [address.to_bytes(2, "big") for address in ECUS]


# --- CAN: the functional request id 0x7DF ------------------------------------------------------


def _frames_until(bus: can.BusABC, wanted: int) -> list[tuple[int, bytes]]:
    frames: list[tuple[int, bytes]] = []
    while len(frames) < wanted:
        message = bus.recv(timeout=5)
        assert message is not None, f"only {frames} came"
        frames.append((message.arbitration_id, bytes(message.data[:3])))
    return frames


def test_a_single_frame_on_0x7df_restarts_every_ecus_s3_without_an_answer(tmp_path: Path) -> None:
    with running_isotp_vehicle(tmp_path) as sim:
        ecus = list(sim.vehicle)
        before = {ecu.address: ecu.last_request_done_at for ecu in ecus}
        bus = can.Bus(interface="virtual", channel=sim.channel, receive_own_messages=False)
        try:
            # ISO-TP single frame: length 2, then 3E 80, padded to 8 bytes.
            bus.send(
                can.Message(
                    arbitration_id=FUNCTIONAL_CAN_ID,
                    data=b"\x02\x3e\x80" + b"\xaa" * 5,
                    is_extended_id=False,
                )
            )
            for _ in range(500):  # the ECUs' threads take the frame when they get to it
                if all(ecu.last_request_done_at > before[ecu.address] for ecu in ecus):
                    break
                time.sleep(0.01)
            assert all(ecu.last_request_done_at > before[ecu.address] for ecu in ecus)
            # Then 3E 00 to each ECU physically: the answers are the first frames each ECU
            # sends (an ECU answers one request at a time, in order).
            for ecu in ecus:
                bus.send(
                    can.Message(
                        arbitration_id=ecu.config.can_ids[0],
                        data=b"\x02\x3e\x00" + b"\xaa" * 5,
                        is_extended_id=False,
                    )
                )
            frames = _frames_until(bus, len(ecus))
        finally:
            bus.shutdown()
    assert sorted(frames) == sorted((ecu.config.can_ids[1], b"\x02\x7e\x00") for ecu in ecus)


def test_a_single_frame_on_0x7df_that_is_answered_gets_one_answer_per_ecu(tmp_path: Path) -> None:
    with running_isotp_vehicle(tmp_path) as sim:
        ecus = list(sim.vehicle)
        bus = can.Bus(interface="virtual", channel=sim.channel, receive_own_messages=False)
        try:
            bus.send(
                can.Message(
                    arbitration_id=FUNCTIONAL_CAN_ID,
                    data=b"\x02\x10\x03" + b"\xaa" * 5,
                    is_extended_id=False,
                )
            )
            frames = _frames_until(bus, len(ecus))
            sessions = [ecu.session for ecu in ecus]
        finally:
            bus.shutdown()
    assert sorted(frames) == sorted((ecu.config.can_ids[1], b"\x06\x50\x03") for ecu in ecus)
    assert sessions == [Session.EXTENDED] * len(ecus)
