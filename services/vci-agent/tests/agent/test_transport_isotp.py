"""UDS over ISO-TP on python-can's virtual bus against the simulator's CAN mode."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import can
import pytest

from vci_agent.flash import Flasher, FlashOptions
from vci_agent.image import verify_image
from vci_agent.journal import JobResultState, Journal, JournalEntry
from vci_agent.keys import local_key_provider
from vci_agent.transport.isotp import IsoTpEndpoint, isotp_connection
from vci_agent.uds import UdsTiming
from vci_agent.vehicle import EcuInfo, read_vehicle
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import running_isotp_vehicle

BDC = 0x0040
BDC_ENDPOINT = IsoTpEndpoint(txid=0x740, rxid=0x748)
# The virtual bus' threads add latency a real CAN ECU would not have.
TIMING = UdsTiming(p2=2.0, p2_star=5.0, request=20.0)


@pytest.fixture
def isotp_sim(tmp_path: Path) -> Iterator[tuple[Any, can.BusABC]]:
    with running_isotp_vehicle(tmp_path / "sim", erase_time_s=0.05) as vehicle:
        bus = can.Bus(interface="virtual", channel=vehicle.channel, receive_own_messages=False)
        try:
            yield vehicle, bus
        finally:
            bus.shutdown()


def test_read_vehicle_over_isotp(isotp_sim: tuple[Any, can.BusABC]) -> None:
    _, bus = isotp_sim

    state = read_vehicle(
        lambda address: isotp_connection(bus, BDC_ENDPOINT), [EcuInfo(BDC)], timing=TIMING
    )

    assert state.vin == "WBA5F3103MFX12345"
    assert state.ecus[0].software_version == "2.3.0"


def test_flash_over_isotp_installs_the_image(
    tmp_path: Path, isotp_sim: tuple[Any, can.BusABC], signed_image_factory: Any, release_key: Any
) -> None:
    vehicle, bus = isotp_sim
    signed = signed_image_factory(
        release_key, ecu_type="BDC_G20", version="2.4.0", payload_size=24_000
    )
    image = verify_image(signed.data, signature=signed.signature, public_key=signed.public_key)
    journal = Journal(tmp_path / "journal")
    entry = journal.save(
        JournalEntry(
            job_id=str(uuid.uuid4()),
            ecu_logical_address=BDC,
            image_path="bdc.img",
            image_sha256=image.sha256.hex(),
            image_size=image.size,
            memory_address=0x00020000,
        )
    )
    flasher = Flasher(
        lambda: isotp_connection(bus, BDC_ENDPOINT),
        journal,
        key_for=local_key_provider("aos-demo-1", DEV_SECRETS["BDC_G20"]),
        options=FlashOptions(timing=TIMING, reset_wait=0.05),
    )

    final = flasher.run(image, entry)

    assert final.result is JobResultState.SUCCEEDED
    assert final.version_after == "2.4.0"
    assert vehicle.vehicle.ecu(BDC).persistent.version == "2.4.0"


def _functional_frames(endpoint: IsoTpEndpoint, payload: bytes) -> list[tuple[int, bytes]]:
    """What ``send_functional(payload)`` of a connection to ``endpoint`` puts on an empty
    virtual bus, as (id, data) seen by a listener."""
    channel = f"quiet-{uuid.uuid4().hex}"
    bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    listener = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    connection = isotp_connection(bus, endpoint)
    try:
        connection.send_functional(payload)  # type: ignore[attr-defined]
        frames = []
        while (message := listener.recv(timeout=0.5)) is not None:
            frames.append((message.arbitration_id, bytes(message.data)))
        return frames
    finally:
        connection.close()
        listener.shutdown()
        bus.shutdown()


def test_send_functional_puts_one_single_frame_on_0x7df() -> None:
    assert _functional_frames(BDC_ENDPOINT, b"\x3e\x80") == [
        (0x7DF, b"\x02\x3e\x80\x00\x00\x00\x00\x00")
    ]


def test_without_functional_id_send_functional_goes_to_the_ecu() -> None:
    endpoint = IsoTpEndpoint(txid=0x740, rxid=0x748, functional_id=None)
    assert _functional_frames(endpoint, b"\x3e\x80") == [
        (0x740, b"\x02\x3e\x80\x00\x00\x00\x00\x00")
    ]


def test_a_functional_request_longer_than_a_single_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="Functional"):
        _functional_frames(BDC_ENDPOINT, b"\x22" + bytes(7))
