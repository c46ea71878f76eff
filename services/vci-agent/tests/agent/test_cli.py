"""The local ``flash`` and ``read-vehicle`` commands against the simulator."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vci_agent.cli import main
from vci_agent.journal import Journal
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle

DME = 0x0012


def _files(tmp_path: Path, data: bytes, signature: bytes, public_key: Any) -> dict[str, Path]:
    paths = {
        "image": tmp_path / "dme.img",
        "signature": tmp_path / "dme.sig",
        "public_key": tmp_path / "release.pem",
    }
    paths["image"].write_bytes(data)
    paths["signature"].write_bytes(signature)
    paths["public_key"].write_bytes(
        public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return paths


def _flash_argv(sim: RunningVehicle, tmp_path: Path, files: dict[str, Path]) -> list[str]:
    return [
        "--state-dir",
        str(tmp_path / "state"),
        "flash",
        "--host",
        sim.host,
        "--port",
        str(sim.port),
        "--ecu",
        "0x0012",
        "--image",
        str(files["image"]),
        "--signature",
        str(files["signature"]),
        "--public-key",
        str(files["public_key"]),
        "--key-algorithm",
        "aos-demo-1",
        "--secret",
        DEV_SECRETS["DME_B48"].hex(),
    ]


async def test_flash_command_flashes_and_prints_progress_and_summary(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        argv = [*_flash_argv(sim, tmp_path, files), "--sha256", signed_image.sha256.hex()]
        code = await asyncio.to_thread(main, argv)

        assert code == 0
        assert sim.ecu(DME).persistent.version == "1.1.0"
    out = capsys.readouterr().out
    assert "100.0%" in out and "MB/s" in out
    assert "now runs 1.1.0" in out


async def test_flash_command_run_again_resumes_a_job_interrupted_by_power_loss(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    faults = ["power-loss,ecu=0x12,block=30"]
    async with running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim:
        argv = [*_flash_argv(sim, tmp_path, files), "--p2", "0.3"]
        first = await asyncio.to_thread(main, [*argv, "--resume-attempts", "0"])
        assert first == 1
        assert "the flash stands at byte" in capsys.readouterr().err

        second = await asyncio.to_thread(main, argv)

        assert second == 0
        assert sim.ecu(DME).persistent.version == "1.1.0"
    out = capsys.readouterr().out
    assert "resuming job" in out
    assert "resumed 1 times" in out


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
async def test_flash_command_without_state_dir_journals_in_the_users_state_folder(
    tmp_path: Path, signed_image: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        argv = _flash_argv(sim, tmp_path, files)[2:]  # without --state-dir

        code = await asyncio.to_thread(main, argv)

        assert code == 0
    journal = Journal(tmp_path / "xdg-state" / "aos-vci-agent" / "journal")
    assert [entry.version_after for entry in journal.entries()] == ["1.1.0"]
    assert not (tmp_path / "state").exists()


async def test_flash_command_refuses_a_tampered_image_before_any_uds_request(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = bytearray(signed_image.data)
    tampered[1000] ^= 0xFF
    files = _files(tmp_path, bytes(tampered), signed_image.signature, signed_image.public_key)
    # This fault fires on the first UDS request of any kind to the DME: it must stay unfired.
    async with running_vehicle(tmp_path / "sim", faults=["nrc,ecu=0x12"]) as sim:
        code = await asyncio.to_thread(main, _flash_argv(sim, tmp_path, files))

        assert code == 1
        assert not sim.faults.faults[0].fired
        assert sim.ecu(DME).persistent.version == "1.0.0"
        assert not sim.ecu(DME).persistent.erased
    assert "signature does not verify" in capsys.readouterr().err


async def test_flash_command_refuses_a_bad_signature_before_any_uds_request(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    other_signature = Ed25519PrivateKey.generate().sign(signed_image.data)
    files = _files(tmp_path, signed_image.data, other_signature, signed_image.public_key)
    async with running_vehicle(tmp_path / "sim", faults=["nrc,ecu=0x12"]) as sim:
        code = await asyncio.to_thread(main, _flash_argv(sim, tmp_path, files))

        assert code == 1
        assert not sim.faults.faults[0].fired
        assert sim.ecu(DME).persistent.version == "1.0.0"
    assert "signature does not verify" in capsys.readouterr().err


async def test_flash_command_refuses_an_image_whose_sha256_differs(
    tmp_path: Path, signed_image: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path, signed_image.data, signed_image.signature, signed_image.public_key)
    async with running_vehicle(tmp_path / "sim", faults=["nrc,ecu=0x12"]) as sim:
        argv = [*_flash_argv(sim, tmp_path, files), "--sha256", "00" * 32]
        code = await asyncio.to_thread(main, argv)

        assert code == 1
        assert not sim.faults.faults[0].fired
    assert "SHA-256" in capsys.readouterr().err


async def test_read_vehicle_prints_vin_and_each_ecus_software(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_vehicle(tmp_path / "sim") as sim:
        argv = ["read-vehicle", "--host", sim.host, "--port", str(sim.port)]
        code = await asyncio.to_thread(main, argv)

    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["vin"] == "WBA5F3103MFX12345"
    versions = {e["logical_address"]: e["software_version"] for e in report["ecus"]}
    assert versions == {0x0012: "1.0.0", 0x0040: "2.3.0", 0x0063: "5.0.1"}
    assert not any(e["in_bootloader"] for e in report["ecus"])


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    assert exited.value.code == 0
    assert "flash" in capsys.readouterr().out
