"""The DoIP pre-flight check: entity status and diagnostic power mode over UDP (unicast to
127.0.0.1 only), and the flash command it refuses before any UDS request."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_cli import DME, _files, _flash_argv

from vci_agent.cli import build_parser, main
from vci_agent.transport.discovery import (
    DiscoveryError,
    EntityStatus,
    PowerMode,
    entity_status,
    entity_status_request,
    parse_entity_status_response,
    parse_power_mode_response,
    power_mode,
    power_mode_request,
)
from vci_agent.transport.options import (
    ANOTHER_TESTER,
    IGNITION_OFF,
    DoipConnector,
    connector_from_args,
)
from vehicle_sim.testing import RunningVehicle, running_vehicle


def test_requests_are_empty_payloads_of_their_types() -> None:
    assert entity_status_request() == b"\x02\xfd\x40\x01\x00\x00\x00\x00"
    assert power_mode_request(protocol_version=3) == b"\x03\xfc\x40\x03\x00\x00\x00\x00"


def test_entity_status_response_is_parsed_with_and_without_max_data_size() -> None:
    with_size = b"\x02\xfd\x40\x02\x00\x00\x00\x07\x01\x04\x02\x00\x00\x10\x00"
    without = b"\x02\xfd\x40\x02\x00\x00\x00\x03\x00\xff\x00"

    assert parse_entity_status_response(with_size) == EntityStatus(
        node_type=0x01, max_sockets=4, open_sockets=2, max_data_size=0x1000
    )
    assert parse_entity_status_response(without) == EntityStatus(
        node_type=0x00, max_sockets=255, open_sockets=0, max_data_size=None
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\x02\xfd\x40\x02\x00\x00\x00\x02\x00\xff",  # too short
        b"\x02\xfd\x40\x02\x00\x00\x00\x04\x00\xff\x00\x00",  # 4 bytes: neither form
        b"\x02\xfd\x40\x04\x00\x00\x00\x03\x00\xff\x00",  # another payload type
        b"\x02\xfe\x40\x02\x00\x00\x00\x03\x00\xff\x00",  # bad inverse version
    ],
)
def test_a_malformed_entity_status_response_is_none(data: bytes) -> None:
    assert parse_entity_status_response(data) is None


def test_power_mode_response_is_parsed_and_a_reserved_value_kept_as_a_number() -> None:
    assert parse_power_mode_response(b"\x02\xfd\x40\x04\x00\x00\x00\x01\x00") is (
        PowerMode.NOT_READY
    )
    assert parse_power_mode_response(b"\x02\xfd\x40\x04\x00\x00\x00\x01\x02") is (
        PowerMode.NOT_SUPPORTED
    )
    assert parse_power_mode_response(b"\x02\xfd\x40\x04\x00\x00\x00\x01\x07") == 0x07
    assert parse_power_mode_response(b"\x02\xfd\x40\x04\x00\x00\x00\x02\x01\x00") is None


def test_a_broadcast_address_is_refused() -> None:
    with pytest.raises(DiscoveryError, match="broadcast"):
        power_mode("255.255.255.255", port=9)


@contextlib.contextmanager
def _silent_udp_port() -> Iterator[int]:
    """A bound UDP port that reads nothing and answers nothing: an entity that ignores the
    requests."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_an_entity_that_does_not_answer_gives_none_after_its_attempts() -> None:
    with _silent_udp_port() as port:
        assert entity_status("127.0.0.1", port=port, timeout=0.1, attempts=2) is None
        assert power_mode("127.0.0.1", port=port, timeout=0.1, attempts=2) is None


async def test_the_simulator_reports_its_power_mode_and_open_sockets(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, discovery=True) as sim:
        assert sim.udp_port is not None
        status = await asyncio.to_thread(entity_status, "127.0.0.1", port=sim.udp_port)
        mode = await asyncio.to_thread(power_mode, "127.0.0.1", port=sim.udp_port)

    assert status == EntityStatus(
        node_type=0x00, max_sockets=255, open_sockets=0, max_data_size=4 * 1024 * 1024
    )
    assert mode is PowerMode.READY


async def test_an_entity_that_answers_nack_is_not_asked_again(tmp_path: Path) -> None:
    # An entity that knows no such request answers a generic NACK: no use asking again.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as entity:
        entity.bind(("127.0.0.1", 0))
        entity.settimeout(5)
        port = entity.getsockname()[1]
        asking = asyncio.create_task(
            asyncio.to_thread(power_mode, "127.0.0.1", port=port, timeout=5, attempts=3)
        )
        _, tester = await asyncio.to_thread(entity.recvfrom, 64)
        entity.sendto(b"\x02\xfd\x00\x00\x00\x00\x00\x01\x01", tester)

        assert await asyncio.wait_for(asking, 10) is None
        entity.settimeout(0)
        with pytest.raises(BlockingIOError):
            entity.recvfrom(64)  # no second request


def _connector(sim: RunningVehicle, **options: Any) -> DoipConnector:
    assert sim.udp_port is not None
    return DoipConnector(sim.host, sim.port, udp_port=sim.udp_port, **options)


async def _hold_connection(sim: RunningVehicle) -> asyncio.StreamWriter:
    """Another tester's TCP connection to the entity, taken up by it (an alive check answered)."""
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    writer.write(b"\x02\xfd\x00\x07\x00\x00\x00\x00")
    await writer.drain()
    await asyncio.wait_for(reader.readexactly(10), 5)
    return writer


async def test_preflight_finds_the_ignition_off_and_another_tester(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, discovery=True, faults=["ignition-off"]) as sim:
        connector = _connector(sim, settle_seconds=0.05)
        other = await _hold_connection(sim)
        problems = await asyncio.to_thread(connector.preflight)
        other.close()

    assert problems == [IGNITION_OFF, ANOTHER_TESTER]


async def test_the_agents_own_open_connection_is_not_another_tester(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, discovery=True) as sim:
        connector = _connector(sim, settle_seconds=0.05)
        # A vehicle read of this agent holds a connection while a job is about to start.
        reading = await asyncio.to_thread(connector, 0x0040)
        await asyncio.to_thread(reading.open)
        try:
            while_reading = await asyncio.to_thread(connector.preflight)
            other = await _hold_connection(sim)
            with_another = await asyncio.to_thread(connector.preflight)
            other.close()
        finally:
            await asyncio.to_thread(reading.close)

    assert while_reading == []
    assert with_another == [ANOTHER_TESTER]


async def test_preflight_of_a_ready_entity_finds_nothing(tmp_path: Path) -> None:
    async with running_vehicle(tmp_path, discovery=True) as sim:
        problems = await asyncio.to_thread(_connector(sim).preflight)

    assert problems == []


async def test_preflight_goes_on_when_the_entity_does_not_support_the_power_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An entity answering power mode 0x02 "not supported" and entity status with no socket open.
    answers = {
        0x4003: b"\x02\xfd\x40\x04\x00\x00\x00\x01\x02",
        0x4001: b"\x02\xfd\x40\x02\x00\x00\x00\x03\x00\x04\x00",
    }
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as entity:
        entity.bind(("127.0.0.1", 0))
        entity.settimeout(5)
        connector = DoipConnector("127.0.0.1", 13400, udp_port=entity.getsockname()[1])

        def answer_two() -> None:
            for _ in range(2):
                request, tester = entity.recvfrom(64)
                entity.sendto(answers[int.from_bytes(request[2:4], "big")], tester)

        serving = asyncio.create_task(asyncio.to_thread(answer_two))
        problems = await asyncio.to_thread(connector.preflight)
        await asyncio.wait_for(serving, 10)

    assert problems == []
    assert "reports power mode 0x02" in caplog.text


def _preflight_argv(sim: RunningVehicle, tmp_path: Path, files: dict[str, Path]) -> list[str]:
    assert sim.udp_port is not None
    return [*_flash_argv(sim, tmp_path, files), "--udp-port", str(sim.udp_port)]


async def test_flash_command_with_the_ignition_off_is_refused_before_any_uds_request(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    # The nrc fault fires on the first UDS request to the DME: it must stay unfired.
    faults = ["ignition-off", "nrc,ecu=0x12"]
    async with running_vehicle(tmp_path / "sim", discovery=True, faults=faults) as sim:
        code = await asyncio.to_thread(main, _preflight_argv(sim, tmp_path, files))

        assert code == 1
        assert not sim.faults.faults[1].fired
        assert not sim.ecu(DME).persistent.erased
    assert IGNITION_OFF in capsys.readouterr().err


async def test_flash_command_with_another_tester_connected_is_refused(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    async with running_vehicle(tmp_path / "sim", discovery=True, faults=["nrc,ecu=0x12"]) as sim:
        other = await _hold_connection(sim)
        code = await asyncio.to_thread(main, _preflight_argv(sim, tmp_path, files))
        other.close()

        assert code == 1
        assert not sim.faults.faults[0].fired
    err = capsys.readouterr().err
    assert ANOTHER_TESTER in err
    assert IGNITION_OFF not in err


async def test_flash_command_goes_on_when_the_entity_does_not_answer_the_udp_requests(
    tmp_path: Path, signed_image: Any, caplog: pytest.LogCaptureFixture
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    with _silent_udp_port() as silent:
        async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
            argv = [*_flash_argv(sim, tmp_path, files), "--udp-port", str(silent)]
            code = await asyncio.to_thread(main, argv)

            assert code == 0
            assert sim.ecu(DME).persistent.version == "1.1.0"
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "did not answer the power mode request" in warnings
    assert "did not answer the entity status request" in warnings


async def test_flash_command_with_skip_doip_checks_flashes_with_the_ignition_off(
    tmp_path: Path, signed_image: Any
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    async with running_vehicle(
        tmp_path / "sim", discovery=True, faults=["ignition-off"], erase_time_s=0.05
    ) as sim:
        argv = [*_preflight_argv(sim, tmp_path, files), "--skip-doip-checks"]
        code = await asyncio.to_thread(main, argv)

        assert code == 0
        assert sim.ecu(DME).persistent.version == "1.1.0"


@pytest.mark.parametrize(
    ("options", "udp_port"),
    [
        ([], 13400),
        (["--port", "13500"], 13500),  # an entity keeps UDP and TCP on one port
        (["--tls", "--port", "3500"], 13400),  # the TLS port is TCP only
        (["--port", "13500", "--udp-port", "13600"], 13600),
    ],
)
def test_the_udp_port_of_the_checks_follows_the_tcp_port_unless_given(
    options: list[str], udp_port: int
) -> None:
    args = build_parser().parse_args(["read-vehicle", *options])
    with connector_from_args(args) as connector:
        assert isinstance(connector, DoipConnector)
        assert connector.udp_port == udp_port
