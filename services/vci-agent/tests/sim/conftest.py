"""Fixtures for the simulator tests: a pure in-memory ECU server with fixed clock and seed."""

from dataclasses import replace

import pytest

from vehicle_sim.config import EcuConfig, demo_vehicle
from vehicle_sim.security import compute_key
from vehicle_sim.storage import InMemoryStorage
from vehicle_sim.uds import EcuServer

SEED = bytes.fromhex("11223344")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dme_config() -> EcuConfig:
    # A small region keeps the exact-byte tests fast; the DoIP tests use the real demo vehicle.
    dme = demo_vehicle().ecus[0]
    return replace(dme, region_address=0x00080000, region_size=0x4000, max_block_length=0x102)


@pytest.fixture
def ecu(dme_config: EcuConfig, clock: FakeClock) -> EcuServer:
    return EcuServer(
        dme_config,
        vin="WBA5F3103MFX12345",
        storage=InMemoryStorage(dme_config.region_size),
        clock=clock,
        seed_source=lambda: SEED,
    )


@pytest.fixture
def programming_key(ecu: EcuServer) -> bytes:
    """The AOS-DEMO-1 key for SEED at level 0x11."""
    return compute_key(ecu.config.secret, seed_level=0x11, seed=SEED)


@pytest.fixture
def unlocked(ecu: EcuServer, programming_key: bytes) -> EcuServer:
    """The ECU in the programming session with security access granted."""
    for request in (b"\x10\x03", b"\x10\x02", b"\x27\x11", b"\x27\x12" + programming_key):
        response = ecu.handle(request).response
        assert response is not None and response[0] != 0x7F, (request, response)
    return ecu


@pytest.fixture
def erased(unlocked: EcuServer) -> EcuServer:
    """The unlocked ECU with its region erased."""
    reply = unlocked.handle(b"\x31\x01\xff\x00\x44\x00\x08\x00\x00\x00\x00\x40\x00")
    assert reply.response == b"\x71\x01\xff\x00\x00"
    return unlocked
