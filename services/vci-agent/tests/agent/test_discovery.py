"""DoIP vehicle discovery against the simulator, by unicast to 127.0.0.1 only (never broadcast)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from vci_agent.cli import main
from vci_agent.transport.discovery import DiscoveredEntity, DiscoveryError, discover
from vehicle_sim.testing import RunningVehicle, running_vehicle

VIN = "WBA5F3103MFX12345"
# The simulator's default EID: a locally administered MAC made from its logical address 0x0010.
SIM_EID = "020000000010"


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[RunningVehicle]:
    async with running_vehicle(tmp_path, discovery=True) as running:
        yield running


async def test_discover_on_loopback_unicast_finds_the_vehicle(sim: RunningVehicle) -> None:
    assert sim.udp_port is not None

    found = await asyncio.to_thread(discover, "127.0.0.1", port=sim.udp_port, timeout=1.0)

    assert found == [
        DiscoveredEntity(
            ip_address="127.0.0.1",
            vin=VIN,
            logical_address=0x0010,
            eid=SIM_EID,
            gid=SIM_EID,
            further_action=0x00,
            sync_status=0x00,
        )
    ]


async def test_a_request_for_the_vehicles_vin_or_eid_is_answered(sim: RunningVehicle) -> None:
    assert sim.udp_port is not None

    by_vin = await asyncio.to_thread(discover, "127.0.0.1", port=sim.udp_port, timeout=1.0, vin=VIN)
    by_eid = await asyncio.to_thread(
        discover, "127.0.0.1", port=sim.udp_port, timeout=1.0, eid=bytes.fromhex(SIM_EID)
    )

    assert [entity.vin for entity in by_vin] == [VIN]
    assert [entity.eid for entity in by_eid] == [SIM_EID]


async def test_a_request_for_another_vin_gets_no_answer(sim: RunningVehicle) -> None:
    assert sim.udp_port is not None

    found = await asyncio.to_thread(
        discover, "127.0.0.1", port=sim.udp_port, timeout=0.5, vin="WVWZZZ1JZXW000001"
    )

    assert found == []


async def test_a_vehicle_without_power_does_not_answer(sim: RunningVehicle) -> None:
    assert sim.udp_port is not None
    sim.entity.power_off(3600)

    found = await asyncio.to_thread(discover, "127.0.0.1", port=sim.udp_port, timeout=0.5)

    assert found == []


async def test_discover_command_prints_the_vehicles_as_json(
    sim: RunningVehicle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sim.udp_port is not None
    argv = ["discover", "--interface", "127.0.0.1", "--port", str(sim.udp_port), "--timeout", "1"]

    code = await asyncio.to_thread(main, argv)

    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [
        {
            "ip_address": "127.0.0.1",
            "vin": VIN,
            "logical_address": 0x0010,
            "eid": SIM_EID,
            "gid": SIM_EID,
            "further_action": 0,
            "sync_status": 0,
        }
    ]


async def test_discover_command_says_when_nobody_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The simulator without discovery: its UDP port is closed, nothing answers there.
    async with running_vehicle(tmp_path) as quiet:
        assert quiet.udp_port is None
        argv = ["discover", "--interface", "127.0.0.1", "--port", str(quiet.port)]
        code = await asyncio.to_thread(main, [*argv, "--timeout", "0.5"])

    assert code == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert f"no DoIP entity answered at 127.0.0.1:{quiet.port}" in captured.err


def test_a_malformed_vin_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(DiscoveryError, match="a VIN is 17 ASCII characters"):
        discover("127.0.0.1", port=9, vin="SHORT")


def test_the_broadcast_address_needs_broadcast_asked_for_explicitly() -> None:
    # Refused before any socket exists: nothing is broadcast.
    with pytest.raises(DiscoveryError, match="is a broadcast address"):
        discover("255.255.255.255", port=9)
