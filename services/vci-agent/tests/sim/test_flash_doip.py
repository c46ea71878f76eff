"""A standard tester (udsoncan Client over doipclient, no discovery) against the simulator."""

import asyncio
import hashlib
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
import udsoncan
from doipclient import DoIPClient
from doipclient.connectors import DoIPClientUDSConnector
from udsoncan.client import Client
from udsoncan.exceptions import NegativeResponseException
from udsoncan.services import CommunicationControl, ControlDTCSetting

from vehicle_sim.doip import CAN_500K_PAYLOAD_BYTES_PER_S
from vehicle_sim.image import demo_image
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle, running_vehicle_in_thread

DME = 0x0012
DME_REGION = 0x00080000
DME_REGION_SIZE = 0x00100000
# About 400 KB: with 1024-byte blocks that is 400 blocks, so the counter wraps 0xFF → 0x00.
IMAGE = demo_image(ecu_type="DME_B48", version="1.1.0", payload_size=400 * 1024 - 64)


class RawBytes(udsoncan.DidCodec):
    """Variable-length DID value as raw bytes (read it alone in a request)."""

    def encode(self, value: bytes) -> bytes:
        return value

    def decode(self, payload: bytes) -> bytes:
        return bytes(payload)

    def __len__(self) -> int:
        raise udsoncan.DidCodec.ReadAllRemainingData


def aos_demo_1(level: int, seed: bytes, params: Any) -> bytes:
    """The key as AOS-DEMO-1 is documented (SHA-256 of secret, requestSeed level and seed;
    the first 4 bytes), computed here rather than by the simulator's own code."""
    return hashlib.sha256(DEV_SECRETS["DME_B48"] + bytes([level]) + bytes(seed)).digest()[:4]


def _client_config() -> dict[str, Any]:
    config = dict(udsoncan.configs.default_client_config)
    config["data_identifiers"] = {did: RawBytes for did in (0xF189, 0xF190, 0xF198, 0xF199)}
    config["security_algo"] = aos_demo_1
    return config


def _open(sim: RunningVehicle, *, protocol_version: int = 2) -> Client:
    doip = DoIPClient(
        sim.host,
        DME,
        tcp_port=sim.port,
        client_ip_address=sim.host,
        protocol_version=protocol_version,
    )
    connection = DoIPClientUDSConnector(doip, close_connection=True)
    return Client(connection, config=_client_config())


def _prepare(client: Client) -> None:
    client.change_session(3)
    client.control_dtc_setting(ControlDTCSetting.SettingType.off)
    communication = udsoncan.CommunicationType(
        subnet=0, normal_msg=True, network_management_msg=False
    )
    client.communication_control(CommunicationControl.ControlType.disableRxAndTx, communication)
    client.change_session(2)
    client.unlock_security_access(0x11)
    client.write_data_by_identifier(0xF198, b"WS-0000042")
    client.write_data_by_identifier(0xF199, b"\x26\x11\x21")
    erase = b"\x44" + DME_REGION.to_bytes(4, "big") + DME_REGION_SIZE.to_bytes(4, "big")
    client.start_routine(0xFF00, data=erase)


def _download(client: Client, image: bytes, *, offset: int = 0) -> list[int]:
    """Request download at region + offset and send image[offset:]; return the counters sent."""
    location = udsoncan.MemoryLocation(DME_REGION + offset, len(image) - offset, 32, 32)
    response = client.request_download(location, udsoncan.DataFormatIdentifier(0, 0))
    block = response.service_data.max_length - 2
    counters = []
    for index, start in enumerate(range(offset, len(image), block)):
        counter = (index + 1) & 0xFF
        client.transfer_data(counter, image[start : start + block])
        counters.append(counter)
    client.request_transfer_exit()
    return counters


def _finish(client: Client, image: bytes) -> tuple[bytes, bytes, str]:
    crc = zlib.crc32(image).to_bytes(4, "big")
    check = client.start_routine(0x0202, data=crc).service_data.routine_status_record
    deps = client.start_routine(0xFF01).service_data.routine_status_record
    client.ecu_reset(1)
    version = client.read_data_by_identifier(0xF189).service_data.values[0xF189]
    return check, deps, version.decode()


def _flash(sim: RunningVehicle, image: bytes) -> dict[str, Any]:
    started = time.perf_counter()
    with _open(sim) as client:
        _prepare(client)
        counters = _download(client, image)
        check, deps, version = _finish(client, image)
    return {
        "counters": counters,
        "check": check,
        "deps": deps,
        "version": version,
        "seconds": time.perf_counter() - started,
    }


async def test_full_flash_wraps_counter_passes_checks_and_reports_new_version(
    tmp_path: Path,
) -> None:
    async with running_vehicle(tmp_path, max_block_length=1024 + 2, erase_time_s=0.05) as sim:
        result = await asyncio.wait_for(asyncio.to_thread(_flash, sim, IMAGE), 60)
        assert result["counters"][254:257] == [0xFF, 0x00, 0x01]
        assert (result["check"], result["deps"]) == (b"\x00", b"\x00")
        assert result["version"] == "1.1.0"
        assert not sim.ecu(DME).persistent.in_bootloader


@pytest.mark.parametrize("max_block_length", [4096 + 2, 65536 + 2])
async def test_flash_succeeds_with_4k_and_64k_blocks(tmp_path: Path, max_block_length: int) -> None:
    async with running_vehicle(tmp_path, max_block_length=max_block_length, erase_time_s=0) as sim:
        result = await asyncio.wait_for(asyncio.to_thread(_flash, sim, IMAGE), 60)
    assert result["version"] == "1.1.0"
    print(f"flash {len(IMAGE)} B, block {max_block_length - 2}: {result['seconds']:.3f} s")


async def test_new_version_and_fingerprint_survive_a_simulator_restart(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, erase_time_s=0) as sim:
        await asyncio.wait_for(asyncio.to_thread(_flash, sim, IMAGE), 60)

    def read_back(sim: RunningVehicle) -> tuple[bytes, bytes]:
        with _open(sim) as client:
            values = [
                client.read_data_by_identifier(did).service_data.values[did]
                for did in (0xF189, 0xF198)
            ]
        return values[0], values[1]

    async with running_vehicle(tmp_path) as sim:
        version, fingerprint = await asyncio.wait_for(asyncio.to_thread(read_back, sim), 30)
    assert (version, fingerprint) == (b"1.1.0", b"WS-0000042")


def _read_version(sim: RunningVehicle) -> bytes:
    with _open(sim) as client:
        return bytes(client.read_data_by_identifier(0xF189).service_data.values[0xF189])


def _interrupted_flash(sim: RunningVehicle, image: bytes) -> None:
    with _open(sim) as client:
        _prepare(client)
        _download(client, image)


async def test_power_loss_at_block_n_leaves_ecu_in_bootloader_across_restart(
    tmp_path: Path,
) -> None:
    block = 4096
    async with running_vehicle(
        tmp_path, erase_time_s=0, faults=["power-loss,ecu=0x12,block=20"]
    ) as sim:
        with pytest.raises(udsoncan.exceptions.TimeoutException):
            await asyncio.wait_for(asyncio.to_thread(_interrupted_flash, sim, IMAGE), 30)
    async with running_vehicle(tmp_path) as sim:
        dme = sim.ecu(DME)
        assert dme.persistent.in_bootloader
        assert dme.persistent.version == "1.0.0"
        # No valid application runs: there is no version to report.
        assert await asyncio.to_thread(_read_version, sim) == b""
        assert dme.persistent.written_end == 19 * block
        # Blocks 1..19 written, then half of block 20, then erased flash.
        assert dme.storage.read(0, 19 * block + block // 2) == IMAGE[: 19 * block + block // 2]
        assert dme.storage.read(19 * block + block // 2, 4) == b"\xff" * 4


async def test_resume_after_power_loss_completes_with_download_at_acked_offset(
    tmp_path: Path,
) -> None:
    block = 4096
    async with running_vehicle(
        tmp_path, erase_time_s=0, faults=["power-loss,ecu=0x12,block=20"]
    ) as sim:
        with pytest.raises(udsoncan.exceptions.TimeoutException):
            await asyncio.wait_for(asyncio.to_thread(_interrupted_flash, sim, IMAGE), 30)

    def resume(sim: RunningVehicle) -> tuple[bytes, bytes, str]:
        with _open(sim) as client:
            client.change_session(3)
            client.change_session(2)
            client.unlock_security_access(0x11)
            _download(client, IMAGE, offset=19 * block)
            return _finish(client, IMAGE)

    async with running_vehicle(tmp_path) as sim:
        check, deps, version = await asyncio.wait_for(asyncio.to_thread(resume, sim), 30)
    assert (check, deps, version) == (b"\x00", b"\x00", "1.1.0")


async def test_link_loss_at_block_n_closes_the_connection_after_n_minus_1_blocks(
    tmp_path: Path,
) -> None:
    async with running_vehicle(
        tmp_path, erase_time_s=0, faults=["link-loss,ecu=0x12,block=5"]
    ) as sim:
        with pytest.raises(udsoncan.exceptions.TimeoutException):
            await asyncio.wait_for(asyncio.to_thread(_interrupted_flash, sim, IMAGE), 30)
        dme = sim.ecu(DME)
        assert dme.persistent.written_end == 4 * 4096
        assert dme.persistent.in_bootloader


async def test_dropped_response_is_recovered_by_repeating_the_counter(tmp_path: Path) -> None:
    def flash_with_retry(sim: RunningVehicle) -> tuple[int, bytes]:
        with _open(sim) as client:
            _prepare(client)
            location = udsoncan.MemoryLocation(DME_REGION, len(IMAGE), 32, 32)
            client.request_download(location, udsoncan.DataFormatIdentifier(0, 0))
            client.transfer_data(1, IMAGE[:4096])
            client.set_config("request_timeout", 0.5)
            with pytest.raises(udsoncan.exceptions.TimeoutException):
                client.transfer_data(2, IMAGE[4096:8192])
            repeated = client.transfer_data(2, IMAGE[4096:8192])
            return sim.ecu(DME).volatile.download.next_offset, repeated.original_payload

    async with running_vehicle(tmp_path, erase_time_s=0, faults=["drop,ecu=0x12,block=2"]) as sim:
        offset, payload = await asyncio.wait_for(asyncio.to_thread(flash_with_retry, sim), 30)
    assert (offset, payload) == (8192, b"\x76\x02")


async def test_injected_nrc_at_block_n_reaches_the_tester(tmp_path: Path) -> None:
    def flash(sim: RunningVehicle) -> int:
        with _open(sim) as client, pytest.raises(NegativeResponseException) as caught:
            _prepare(client)
            _download(client, IMAGE)
        return caught.value.response.code

    async with running_vehicle(
        tmp_path, erase_time_s=0, faults=["nrc,ecu=0x12,block=3,nrc=0x72"]
    ) as sim:
        code = await asyncio.wait_for(asyncio.to_thread(flash, sim), 30)
    assert code == 0x72


async def test_wrong_key_is_refused_to_a_standard_tester(tmp_path: Path) -> None:
    def unlock_with_wrong_key(sim: RunningVehicle) -> int:
        with _open(sim) as client:
            client.set_config("security_algo", lambda level, seed, params: b"\x00\x00\x00\x00")
            client.change_session(3)
            client.change_session(2)
            with pytest.raises(NegativeResponseException) as caught:
                client.unlock_security_access(0x11)
        return caught.value.response.code

    async with running_vehicle(tmp_path) as sim:
        assert await asyncio.wait_for(asyncio.to_thread(unlock_with_wrong_key, sim), 30) == 0x35


async def test_a_standard_tester_reads_the_vin_and_the_dtcs(tmp_path: Path) -> None:
    def read(sim: RunningVehicle) -> tuple[bytes, int, list[tuple[int, int]]]:
        with _open(sim) as client:
            vin = client.read_data_by_identifier(0xF190).service_data.values[0xF190]
            failing = client.get_number_of_dtc_by_status_mask(0x01).service_data.dtc_count
            confirmed = client.get_dtc_by_status_mask(0x08).service_data.dtcs
        return vin, failing, [(dtc.id, dtc.status.get_byte_as_int()) for dtc in confirmed]

    async with running_vehicle(tmp_path) as sim:
        vin, failing, confirmed = await asyncio.wait_for(asyncio.to_thread(read, sim), 30)
    assert vin == b"WBA5F3103MFX12345"
    assert failing == 1
    assert confirmed == [(0x030000, 0x2F), (0x017100, 0x28)]


async def test_doipclient_with_protocol_version_3_reads_the_vin(tmp_path: Path) -> None:
    def read_vin(sim: RunningVehicle) -> bytes:
        with _open(sim, protocol_version=3) as client:
            return client.read_data_by_identifier(0xF190).service_data.values[0xF190]

    async with running_vehicle(tmp_path) as sim:
        assert await asyncio.wait_for(asyncio.to_thread(read_vin, sim), 30) == b"WBA5F3103MFX12345"


async def test_doipclient_alive_check_is_answered(tmp_path: Path) -> None:
    def alive(sim: RunningVehicle) -> int:
        with DoIPClient(sim.host, DME, tcp_port=sim.port, client_ip_address=sim.host) as doip:
            return doip.request_alive_check().source_address

    async with running_vehicle(tmp_path) as sim:
        assert await asyncio.wait_for(asyncio.to_thread(alive, sim), 30) == 0x0010


async def test_doipclient_to_unknown_ecu_is_nacked(tmp_path: Path) -> None:
    def send(sim: RunningVehicle) -> str:
        with DoIPClient(sim.host, 0x0777, tcp_port=sim.port, client_ip_address=sim.host) as doip:
            with pytest.raises(OSError, match="negative acknowledge code") as caught:
                doip.send_diagnostic(b"\x22\xf1\x90")
            return str(caught.value)

    async with running_vehicle(tmp_path) as sim:
        assert (await asyncio.wait_for(asyncio.to_thread(send, sim), 30)).endswith("3")


async def test_can_speed_waits_the_bus_time_of_every_transfer_data_message(
    tmp_path: Path,
) -> None:
    # The rate itself is measured by `make bench`; here the limiter's waits are recorded
    # instead of slept, so the check does not depend on how busy the machine is.
    image = demo_image(ecu_type="DME_B48", version="1.1.0", payload_size=24 * 1024)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    def transfer(sim: RunningVehicle) -> int:
        with _open(sim) as client:
            _prepare(client)
            waits.clear()
            location = udsoncan.MemoryLocation(DME_REGION, len(image), 32, 32)
            answer = client.request_download(location, udsoncan.DataFormatIdentifier(0, 0))
            block = int(answer.service_data.max_length) - 2
            for index, start in enumerate(range(0, len(image), block)):
                client.transfer_data((index + 1) & 0xFF, image[start : start + block])
            return block

    async with running_vehicle(tmp_path, erase_time_s=0, can_speed=True, bus_sleep=record) as sim:
        block = await asyncio.wait_for(asyncio.to_thread(transfer, sim), 30)
    rate = CAN_500K_PAYLOAD_BYTES_PER_S
    request_download = [11 / rate, 4 / rate]  # 34 00 44 <address> <size>, then 74 20 <length>
    blocks = [
        [(2 + len(image[start : start + block])) / rate, 2 / rate]  # 36 <counter> <data>, 76 ..
        for start in range(0, len(image), block)
    ]
    assert waits == pytest.approx(request_download + [wait for pair in blocks for wait in pair])


def test_threaded_simulator_serves_a_synchronous_tester(tmp_path: Path) -> None:
    with running_vehicle_in_thread(tmp_path) as sim, _open(sim) as client:
        vin = client.read_data_by_identifier(0xF190).service_data.values[0xF190]
    assert vin == b"WBA5F3103MFX12345"


def test_threaded_simulator_reports_a_taken_port(tmp_path: Path) -> None:
    with running_vehicle_in_thread(tmp_path) as sim:
        other = running_vehicle_in_thread(tmp_path / "other", port=sim.port)
        with pytest.raises(OSError, match="address already in use"), other:
            pass
