"""Reading the vehicle over DoIP: VIN, software versions, in-bootloader state."""

from __future__ import annotations

import asyncio
from pathlib import Path

from vci_agent.transport.doip import doip_connection
from vci_agent.vehicle import EcuInfo, read_vehicle
from vehicle_sim.testing import running_vehicle

ECUS = [EcuInfo(0x0012, "DME", "DME_B48"), EcuInfo(0x0040, "BDC", "BDC_G20")]


async def test_read_vehicle_returns_vin_versions_and_serials(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path / "sim") as sim:
        state = await asyncio.to_thread(
            read_vehicle, lambda address: doip_connection(sim.host, sim.port, address), ECUS
        )

    assert state.vin == "WBA5F3103MFX12345"
    dme, bdc = state.ecus
    assert (dme.software_version, bdc.software_version) == ("1.0.0", "2.3.0")
    assert dme.supplier_version == "DME_B48-SUP-1.0.0"
    assert dme.serial_number == "SIM0012000001"
    assert not dme.in_bootloader


async def test_read_vehicle_over_doip_protocol_version_3(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path / "sim") as sim:
        state = await asyncio.to_thread(
            read_vehicle,
            lambda address: doip_connection(sim.host, sim.port, address, protocol_version=3),
            ECUS[:1],
        )

    assert state.vin == "WBA5F3103MFX12345"


async def test_an_ecu_answering_an_empty_version_is_reported_in_bootloader(
    tmp_path: Path,
) -> None:
    async with running_vehicle(tmp_path / "sim") as sim:
        sim.ecu(0x0040).persistent.in_bootloader = True  # as after an interrupted flash
        state = await asyncio.to_thread(
            read_vehicle, lambda address: doip_connection(sim.host, sim.port, address), ECUS
        )

    assert [ecu.in_bootloader for ecu in state.ecus] == [False, True]


async def test_vehicle_state_converts_to_the_agent_protocol_report(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path / "sim") as sim:
        state = await asyncio.to_thread(
            read_vehicle, lambda address: doip_connection(sim.host, sim.port, address), ECUS
        )

    report = state.to_proto("req-1")
    assert report.request_id == "req-1"
    assert report.vin == "WBA5F3103MFX12345"
    assert [(e.logical_address, e.name, e.ecu_type) for e in report.ecus] == [
        (0x0012, "DME", "DME_B48"),
        (0x0040, "BDC", "BDC_G20"),
    ]
    assert report.read_at.ToDatetime().year >= 2024
