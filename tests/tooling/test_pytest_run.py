"""scripts/pytest_run.py, the runner of `make test`: a run that collects nothing must fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "scripts" / "pytest_run.py"


def run_runner(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), "-p", "no:cacheprovider", str(folder), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_passing_test(folder: Path) -> None:
    (folder / "test_one.py").write_text("def test_one() -> None:\n    assert True\n")


def test_an_empty_folder_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = run_runner(tmp_path)

    assert result.returncode != 0
    assert "collected no tests" in result.stderr


def test_a_k_expression_that_matches_nothing_fails(tmp_path: Path) -> None:
    write_passing_test(tmp_path)

    result = run_runner(tmp_path, "-k", "no_such_test")

    assert result.returncode != 0
    assert "collected no tests" in result.stderr


def test_a_run_with_passing_tests_succeeds(tmp_path: Path) -> None:
    write_passing_test(tmp_path)

    result = run_runner(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
