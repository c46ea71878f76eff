"""The ECU servers over ISO-TP on python-can's virtual bus, with a standard udsoncan tester."""

import time
import zlib
from pathlib import Path
from typing import Any

import udsoncan
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection

from vehicle_sim.image import demo_image
from vehicle_sim.isotp_bus import open_tester_stack
from vehicle_sim.security import DEV_SECRETS, compute_key
from vehicle_sim.testing import running_isotp_vehicle

BDC = 0x0040
BDC_REGION = 0x00020000


class RawBytes(udsoncan.DidCodec):
    def encode(self, value: bytes) -> bytes:
        return value

    def decode(self, payload: bytes) -> bytes:
        return bytes(payload)

    def __len__(self) -> int:
        raise udsoncan.DidCodec.ReadAllRemainingData


def _config() -> dict[str, Any]:
    config = dict(udsoncan.configs.default_client_config)
    config["data_identifiers"] = {0xF189: RawBytes, 0xF190: RawBytes}
    config["security_algo"] = lambda level, seed, params: compute_key(
        DEV_SECRETS["BDC_G20"], seed_level=level, seed=seed
    )
    # The threads of the virtual bus add latency that a real CAN ECU would not have.
    config["use_server_timing"] = False
    config["p2_timeout"] = 2
    return config


def _flash(client: Client, image: bytes) -> tuple[float, bytes, str]:
    client.change_session(3)
    client.change_session(2)
    client.unlock_security_access(0x11)
    client.start_routine(
        0xFF00, data=b"\x44" + BDC_REGION.to_bytes(4, "big") + (0x80000).to_bytes(4, "big")
    )
    location = udsoncan.MemoryLocation(BDC_REGION, len(image), 32, 32)
    response = client.request_download(location, udsoncan.DataFormatIdentifier(0, 0))
    block = response.service_data.max_length - 2
    started = time.perf_counter()
    for index, offset in enumerate(range(0, len(image), block)):
        client.transfer_data((index + 1) & 0xFF, image[offset : offset + block])
    transfer_s = time.perf_counter() - started
    client.request_transfer_exit()
    check = client.start_routine(0x0202, data=zlib.crc32(image).to_bytes(4, "big"))
    client.start_routine(0xFF01)
    client.ecu_reset(1)
    version = client.read_data_by_identifier(0xF189).service_data.values[0xF189]
    return transfer_s, check.service_data.routine_status_record, version.decode()


def test_vin_is_read_over_isotp(tmp_path: Path) -> None:
    with running_isotp_vehicle(tmp_path) as sim:
        ecu = sim.vehicle.ecu(BDC)
        assert ecu is not None
        with (
            open_tester_stack(sim.channel, ecu.config) as stack,
            Client(PythonIsoTpConnection(stack), config=_config()) as client,
        ):
            vin = client.read_data_by_identifier(0xF190).service_data.values[0xF190]
    assert vin == b"WBA5F3103MFX12345"


def test_block_length_is_capped_at_4095_on_isotp(tmp_path: Path) -> None:
    with running_isotp_vehicle(tmp_path) as sim:
        assert {ecu.config.max_block_length for ecu in sim.vehicle} == {4095}


def test_flash_over_isotp_passes_check_and_runs_new_version(tmp_path: Path) -> None:
    image = demo_image(ecu_type="BDC_G20", version="2.4.0", payload_size=24 * 1024)
    with running_isotp_vehicle(tmp_path, erase_time_s=0.01) as sim:
        ecu = sim.vehicle.ecu(BDC)
        assert ecu is not None
        with (
            open_tester_stack(sim.channel, ecu.config) as stack,
            Client(PythonIsoTpConnection(stack), config=_config()) as client,
        ):
            _, check, version = _flash(client, image)
    assert (check, version) == (b"\x00", "2.4.0")


def test_rate_limited_isotp_runs_near_classical_can_500k(tmp_path: Path) -> None:
    image = demo_image(ecu_type="BDC_G20", version="2.4.0", payload_size=24 * 1024)
    with running_isotp_vehicle(tmp_path, rate_limit=True, erase_time_s=0.01) as sim:
        ecu = sim.vehicle.ecu(BDC)
        assert ecu is not None
        with (
            open_tester_stack(sim.channel, ecu.config, rate_limit=True) as stack,
            Client(PythonIsoTpConnection(stack), config=_config()) as client,
        ):
            transfer_s, _, _ = _flash(client, image)
    rate = len(image) / transfer_s
    print(f"ISO-TP rate-limited transfer: {rate / 1000:.1f} kB/s")
    assert 24_000 < rate < 32_500
