"""The agent's commands over CAN: ISO-TP on the python-can interface chosen by ``--interface``,
against the simulator's CAN mode: on python-can's ``virtual`` bus (same process), and on Linux
SocketCAN ``vcan0`` where the machine has one (``modprobe vcan; ip link add vcan0 type vcan;
ip link set vcan0 up``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vci_agent.cli import main
from vehicle_sim.isotp_bus import IsoTpVehicle
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import running_isotp_vehicle

BDC = 0x0040


VCAN = Path("/sys/class/net/vcan0")
BUSES = [
    pytest.param(("virtual", None), id="virtual"),
    pytest.param(
        ("socketcan", "vcan0"),
        id="vcan0",
        marks=pytest.mark.skipif(
            sys.platform != "linux" or not VCAN.exists(), reason="this machine has no vcan0"
        ),
    ),
]


@pytest.fixture(params=BUSES)
def can_sim(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IsoTpVehicle]:
    interface, channel = request.param
    with running_isotp_vehicle(
        tmp_path / "sim", erase_time_s=0.05, interface=interface, channel=channel
    ) as vehicle:
        yield vehicle


def _can(vehicle: IsoTpVehicle) -> list[str]:
    return ["--interface", vehicle.interface, "--channel", vehicle.channel, "--bitrate", "500000"]


def test_flash_command_over_the_virtual_can_bus_installs_the_image(
    tmp_path: Path,
    can_sim: IsoTpVehicle,
    signed_image_factory: Any,
    release_key: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed = signed_image_factory(
        release_key, ecu_type="BDC_G20", version="2.4.0", payload_size=24_000
    )
    (tmp_path / "bdc.img").write_bytes(signed.data)
    (tmp_path / "bdc.sig").write_bytes(signed.signature)
    (tmp_path / "release.pem").write_bytes(
        signed.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    argv = [
        "--state-dir",
        str(tmp_path / "state"),
        "flash",
        *_can(can_sim),
        "--ecu",
        "0x0040",
        "--image",
        str(tmp_path / "bdc.img"),
        "--signature",
        str(tmp_path / "bdc.sig"),
        "--public-key",
        str(tmp_path / "release.pem"),
        "--secret",
        DEV_SECRETS["BDC_G20"].hex(),
        # The virtual bus' threads add latency a real CAN ECU would not have.
        "--p2",
        "2",
    ]

    code = main(argv)

    assert code == 0, capsys.readouterr().err
    ecu = can_sim.vehicle.ecu(BDC)
    assert ecu is not None and ecu.persistent.version == "2.4.0"
    assert "now runs 2.4.0" in capsys.readouterr().out


def test_read_vehicle_over_the_virtual_can_bus_with_ids_given_on_the_command_line(
    can_sim: IsoTpVehicle, capsys: pytest.CaptureFixture[str]
) -> None:
    # The simulator's HU answers on 0x76B to requests on 0x763; name them explicitly.
    argv = ["read-vehicle", *_can(can_sim), "--ecu", "0x63", "--can-id", "0x63=0x763:0x76B"]

    code = main(argv)

    assert code == 0, capsys.readouterr().err
    document = json.loads(capsys.readouterr().out)
    assert document["vin"] == "WBA5F3103MFX12345"
    assert [(ecu["logical_address"], ecu["software_version"]) for ecu in document["ecus"]] == [
        (0x63, "5.0.1")
    ]


def test_an_ecu_without_can_ids_is_refused_with_what_to_give(
    can_sim: IsoTpVehicle, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["read-vehicle", *_can(can_sim), "--ecu", "0x77"])

    assert code == 1
    assert "no CAN ids known for ECU 0x0077: give --can-id 0x77=REQUEST:RESPONSE" in (
        capsys.readouterr().err
    )


def test_can_ids_without_an_interface_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["read-vehicle", "--can-id", "0x12=0x712:0x71A"]) == 1
    assert "--can-id is for CAN: add --interface" in capsys.readouterr().err


def test_a_malformed_can_id_mapping_is_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["read-vehicle", "--interface", "virtual", "--can-id", "0x12=0x712"])
    assert "not a CAN id mapping: '0x12=0x712'" in capsys.readouterr().err


def test_a_flash_over_can_resumes_after_the_ecu_lost_power(
    tmp_path: Path,
    signed_image_factory: Any,
    release_key: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # On CAN no socket closes: the block's answer is lost and its repeat is answered "not in
    # this session" by the restarted ECU; the flasher resumes.
    signed = signed_image_factory(
        release_key, ecu_type="BDC_G20", version="2.4.1", payload_size=24_000
    )
    (tmp_path / "bdc.img").write_bytes(signed.data)
    (tmp_path / "bdc.sig").write_bytes(signed.signature)
    (tmp_path / "release.pem").write_bytes(
        signed.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    with running_isotp_vehicle(
        tmp_path / "sim", erase_time_s=0.05, faults=["power-loss,ecu=0x40,block=3"]
    ) as vehicle:
        argv = [
            "--state-dir",
            str(tmp_path / "state"),
            "flash",
            *_can(vehicle),
            "--ecu",
            "0x0040",
            "--image",
            str(tmp_path / "bdc.img"),
            "--signature",
            str(tmp_path / "bdc.sig"),
            "--public-key",
            str(tmp_path / "release.pem"),
            "--secret",
            DEV_SECRETS["BDC_G20"].hex(),
            "--p2",
            "1",
        ]

        code = main(argv)

        assert code == 0, capsys.readouterr().err
        ecu = vehicle.vehicle.ecu(BDC)
        assert ecu is not None and ecu.persistent.version == "2.4.1"
    assert "resumed 1 times" in capsys.readouterr().out
