"""The ``python -m vehicle_sim`` command line, run as a real process."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from vehicle_sim.cli import main

ACTIVATE_V2 = b"\x02\xfd\x00\x05\x00\x00\x00\x07\x0e\x00\x00\x00\x00\x00\x00"


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    assert "--fault" in capsys.readouterr().out


def test_malformed_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--fault", "explode"])
    assert exited.value.code == 2
    assert "fault kind must be one of" in capsys.readouterr().err


def test_invalid_config_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"vin": "SHORT"}', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--config", str(config)])
    assert exited.value.code == 2
    assert "vin must be 17" in capsys.readouterr().err


def test_example_config_is_loadable_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["example-config"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in config["ecus"]] == ["DME", "BDC", "HU"]


def test_serve_prints_bound_address_and_ecus_and_answers_doip(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "vehicle_sim", "serve", "--port", "0", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        assert lines[0].startswith(
            "DoIP entity 0x0010 VIN WBA5F3103MFX12345 listening on 127.0.0.1:"
        )
        assert "ECU 0x0012 DME DME_B48 version 1.0.0" in lines[1]
        port = int(lines[0].rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(ACTIVATE_V2)
            assert connection.recv(64)[:8] == b"\x02\xfd\x00\x06\x00\x00\x00\x09"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert (tmp_path / "ecu_0012" / "flash.bin").stat().st_size == 0x00100000
