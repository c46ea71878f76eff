"""``python -m identity``: help and rotate-secret-keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity.__main__ import main
from servicekit.envelope import new_key_line


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("migrate", "serve", "seed", "rotate-secret-keys"):
        assert command in out


def test_rotate_secret_keys_rewraps_the_totp_secrets_to_the_new_key(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("IDENTITY_DATABASE_URL", database_url)
    monkeypatch.setenv("IDENTITY_JWT_PRIVATE_KEY_FILE", str(tmp_path / "jwt.pem"))
    keys = tmp_path / "secret-keys"
    monkeypatch.setenv("IDENTITY_SECRET_KEYS_FILE", str(keys))
    assert main(["seed"]) == 0  # the demo account, with a confirmed TOTP secret
    with keys.open("a") as out:
        out.write(new_key_line("k-next"))
    capsys.readouterr()
    assert main(["rotate-secret-keys"]) == 0
    assert "identity: 1 TOTP secret(s) rewrapped to key k-next" in capsys.readouterr().out
    assert main(["rotate-secret-keys"]) == 0
    assert "identity: 0 TOTP secret(s) rewrapped" in capsys.readouterr().out
