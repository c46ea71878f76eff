"""``python -m programming``: help, migrate and seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from programming.__main__ import main
from servicekit.envelope import new_key_line


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("migrate", "seed", "rotate-secret-keys", "serve", "replay-dlq"):
        assert command in out


def test_seed_command_fills_the_catalog_once(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("PROGRAMMING_DATABASE_URL", database_url)
    monkeypatch.setenv("PROGRAMMING_RELEASE_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("PROGRAMMING_SECRET_KEYS_FILE", str(tmp_path / "secret-keys"))
    assert main(["seed"]) == 0
    assert "3 ECU type(s), 4 release(s), 3 target(s) added" in capsys.readouterr().out
    assert main(["seed"]) == 0
    assert "0 ECU type(s), 0 release(s), 0 target(s) added" in capsys.readouterr().out


def test_migrate_command_is_a_no_op_on_a_migrated_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("PROGRAMMING_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert "migrations applied" in capsys.readouterr().out


def test_rotate_secret_keys_rewraps_the_ecu_secrets_to_the_new_key(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("PROGRAMMING_DATABASE_URL", database_url)
    monkeypatch.setenv("PROGRAMMING_RELEASE_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    keys = tmp_path / "secret-keys"
    monkeypatch.setenv("PROGRAMMING_SECRET_KEYS_FILE", str(keys))
    assert main(["seed"]) == 0
    with keys.open("a") as out:
        out.write(new_key_line("k-next"))
    capsys.readouterr()
    assert main(["rotate-secret-keys"]) == 0
    assert "3 ECU secret(s) rewrapped to key k-next" in capsys.readouterr().out
    assert main(["rotate-secret-keys"]) == 0
    assert "0 ECU secret(s) rewrapped" in capsys.readouterr().out
