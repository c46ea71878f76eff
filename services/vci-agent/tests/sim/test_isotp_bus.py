"""The ECU servers over ISO-TP on python-can's virtual bus, with a standard udsoncan tester."""

import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import can
import isotp
import udsoncan
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection

from vehicle_sim.image import demo_image
from vehicle_sim.isotp_bus import (
    CAN_500K_RATE_LIMIT_BITRATE,
    ISOTP_MAX_BLOCK_LENGTH,
    isotp_params,
    open_tester_stack,
)
from vehicle_sim.security import DEV_SECRETS
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


def aos_demo_1(level: int, seed: bytes, params: Any) -> bytes:
    """The key as AOS-DEMO-1 is documented (SHA-256 of secret, requestSeed level and seed;
    the first 4 bytes), computed here rather than by the simulator's own code."""
    return hashlib.sha256(DEV_SECRETS["BDC_G20"] + bytes([level]) + bytes(seed)).digest()[:4]


def _config() -> dict[str, Any]:
    config = dict(udsoncan.configs.default_client_config)
    config["data_identifiers"] = {0xF189: RawBytes, 0xF190: RawBytes}
    config["security_algo"] = aos_demo_1
    # The threads of the virtual bus add latency that a real CAN ECU would not have.
    config["use_server_timing"] = False
    config["p2_timeout"] = 2
    return config


def _flash(client: Client, image: bytes) -> tuple[bytes, str]:
    client.change_session(3)
    client.change_session(2)
    client.unlock_security_access(0x11)
    client.start_routine(
        0xFF00, data=b"\x44" + BDC_REGION.to_bytes(4, "big") + (0x80000).to_bytes(4, "big")
    )
    location = udsoncan.MemoryLocation(BDC_REGION, len(image), 32, 32)
    response = client.request_download(location, udsoncan.DataFormatIdentifier(0, 0))
    block = response.service_data.max_length - 2
    for index, offset in enumerate(range(0, len(image), block)):
        client.transfer_data((index + 1) & 0xFF, image[offset : offset + block])
    client.request_transfer_exit()
    check = client.start_routine(0x0202, data=zlib.crc32(image).to_bytes(4, "big"))
    client.start_routine(0xFF01)
    client.ecu_reset(1)
    version = client.read_data_by_identifier(0xF189).service_data.values[0xF189]
    return check.service_data.routine_status_record, version.decode()


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


@contextmanager
def _stock_can_client(channel: str, *, request_id: int, response_id: int) -> Iterator[Client]:
    """udsoncan's Client over can-isotp's own CanStack (it reads the bus itself) on a python-can
    virtual bus of its own: nothing of the simulator's or the agent's tester code."""
    bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    stack = isotp.CanStack(
        bus,
        address=isotp.Address(
            isotp.AddressingMode.Normal_11bits, txid=request_id, rxid=response_id
        ),
        params={"tx_padding": 0x00},
    )
    try:
        with Client(PythonIsoTpConnection(stack), config=_config()) as client:
            yield client
    finally:
        bus.shutdown()


def test_a_stock_can_tester_runs_the_programming_sequence_and_reads_vin_and_dtcs(
    tmp_path: Path,
) -> None:
    image = demo_image(ecu_type="BDC_G20", version="2.4.0", payload_size=12 * 1024)
    with running_isotp_vehicle(tmp_path, erase_time_s=0.01) as sim:
        bdc = sim.vehicle.ecu(BDC)
        dme = sim.vehicle.ecu(0x0012)
        assert bdc is not None and dme is not None
        request_id, response_id = bdc.config.can_ids
        with _stock_can_client(
            sim.channel, request_id=request_id, response_id=response_id
        ) as client:
            check, version = _flash(client, image)
            vin = client.read_data_by_identifier(0xF190).service_data.values[0xF190]
            bdc_dtcs = client.get_dtc_by_status_mask(0xFF).service_data.dtcs
        request_id, response_id = dme.config.can_ids
        with _stock_can_client(
            sim.channel, request_id=request_id, response_id=response_id
        ) as client:
            confirmed = client.get_dtc_by_status_mask(0x08).service_data.dtcs
            failing = client.get_number_of_dtc_by_status_mask(0x01).service_data.dtc_count
        stored = bdc.storage.read(0, len(image))
    assert (check, version) == (b"\x00", "2.4.0")
    assert stored == image
    assert vin == b"WBA5F3103MFX12345"
    assert bdc_dtcs == []
    assert [(dtc.id, dtc.status.get_byte_as_int()) for dtc in confirmed] == [
        (0x030000, 0x2F),
        (0x017100, 0x28),
    ]
    assert failing == 1


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
            check, version = _flash(client, image)
    assert (check, version) == (b"\x00", "2.4.0")


def _frames_sent_with_the_clock_stopped(*, rate_limit: bool) -> list[isotp.CanMessage]:
    """Send one 4095-byte message through a tester-side ISO-TP layer with the simulator's
    parameters while no time passes (the rate limiter's window never slides), and return the
    CAN frames it put on the bus."""
    sent: list[isotp.CanMessage] = []
    flow_control = isotp.CanMessage(arbitration_id=0x748, data=b"\x30\x00\x00" + b"\xaa" * 5)

    def receive(timeout: float) -> isotp.CanMessage | None:
        # The ECU's flow control (continue to send, no block limit) after the first frame.
        return flow_control if len(sent) == 1 else None

    layer = isotp.TransportLayerLogic(
        rxfn=receive,
        txfn=sent.append,
        address=isotp.Address(isotp.AddressingMode.Normal_11bits, txid=0x740, rxid=0x748),
        params=isotp_params(rate_limit=rate_limit),
    )
    # The limiter forgets bytes older than its window on update(); with the clock stopped it
    # forgets nothing.
    layer.rate_limiter.update = lambda: None  # type: ignore[method-assign]
    layer.send(bytes(ISOTP_MAX_BLOCK_LENGTH))
    for _ in range(2 * ISOTP_MAX_BLOCK_LENGTH):
        layer.process()
    return sent


def test_the_rate_limit_holds_frames_back_beyond_one_window_of_classical_can_500k() -> None:
    # The achieved rate is measured by `make bench`; here the limiter's budget is checked
    # without a clock: one 50 ms window of 500 kbit/s CAN, counted in 8-byte frames.
    window_bytes = (
        CAN_500K_RATE_LIMIT_BITRATE * isotp_params(rate_limit=True)["rate_limit_window_size"] / 8
    )
    limited = _frames_sent_with_the_clock_stopped(rate_limit=True)
    unlimited = _frames_sent_with_the_clock_stopped(rate_limit=False)

    assert len(limited) == int(window_bytes) // 8
    # Without the limit the whole message goes out: first frame + 6 bytes, then 7 per frame.
    assert len(unlimited) == 1 + -(-(ISOTP_MAX_BLOCK_LENGTH - 6) // 7)


def test_a_rate_limited_simulator_limits_every_ecu_stack(tmp_path: Path) -> None:
    with running_isotp_vehicle(tmp_path, rate_limit=True) as sim:
        limiters = [stack.rate_limiter for stack in sim.ecu_stacks]
    assert len(limiters) == len(list(sim.vehicle))
    assert {(limiter.enabled, limiter.mean_bitrate) for limiter in limiters} == {
        (True, int(CAN_500K_RATE_LIMIT_BITRATE))
    }
