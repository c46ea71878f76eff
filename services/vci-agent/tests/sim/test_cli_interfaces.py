"""The simulator command line's TLS and discovery options."""

from pathlib import Path

import pytest

from vehicle_sim.cli import main


def test_tls_certificate_without_its_key_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--in-memory", "--port", "0", "--tls-cert", str(tmp_path / "c.pem")])
    assert exited.value.code == 2
    assert "--tls-cert and --tls-key go together" in capsys.readouterr().err


def test_unreadable_tls_files_end_the_simulator_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.pem")
    argv = ["serve", "--in-memory", "--port", "0", "--tls-cert", missing, "--tls-key", missing]

    assert main(argv) == 1
    assert "aos-vehicle-sim: cannot serve:" in capsys.readouterr().err
