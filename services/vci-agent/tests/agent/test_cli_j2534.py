"""The agent's commands through a J2534 pass-thru device (``--interface j2534``): the fake
J2534 library (built for the session) bridges ISO15765 to the simulator's DoIP port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vci_agent.cli import build_parser, main
from vci_agent.journal import JobResultState, Journal
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle_in_thread

DME = 0x0012
# A CAN ECU's maxNumberOfBlockLength: an ISO-TP message holds at most 4095 bytes.
CAN_MAX_BLOCK_LENGTH = 4095


def _point_at(monkeypatch: pytest.MonkeyPatch, vehicle: RunningVehicle) -> None:
    monkeypatch.setenv("AOS_FAKE_J2534_DOIP", f"{vehicle.host}:{vehicle.port}")
    monkeypatch.setenv("AOS_FAKE_J2534_ROUTES", "0x712:0x0012,0x740:0x0040,0x763:0x0063")


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningVehicle]:
    with running_vehicle_in_thread(
        tmp_path / "sim", max_block_length=CAN_MAX_BLOCK_LENGTH, erase_time_s=0.05
    ) as vehicle:
        _point_at(monkeypatch, vehicle)
        yield vehicle


def _flash_argv(tmp_path: Path, library: Path, signed: Any) -> list[str]:
    (tmp_path / "dme.img").write_bytes(signed.data)
    (tmp_path / "dme.sig").write_bytes(signed.signature)
    (tmp_path / "release.pem").write_bytes(
        signed.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return [
        "--state-dir",
        str(tmp_path / "state"),
        "flash",
        "--interface",
        "j2534",
        "--j2534-dll",
        str(library),
        "--ecu",
        "0x0012",
        "--image",
        str(tmp_path / "dme.img"),
        "--signature",
        str(tmp_path / "dme.sig"),
        "--public-key",
        str(tmp_path / "release.pem"),
        "--secret",
        DEV_SECRETS["DME_B48"].hex(),
    ]


def test_flash_command_through_a_j2534_device_installs_the_image(
    tmp_path: Path,
    sim: RunningVehicle,
    fake_j2534_library: Path,
    signed_image_factory: Any,
    release_key: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed = signed_image_factory(
        release_key, ecu_type="DME_B48", version="2.5.0", payload_size=40_000
    )

    code = main(_flash_argv(tmp_path, fake_j2534_library, signed))

    assert code == 0, capsys.readouterr().err
    assert sim.ecu(DME).persistent.version == "2.5.0"
    assert "now runs 2.5.0" in capsys.readouterr().out
    [entry] = Journal(tmp_path / "state" / "journal").entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.version_after == "2.5.0"
    # The battery readings (the simulator's nominal 12.8 V) are in the journal entry.
    assert (entry.volts_at_start, entry.volts_min, entry.volts_max) == (12.8, 12.8, 12.8)


def test_a_flash_through_a_j2534_device_resumes_after_the_ecu_lost_power(
    tmp_path: Path,
    fake_j2534_library: Path,
    signed_image_factory: Any,
    release_key: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed = signed_image_factory(
        release_key, ecu_type="DME_B48", version="2.6.0", payload_size=40_000
    )
    with running_vehicle_in_thread(
        tmp_path / "sim",
        max_block_length=CAN_MAX_BLOCK_LENGTH,
        erase_time_s=0.05,
        faults=["power-loss,ecu=0x12,block=5"],
    ) as vehicle:
        _point_at(monkeypatch, vehicle)

        code = main([*_flash_argv(tmp_path, fake_j2534_library, signed), "--p2", "0.5"])

        assert code == 0, capsys.readouterr().err
        assert vehicle.ecu(DME).persistent.version == "2.6.0"
    assert "resumed 1 times" in capsys.readouterr().out


def test_read_vehicle_through_a_j2534_device(
    sim: RunningVehicle, fake_j2534_library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "read-vehicle",
        "--interface",
        "j2534",
        "--j2534-dll",
        str(fake_j2534_library),
        "--ecu",
        "0x12",
        "--ecu",
        "0x40",
    ]

    code = main(argv)

    assert code == 0, capsys.readouterr().err
    document = json.loads(capsys.readouterr().out)
    assert document["vin"] == "WBA5F3103MFX12345"
    assert [ecu["logical_address"] for ecu in document["ecus"]] == [0x12, 0x40]


def test_a_missing_j2534_library_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "op20pt64.dll"

    code = main(["read-vehicle", "--interface", "j2534", "--j2534-dll", str(missing)])

    assert code == 1
    assert f"error: no J2534 library at {missing}: give the path of the device's DLL" in (
        capsys.readouterr().err
    )


def test_a_file_that_is_not_a_library_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "readme.dll"
    text.write_text("not a library")

    code = main(["read-vehicle", "--interface", "j2534", "--j2534-dll", str(text)])

    assert code == 1
    assert f"error: cannot load the J2534 library {text}" in capsys.readouterr().err


def test_j2534_options_without_the_j2534_interface_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["read-vehicle", "--j2534-dll", "pt.dll"]) == 1
    assert "--j2534-dll and --j2534-device are for J2534: add --interface j2534" in (
        capsys.readouterr().err
    )


def test_the_j2534_interface_without_a_library_asks_for_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # On this (non-Windows) machine there is no registry to look a device name up in.
    assert main(["read-vehicle", "--interface", "j2534"]) == 1
    assert "--interface j2534 needs --j2534-dll PATH" in capsys.readouterr().err


def test_a_library_and_a_device_name_together_are_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(
            ["read-vehicle", "--j2534-dll", "a.dll", "--j2534-device", "CarDAQ-Plus 3"]
        )
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_help_names_the_j2534_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["flash", "--help"])

    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "--j2534-dll PATH" in help_text
    assert "--j2534-device NAME" in help_text
    assert "j2534 for a SAE J2534 (04.04) pass-thru device" in help_text
